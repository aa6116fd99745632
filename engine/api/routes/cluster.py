"""Topology and the clock (`/topology`, `/clock`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Response

from engine.api import schemas as s
from engine.api.problems import Problem
from engine.api.routes import camunda_router
from engine.api.services import Services, services
from engine.gateway.servicer import GATEWAY_VERSION
from engine.runtime.clock import LAST_INSTANT_MS

router = camunda_router(tags=["Cluster"])

Deps = Annotated[Services, Depends(services)]


@router.get("/topology", response_model=s.Topology)
async def get_topology(deps: Deps) -> s.Topology:
    partition = s.Partition(partitionId=1, role="leader", health="healthy")
    broker = s.BrokerInfo(
        nodeId=0,
        host=deps.gateway_host,
        port=deps.gateway_port,
        partitions=[partition],
        version=GATEWAY_VERSION,
    )
    return s.Topology(
        brokers=[broker],
        clusterSize=1,
        partitionsCount=1,
        replicationFactor=1,
        gatewayVersion=GATEWAY_VERSION,
        lastCompletedChangeId="-1",
    )


def _require_clock_control(deps: Services) -> None:
    if not deps.clock_control:
        raise Problem(
            403,
            "Clock control is disabled on this engine; start it with --enable-clock-control to pin or "
            "reset the clock",
            "FORBIDDEN",
        )


@router.get("/clock", response_model=s.ClockResult, tags=["Clock"])
async def get_clock(deps: Deps) -> s.ClockResult:
    """The engine's current time in epoch milliseconds (an extension: Camunda 8.8 has no GET)."""
    _require_clock_control(deps)
    return s.ClockResult(timestamp=deps.engine.clock.now_ms())


@router.put("/clock", status_code=204, response_class=Response, tags=["Clock"])
async def pin_clock(body: s.ClockPinRequest, deps: Deps) -> Response:
    _require_clock_control(deps)
    if body.timestamp < 0:
        raise Problem(400, f"The value for timestamp is '{body.timestamp}' but must be not negative.")
    if body.timestamp > LAST_INSTANT_MS:
        # Beyond year 9999 no date can be formed, and every command would fail on the engine's clock.
        raise Problem(
            400, f"The value for timestamp is '{body.timestamp}' but must be at most {LAST_INSTANT_MS}."
        )
    deps.engine.clock.set_time(body.timestamp)
    return Response(status_code=204)


@router.post("/clock/reset", status_code=204, response_class=Response, tags=["Clock"])
async def reset_clock(deps: Deps) -> Response:
    _require_clock_control(deps)
    deps.engine.clock.reset()
    return Response(status_code=204)
