"""Event-based gateways (a reply or a deadline, whichever comes first) and link events."""

from __future__ import annotations

from datetime import timedelta

from diagrams import Diagram, publish
from pyzeebe import ZeebeClient

from engine.testing.handle import EngineHandle

LINK = '<bpmn:linkEventDefinition name="page2"/>'


def reply_or_deadline() -> Diagram:
    diagram = (
        Diagram("reply-or-deadline")
        .start()
        .raw('<bpmn:eventBasedGateway id="Wait"/>')
        .catch_message("Reply", "unit-reply", "=caseNo")
        .raw(
            '<bpmn:intermediateCatchEvent id="Deadline"><bpmn:timerEventDefinition>'
            "<bpmn:timeDuration>P2D</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"
        )
        .end("replied")
        .end("overdue")
        .chain("start", "Wait")
        .chain("Wait", "Reply", "replied")
        .chain("Wait", "Deadline", "overdue")
    )
    return diagram


async def test_the_reply_wins_when_it_comes_first(
    engine: EngineHandle, client: ZeebeClient, deploy, gateway
) -> None:
    await deploy(reply_or_deadline().file())
    started = await client.run_process("reply-or-deadline", {"caseNo": "C-1"})
    key = started.process_instance_key
    await engine.is_waiting_at(key, "Wait")
    await publish(gateway, "unit-reply", "C-1", {"reply": "已办结"})
    view = await engine.is_completed(key)
    assert view.passed[-3:] == ["Wait", "Reply", "replied"] and view.variables["reply"] == "已办结"
    engine.increase_time(timedelta(days=3))
    await engine.wait_until_idle()
    assert "Deadline" not in engine.instance(key).passed, "the deadline must be cancelled once the reply came"


async def test_the_deadline_wins_when_no_reply_comes(
    engine: EngineHandle, client: ZeebeClient, deploy, gateway
) -> None:
    await deploy(reply_or_deadline().file())
    started = await client.run_process("reply-or-deadline", {"caseNo": "C-2"})
    key = started.process_instance_key
    await engine.is_waiting_at(key, "Wait")
    engine.increase_time(timedelta(days=2, seconds=1))
    view = await engine.is_completed(key)
    assert view.passed[-3:] == ["Wait", "Deadline", "overdue"]
    await publish(gateway, "unit-reply", "C-2", {"reply": "迟到"})
    assert "reply" not in engine.instance(key).variables


async def test_a_link_throw_event_continues_at_its_catch(
    engine: EngineHandle, client: ZeebeClient, deploy
) -> None:
    diagram = (
        Diagram("linked")
        .start()
        .raw(f'<bpmn:intermediateThrowEvent id="GoOn">{LINK}</bpmn:intermediateThrowEvent>')
        .raw(f'<bpmn:intermediateCatchEvent id="Page2">{LINK}</bpmn:intermediateCatchEvent>')
        .end()
        .chain("start", "GoOn")
        .chain("Page2", "end")
    )
    await deploy(diagram.file())
    started = await client.run_process("linked", {})
    view = await engine.is_completed(started.process_instance_key)
    assert view.passed == ["start", "GoOn", "Page2", "end"]
