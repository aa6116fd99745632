"""Inclusive gateways: notify every unit the conditions name, then wait only for those branches."""

from __future__ import annotations

from diagrams import Diagram, activate, activate_one, complete, variables_of
from pyzeebe import ZeebeClient

from engine.testing.handle import EngineHandle


def notify_units() -> Diagram:
    return (
        Diagram("notify")
        .start()
        .raw('<bpmn:inclusiveGateway id="Fork" default="toArchive"/>')
        .task("NotifyHousing", "notify-housing")
        .task("NotifyEnvironment", "notify-environment")
        .task("Archive", "archive")
        .raw('<bpmn:inclusiveGateway id="Join"/>')
        .task("Reply", "reply")
        .end()
        .flow("start", "Fork")
        .flow("Fork", "NotifyHousing", '=contains(content, "物业")')
        .flow("Fork", "NotifyEnvironment", '=contains(content, "噪音")')
        .flow("Fork", "Archive", id="toArchive")
        .flow("NotifyHousing", "Join")
        .flow("NotifyEnvironment", "Join")
        .flow("Archive", "Join")
        .chain("Join", "Reply", "end")
    )


async def test_both_matching_branches_run_and_the_join_waits_for_both(
    engine: EngineHandle, client: ZeebeClient, deploy, gateway
) -> None:
    await deploy(notify_units().file())
    started = await client.run_process("notify", {"content": "物业不管楼下噪音"})
    housing = await activate_one(gateway, "notify-housing")
    environment = await activate_one(gateway, "notify-environment")
    assert await activate(gateway, "archive", max_jobs=1) == [], "the default flow is only for no match"
    await complete(gateway, housing.key)
    assert await activate(gateway, "reply", max_jobs=1) == [], "the join must wait for the other branch"
    await complete(gateway, environment.key)
    reply = await activate_one(gateway, "reply")
    assert variables_of(reply)["content"] == "物业不管楼下噪音"
    await complete(gateway, reply.key)
    view = await engine.is_completed(started.process_instance_key)
    assert view.passed.count("Join") == 1 and view.passed.count("Reply") == 1


async def test_one_matching_branch_passes_the_join_alone(
    engine: EngineHandle, client: ZeebeClient, deploy, gateway
) -> None:
    await deploy(notify_units().file())
    started = await client.run_process("notify", {"content": "夜间施工噪音"})
    await complete(gateway, (await activate_one(gateway, "notify-environment")).key)
    await complete(gateway, (await activate_one(gateway, "reply")).key)
    await engine.is_completed(started.process_instance_key)


async def test_no_match_takes_the_default_flow(
    engine: EngineHandle, client: ZeebeClient, deploy, gateway
) -> None:
    await deploy(notify_units().file())
    started = await client.run_process("notify", {"content": "咨询社保"})
    await complete(gateway, (await activate_one(gateway, "archive")).key)
    await complete(gateway, (await activate_one(gateway, "reply")).key)
    await engine.is_completed(started.process_instance_key)
