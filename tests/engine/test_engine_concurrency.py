"""Many commands at once: whatever the gateway acknowledged must be in the engine's live state."""

from __future__ import annotations

import asyncio

from diagrams import activate, complete, create, one_task
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

from engine.testing.handle import EngineHandle

INSTANCES = 120


async def test_every_acknowledged_instance_gets_its_job(
    engine: EngineHandle, gateway: GatewayStub, deploy
) -> None:
    await deploy(one_task("burst", "burst-work").file())
    created = set(await asyncio.gather(*(create(gateway, "burst", {"n": n}) for n in range(INSTANCES))))
    assert len(created) == INSTANCES, "every CreateProcessInstance must answer with its own key"
    jobs: dict[int, int] = {}
    for _ in range(20):
        batch = await activate(gateway, "burst-work", max_jobs=50, request_timeout_ms=500)
        jobs.update({job.processInstanceKey: job.key for job in batch})
        if not batch or len(jobs) >= INSTANCES:
            break
    missing = created - set(jobs)
    assert not missing, (
        f"{len(missing)} of {INSTANCES} acknowledged instances have no activatable job (their state was "
        f"lost although their creation was answered), e.g. {sorted(missing)[:5]}: "
        f"{[engine.instance(key).waiting_at() for key in sorted(missing)[:3]]}"
    )
    await asyncio.gather(*(complete(gateway, key) for key in jobs.values()))
    for key in created:
        await engine.is_completed(key)
