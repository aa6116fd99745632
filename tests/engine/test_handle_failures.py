"""What a failing assertion of the test handle says: what was expected, and what was found."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from diagrams import Diagram, waits_for_message
from pyzeebe import ZeebeClient

from engine.testing.handle import AssertionTimeout, EngineHandle

SHORT = 0.3


def review() -> Diagram:
    """start → Cooling (1 h) → Review (user task) → end."""
    return (
        Diagram("handle-review")
        .start()
        .raw(
            '<bpmn:intermediateCatchEvent id="Cooling"><bpmn:timerEventDefinition>'
            "<bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"
        )
        .raw(
            '<bpmn:userTask id="Review"><bpmn:extensionElements><zeebe:userTask/>'
            "</bpmn:extensionElements></bpmn:userTask>"
        )
        .end()
        .chain("start", "Cooling", "Review", "end")
    )


@pytest.fixture
async def waiting(engine: EngineHandle, client: ZeebeClient, deploy) -> int:
    """An instance waiting at its Cooling timer, with variable `clerk` = 'wang'."""
    await deploy(review().file())
    started = await client.run_process("handle-review", {"clerk": "wang"})
    await engine.is_waiting_at(started.process_instance_key, "Cooling")
    return started.process_instance_key


async def test_not_completed_says_where_the_instance_waits(engine: EngineHandle, waiting: int) -> None:
    with pytest.raises(AssertionTimeout) as failed:
        await engine.is_completed(waiting, timeout=SHORT)
    message = str(failed.value)
    assert f"process instance {waiting} (handle-review)" in message
    assert f"expected it to be completed within {SHORT:g} s" in message
    assert "it is ACTIVE, waiting at ['Cooling'], passed ['start']" in message
    assert "variables {'clerk': 'wang'}" in message


async def test_has_passed_counts_completions(engine: EngineHandle, waiting: int) -> None:
    with pytest.raises(
        AssertionTimeout, match=r"expected to pass 'Review' .* but 'Review' completed 0 times"
    ):
        await engine.has_passed(waiting, "Review", timeout=SHORT)
    with pytest.raises(
        AssertionTimeout, match=r"expected 'start' to complete 2 times .* 'start' completed once"
    ):
        await engine.has_passed(waiting, "start", times=2, timeout=SHORT)
    await engine.has_passed(waiting, "start", times=1)


async def test_more_completions_than_expected_fail_at_once(engine: EngineHandle, waiting: int) -> None:
    began = time.monotonic()
    with pytest.raises(AssertionTimeout, match=r"waiting longer cannot help.*'start' completed once"):
        await engine.has_passed(waiting, "start", times=0, timeout=30)
    assert time.monotonic() - began < 10, "a count already exceeded cannot come down: no need to wait"


async def test_a_wrong_variable_value_is_shown(engine: EngineHandle, waiting: int) -> None:
    with pytest.raises(AssertionTimeout, match=r"expected variable 'clerk' = 'li' .* but 'clerk' = 'wang'"):
        await engine.has_variable(waiting, "clerk", "li", timeout=SHORT)
    with pytest.raises(AssertionTimeout, match=r"but it has no variable 'approved'"):
        await engine.has_variable(waiting, "approved", True, timeout=SHORT)


async def test_an_instance_that_is_not_there(engine: EngineHandle) -> None:
    with pytest.raises(
        AssertionTimeout, match=r"process instance 42 .* the engine knows no such process instance"
    ):
        await engine.is_active(42, timeout=SHORT)


async def test_no_incident_and_no_user_task(engine: EngineHandle, waiting: int) -> None:
    with pytest.raises(
        AssertionTimeout, match=r"expected an open incident of type JOB_NO_RETRIES at 'Review'"
    ):
        await engine.has_incident(waiting, "JOB_NO_RETRIES", timeout=SHORT, element_id="Review")
    with pytest.raises(
        AssertionTimeout,
        match=r"expected a user task at 'Review' within 0.3 s, but its open user tasks are at nothing; "
        r"it is ACTIVE, waiting at \['Cooling'\]",
    ):
        await engine.user_task_at(waiting, "Review", timeout=SHORT)


async def test_an_ended_instance_is_not_active_and_waits_nowhere(engine: EngineHandle, waiting: int) -> None:
    engine.increase_time(timedelta(hours=1))
    await engine.complete_user_task(waiting, "Review")
    await engine.is_completed(waiting)
    began = time.monotonic()
    with pytest.raises(
        AssertionTimeout, match=r"expected it to be active .*waiting longer cannot help.* COMPLETED"
    ):
        await engine.is_active(waiting, timeout=30)
    with pytest.raises(
        AssertionTimeout,
        match=r"expected it to wait at 'Review'.* passed \['start', 'Cooling', 'Review', 'end'\]",
    ):
        await engine.is_waiting_at(waiting, "Review", timeout=30)
    assert time.monotonic() - began < 10, "an ended instance cannot become active again: no need to wait"


async def test_a_message_not_correlated(engine: EngineHandle, client: ZeebeClient, deploy) -> None:
    await deploy(waits_for_message("handle-inbox", "reply").file())
    key = (await client.run_process("handle-inbox", {"key": "k-1"})).process_instance_key
    await engine.is_waiting_at(key, "wait")
    await client.publish_message("other", "k-1")
    with pytest.raises(
        AssertionTimeout,
        match=r"expected message 'reply' to be correlated within 0.3 s, .* correlated messages \[\]",
    ):
        await engine.has_correlated_message(key, "reply", timeout=SHORT)
    await client.publish_message("reply", "k-1")
    view = await engine.has_correlated_message(key, "reply")
    assert view.key == key
