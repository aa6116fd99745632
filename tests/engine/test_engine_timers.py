"""Timer events with the engine's clock moved by the test: catch, boundary, start, event subprocess."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from diagrams import Diagram, activate, no_job
from pyzeebe import ZeebeClient, create_insecure_channel

from engine.testing.handle import EngineHandle


def timer(kind: str, value: str) -> str:
    return f"<bpmn:timerEventDefinition><bpmn:{kind}>{value}</bpmn:{kind}></bpmn:timerEventDefinition>"


def catch_timer(id: str, kind: str, value: str) -> str:
    return f'<bpmn:intermediateCatchEvent id="{id}">{timer(kind, value)}</bpmn:intermediateCatchEvent>'


def boundary_timer(id: str, host: str, kind: str, value: str, interrupting: bool = True) -> str:
    cancel = "true" if interrupting else "false"
    return (
        f'<bpmn:boundaryEvent id="{id}" attachedToRef="{host}" cancelActivity="{cancel}">'
        f"{timer(kind, value)}</bpmn:boundaryEvent>"
    )


async def test_an_intermediate_timer_waits_exactly_its_duration(
    engine: EngineHandle, client: ZeebeClient, deploy
) -> None:
    diagram = (
        Diagram("wait-two-days")
        .start()
        .raw(catch_timer("TwoDays", "timeDuration", "=duration(wait)"))
        .end()
        .chain("start", "TwoDays", "end")
    )
    await deploy(diagram.file())
    started = await client.run_process("wait-two-days", {"wait": "P2D"})
    key = started.process_instance_key
    await engine.is_waiting_at(key, "TwoDays")
    engine.increase_time(timedelta(days=2) - timedelta(seconds=5))
    await engine.wait_until_idle()
    assert engine.instance(key).waiting_at() == ["TwoDays"], "the timer must not fire before its time"
    engine.increase_time(timedelta(seconds=10))
    await engine.is_completed(key)


async def test_an_interrupting_boundary_timer_ends_the_task_and_its_job(
    engine: EngineHandle, client: ZeebeClient, deploy, gateway
) -> None:
    diagram = (
        Diagram("deadline")
        .start()
        .task("Handle", "handle")
        .raw(boundary_timer("Overdue", "Handle", "timeDuration", "P20D"))
        .end("done")
        .end("escalated")
        .chain("start", "Handle", "done")
        .flow("Overdue", "escalated")
    )
    await deploy(diagram.file())
    started = await client.run_process("deadline", {})
    key = started.process_instance_key
    await engine.is_waiting_at(key, "Handle")
    engine.increase_time(timedelta(days=21))
    view = await engine.has_passed(key, "escalated")
    assert "Handle" in view.terminated
    await engine.is_completed(key)
    await no_job(gateway, "handle", "the task's job must be gone once the deadline interrupted it")


async def test_a_non_interrupting_cycle_reminds_three_times_then_stops(
    engine: EngineHandle, client: ZeebeClient, deploy, gateway
) -> None:
    diagram = (
        Diagram("reminders")
        .start()
        .task("Handle", "handle-slowly")
        .raw(boundary_timer("Remind", "Handle", "timeCycle", "R3/PT1H", interrupting=False))
        .task("SendReminder", "remind")
        .end("done")
        .end("reminded")
        .chain("start", "Handle", "done")
        .chain("Remind", "SendReminder", "reminded")
    )
    await deploy(diagram.file())
    started = await client.run_process("reminders", {})
    key = started.process_instance_key
    await engine.is_waiting_at(key, "Handle")
    for _ in range(5):
        engine.increase_time(timedelta(hours=1, seconds=1))
        await engine.wait_until_idle()
    assert engine.instance(key).passed.count("Remind") == 3
    reminders = await activate(gateway, "remind", max_jobs=10)
    assert len(reminders) == 3, f"R3 must remind exactly three times, got {len(reminders)}"
    await engine.is_waiting_at(key, "Handle")


async def test_a_timer_that_came_due_while_the_engine_was_down_fires_once_after_restart(
    sqlite_url: str, tmp_path: Path
) -> None:
    first = EngineHandle.start_embedded(sqlite_url)
    try:
        channel = create_insecure_channel(first.address)
        client = ZeebeClient(channel)
        diagram = (
            Diagram("downtime")
            .start()
            .raw(catch_timer("Wait", "timeDuration", "PT1H"))
            .end()
            .chain("start", "Wait", "end")
        )
        path = tmp_path / "downtime.bpmn"
        path.write_text(diagram.xml())
        await client.deploy_resource(str(path))
        started = await client.run_process("downtime", {})
        await first.is_waiting_at(started.process_instance_key, "Wait")
        await channel.close()
    finally:
        first.stop()
    second = EngineHandle.start_embedded(sqlite_url)
    try:
        second.increase_time(timedelta(hours=5))
        await second.wait_until_idle()
        view = await second.is_completed(started.process_instance_key)
        assert view.passed.count("Wait") == 1
    finally:
        second.stop()


async def test_a_cycle_keeps_its_count_across_a_restart(sqlite_url: str, tmp_path: Path) -> None:
    diagram = (
        Diagram("daily-reminder")
        .start()
        .task("Handle", "handle-appeal")
        .raw(boundary_timer("Daily", "Handle", "timeCycle", "R3/P1D", interrupting=False))
        .task("Remind", "remind-unit")
        .end("done")
        .end("reminded")
        .chain("start", "Handle", "done")
        .chain("Daily", "Remind", "reminded")
    )
    path = tmp_path / "daily-reminder.bpmn"
    path.write_text(diagram.xml())
    first = EngineHandle.start_embedded(sqlite_url)
    try:
        channel = create_insecure_channel(first.address)
        client = ZeebeClient(channel)
        await client.deploy_resource(str(path))
        started = await client.run_process("daily-reminder", {})
        key = started.process_instance_key
        first.increase_time(timedelta(days=1, seconds=1))
        await first.wait_until_idle()
        assert first.instance(key).passed.count("Daily") == 1
        await channel.close()
    finally:
        first.stop()
    second = EngineHandle.start_embedded(sqlite_url)
    try:
        # the restarted engine's clock starts at wall time again: move it past the remaining firings
        for _ in range(4):
            second.increase_time(timedelta(days=1, seconds=1))
            await second.wait_until_idle()
        assert second.instance(key).passed.count("Daily") == 3, "R3 fires three times in all, restart or not"
    finally:
        second.stop()
