"""Message start events: a portal's message starts a case; one case per correlation key at a time."""

from __future__ import annotations

from diagrams import Diagram, activate, activate_one, complete, publish, variables_of
from pyzeebe import ZeebeClient

from engine.testing.handle import EngineHandle

ON_MESSAGE = '<bpmn:messageEventDefinition messageRef="Message_s"/>'


def intake() -> Diagram:
    diagram = (
        Diagram("portal-intake")
        .raw(f'<bpmn:startEvent id="Submitted">{ON_MESSAGE}</bpmn:startEvent>')
        .task("Register", "register")
        .end()
        .chain("Submitted", "Register", "end")
    )
    diagram.globals.append('<bpmn:message id="Message_s" name="appeal-submitted"/>')
    return diagram


async def test_a_message_starts_an_instance_with_its_variables(
    engine: EngineHandle, client: ZeebeClient, deploy, gateway
) -> None:
    await deploy(intake().file())
    await publish(gateway, "appeal-submitted", "", {"title": "路灯不亮"})
    job = await activate_one(gateway, "register")
    assert variables_of(job) == {"title": "路灯不亮"}


async def test_no_second_instance_for_a_key_while_one_is_active(
    engine: EngineHandle, client: ZeebeClient, deploy, gateway
) -> None:
    await deploy(intake().file())
    await publish(gateway, "appeal-submitted", "13800001111", {"n": 1}, ttl_ms=3_600_000)
    await publish(gateway, "appeal-submitted", "13800001111", {"n": 2}, ttl_ms=3_600_000)
    first = await activate_one(gateway, "register")
    assert variables_of(first)["n"] == 1
    assert await activate(gateway, "register", max_jobs=5) == [], "the second waits while the first is active"
    await complete(gateway, first.key)
    await engine.is_completed(first.processInstanceKey)
    second = await activate_one(gateway, "register")
    assert variables_of(second)["n"] == 2, "the buffered message starts the next instance"
