"""The test handle in its two modes: an embedded engine, and an engine in another process reached with
`EngineHandle.connect` (clock over `PUT /v2/clock`, assertions and user tasks over REST searches).

The same scenario runs against both: a timer, a user task with a reminder cycle, the clock moved by
the test, assertions that poll.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from diagrams import Diagram, waits_for_message

from engine.testing import NotInspectable
from engine.testing.handle import EngineHandle
from engine.testing.subprocess_engine import EngineSubprocess, free_port


def cooling_then_review() -> Diagram:
    """start → Cooling (2 h) → Review (user task, reminded every hour, 3 times at most) → end."""
    return (
        Diagram("handle-demo")
        .start()
        .raw(
            '<bpmn:intermediateCatchEvent id="Cooling"><bpmn:timerEventDefinition>'
            "<bpmn:timeDuration>PT2H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"
        )
        .raw(
            '<bpmn:userTask id="Review"><bpmn:extensionElements><zeebe:userTask/>'
            '<zeebe:assignmentDefinition assignee="=applicant"/></bpmn:extensionElements></bpmn:userTask>'
        )
        .raw(
            '<bpmn:boundaryEvent id="Remind" attachedToRef="Review" cancelActivity="false">'
            "<bpmn:timerEventDefinition><bpmn:timeCycle>R3/PT1H</bpmn:timeCycle></bpmn:timerEventDefinition>"
            "</bpmn:boundaryEvent>"
        )
        .end()
        .end("reminded")
        .chain("start", "Cooling", "Review", "end")
        .flow("Remind", "reminded")
    )


def unroutable() -> Diagram:
    """An exclusive gateway without a default: an amount of 10 or less raises an incident."""
    return (
        Diagram("handle-unroutable")
        .start()
        .exclusive("choose")
        .end("big")
        .chain("start", "choose")
        .flow("choose", "big", "=amount > 10")
    )


def write(tmp_path: Path, diagram: Diagram) -> str:
    name, text = diagram.file()
    path = tmp_path / name
    path.write_text(text)
    return str(path)


# ------------------------------------------------------------------------------------ the engines


@pytest.fixture(scope="module")
def engine_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """`python -m engine` in a process of its own, clock control enabled: (gateway, REST URL)."""
    folder = tmp_path_factory.mktemp("engine-process")
    engine = EngineSubprocess(
        f"sqlite:///{folder / 'engine.db'}",
        folder / "engine.log",
        rest_address=f"127.0.0.1:{free_port()}",
        clock_control=True,
    )
    with engine:
        assert engine.rest_url is not None
        yield engine.address, engine.rest_url


@pytest.fixture
async def connected(engine_process: tuple[str, str]) -> AsyncIterator[EngineHandle]:
    handle = EngineHandle.connect(*engine_process)
    yield handle
    handle.reset_time()
    await handle.aclose()


@pytest.fixture
async def embedded(sqlite_url: str) -> AsyncIterator[EngineHandle]:
    async with EngineHandle.start_embedded(sqlite_url) as handle:
        yield handle


@pytest.fixture(params=["embedded", "connected"])
def handle(request: pytest.FixtureRequest) -> EngineHandle:
    found: EngineHandle = request.getfixturevalue(request.param)
    return found


# ------------------------------------------------------------------------------------- scenarios


async def test_timers_fire_when_the_clock_moves_and_user_tasks_are_done(
    handle: EngineHandle, tmp_path: Path
) -> None:
    client = handle.client()
    await client.deploy_resource(write(tmp_path, cooling_then_review()))
    started = await client.run_process("handle-demo", {"applicant": "wang"})
    key = started.process_instance_key

    await handle.is_waiting_at(key, "Cooling")
    await handle.is_active(key)
    handle.increase_time(timedelta(hours=2) - timedelta(seconds=1))
    await handle.wait_until_idle()
    assert handle.instance(key).waiting_at() == ["Cooling"], "the timer must not fire before its time"

    handle.increase_time(timedelta(seconds=2))
    await handle.has_passed(key, "Cooling", times=1)
    task = await handle.user_task_at(key, "Review")
    assert (task.assignee, task.element_id, task.process_instance_key) == ("wang", "Review", key)
    assert [t.key for t in await handle.user_tasks(key)] == [task.key]

    handle.increase_time(timedelta(hours=1))
    await handle.has_passed(key, "Remind", times=1)
    handle.increase_time(timedelta(hours=1))
    await handle.has_passed(key, "reminded", times=2)
    await handle.is_waiting_at(key, "Review")

    await handle.complete_user_task(key, "Review", {"approved": True})
    view = await handle.is_completed(key)
    await handle.has_variable(key, "approved", True)
    await handle.has_variable(key, "applicant", "wang")
    assert view.passed.count("Remind") == 2
    assert view.passed[-1] == "end", f"the instance ends at its end event, passed {view.passed}"
    assert await handle.user_tasks(key) == []


async def test_an_incident_is_found_in_both_modes(handle: EngineHandle, tmp_path: Path) -> None:
    client = handle.client()
    await client.deploy_resource(write(tmp_path, unroutable()))
    started = await client.run_process("handle-unroutable", {"amount": 3})
    view = await handle.has_incident(started.process_instance_key, "CONDITION_ERROR", element_id="choose")
    (incident,) = view.incidents.values()
    assert incident.element_id == "choose" and incident.element_instance_key > 0
    assert view.state == "ACTIVE"


async def test_the_clock_is_pinned_and_reset(handle: EngineHandle) -> None:
    pinned = 4_102_444_800_000  # 2100-01-01
    handle.set_time(pinned)
    assert handle.now_ms() == pinned
    handle.increase_time(1_000)
    assert handle.now_ms() == pinned + 1_000
    handle.reset_time()
    assert abs(handle.now_ms() - time.time() * 1000) < 60_000


async def test_rest_and_database_tell_the_same_story(embedded: EngineHandle, tmp_path: Path) -> None:
    """The REST inspector of `connect` and the record log agree on an embedded engine's instances."""
    client = embedded.client()
    await client.deploy_resource(write(tmp_path, cooling_then_review()), write(tmp_path, unroutable()))
    assert embedded.rest_url is not None
    over_rest = EngineHandle.connect(embedded.address, embedded.rest_url)
    try:
        waiting = (await client.run_process("handle-demo", {"applicant": "li"})).process_instance_key
        failing = (await client.run_process("handle-unroutable", {"amount": 1})).process_instance_key
        await embedded.is_waiting_at(waiting, "Cooling")
        await embedded.has_incident(failing)
        over_rest.increase_time(timedelta(hours=3))  # through PUT /v2/clock
        await embedded.is_waiting_at(waiting, "Review")
        over_rest.increase_time(timedelta(hours=1))
        await embedded.has_passed(waiting, "Remind")
        for key in (waiting, failing):
            logged, searched = embedded.instance(key), over_rest.instance(key)
            assert (searched.state, searched.bpmn_process_id) == (logged.state, logged.bpmn_process_id)
            assert sorted(searched.waiting_at()) == sorted(logged.waiting_at())
            assert sorted(searched.passed) == sorted(logged.passed)
            assert searched.variables == logged.variables
            assert searched.incidents == logged.incidents
        task = await over_rest.user_task_at(waiting, "Review")
        assert task == await embedded.user_task_at(waiting, "Review")
        unknown = over_rest.instance(123)
        assert unknown.state == embedded.instance(123).state == "UNKNOWN"
    finally:
        await over_rest.aclose()


async def test_a_correlated_message_is_asserted_from_the_log(embedded: EngineHandle, tmp_path: Path) -> None:
    client = embedded.client()
    await client.deploy_resource(write(tmp_path, waits_for_message("handle-letter", "letter")))
    key = (await client.run_process("handle-letter", {"key": "c-7"})).process_instance_key
    await embedded.is_waiting_at(key, "wait")
    await client.publish_message("letter", "c-7", {"read": True})
    await embedded.has_correlated_message(key, "letter")
    await embedded.is_completed(key)


async def test_correlated_messages_are_not_searchable_over_minsheng_rest(
    connected: EngineHandle, tmp_path: Path
) -> None:
    client = connected.client()
    await client.deploy_resource(write(tmp_path, waits_for_message("handle-note", "note")))
    key = (await client.run_process("handle-note", {"key": "n-1"})).process_instance_key
    await client.publish_message("note", "n-1", time_to_live_in_milliseconds=60_000)
    await connected.is_completed(key)
    with pytest.raises(NotInspectable, match="correlated-message-subscriptions"):
        await connected.has_correlated_message(key, "note", timeout=1)


async def test_an_embedded_handle_without_rest_serves_none(sqlite_url: str) -> None:
    handle = EngineHandle.start_embedded(sqlite_url, rest=False)
    try:
        assert handle.rest_url is None
    finally:
        handle.stop()


async def test_a_connected_handle_has_no_in_process_engine(connected: EngineHandle) -> None:
    with pytest.raises(RuntimeError, match="only an embedded engine"):
        await connected.execute(lambda ctx: None)
