"""Timer events: scheduling them from their definitions, cancelling them, and finding the due ones.

A timer's due time is fixed when it is scheduled (Zeebe cannot move a scheduled timer either); the
engine's due-work loop fires it once the clock has reached it, however late that is, and a cycle
then schedules its next occurrence strictly after the time it fired.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from engine.model.elements import Expr, FlowNode, TimerDefinition
from engine.runtime import schedule
from engine.runtime.context import Context
from engine.runtime.entities import Kind, Timer
from engine.runtime.expressions import EvaluationFailure, evaluate, result_type
from engine.runtime.records import ValueType


def timer_value(timer: Timer) -> dict[str, Any]:
    return {
        "elementId": timer.element_id,
        "elementInstanceKey": timer.element_instance_key,
        "processInstanceKey": timer.process_instance_key,
        "processDefinitionKey": timer.process_definition_key,
        "bpmnProcessId": timer.bpmn_process_id,
        "dueDate": timer.due_at,
        "repetitions": timer.repetitions,
    }


def _text(expr: Expr, variables: Mapping[str, Any], what: str) -> str:
    value = evaluate(expr, variables)
    if not isinstance(value, str):
        raise EvaluationFailure(
            f"Expected the {what} of the timer to be a STRING, but was '{result_type(value)}'."
        )
    return value


class Plan:
    """When a timer definition first fires, and how it repeats."""

    def __init__(self, definition: TimerDefinition, variables: Mapping[str, Any], now: int) -> None:
        self.cycle: str | None = None
        self.repetitions = 1
        try:
            if definition.time_date is not None:
                self.due_at = schedule.due_at_date(_text(definition.time_date, variables, "timeDate"))
            elif definition.time_duration is not None:
                text = _text(definition.time_duration, variables, "timeDuration")
                self.due_at = schedule.due_after_duration(text, now)
            else:
                assert definition.time_cycle is not None
                self.cycle = _text(definition.time_cycle, variables, "timeCycle")
                cycle = schedule.parse_cycle(self.cycle)
                self.repetitions = cycle.repetitions
                self.due_at = cycle.first_due(now)
        except schedule.TimerFormatError as error:
            raise EvaluationFailure(str(error)) from None


def plan(element: FlowNode, variables: Mapping[str, Any], now: int) -> Plan:
    assert element.timer is not None
    return Plan(element.timer, variables, now)


def schedule_timer(
    ctx: Context,
    element: FlowNode,
    timer_plan: Plan,
    *,
    process_definition_key: int,
    bpmn_process_id: str,
    element_instance_key: int = -1,
    process_instance_key: int = -1,
) -> Timer:
    timer = Timer(
        key=ctx.new_key(),
        element_id=element.id,
        process_definition_key=process_definition_key,
        bpmn_process_id=bpmn_process_id,
        due_at=timer_plan.due_at,
        element_instance_key=element_instance_key,
        process_instance_key=process_instance_key,
        repetitions=timer_plan.repetitions,
        cycle=timer_plan.cycle,
        interrupting=element.interrupting,
    )
    _store(ctx, timer, "CREATED")
    return timer


def _record(ctx: Context, timer: Timer, intent: str) -> None:
    instance_key = timer.process_instance_key if timer.process_instance_key >= 0 else None
    ctx.record(ValueType.TIMER, intent, timer.key, timer_value(timer), instance_key)


def _store(ctx: Context, timer: Timer, intent: str) -> None:
    ctx.layer.put(Kind.TIMER, timer.key, timer)
    _record(ctx, timer, intent)
    ctx.effects.due_at.add(timer.due_at)


def remove(ctx: Context, timer: Timer, intent: str) -> None:
    ctx.layer.delete(Kind.TIMER, timer.key)
    _record(ctx, timer, intent)


def cancel_of(ctx: Context, element_instance_key: int) -> None:
    for timer in ctx.layer.find(Kind.TIMER, "element_instance", element_instance_key):
        remove(ctx, timer, "CANCELED")


def cancel_start_timers(ctx: Context, process_definition_key: int) -> None:
    for timer in ctx.layer.find(Kind.TIMER, "process_definition", process_definition_key):
        remove(ctx, timer, "CANCELED")


def due(ctx: Context) -> list[Timer]:
    """Timers whose time has come, earliest first."""
    return sorted(
        (timer for timer in ctx.layer.find(Kind.TIMER, "all", True) if timer.due_at <= ctx.now),
        key=lambda timer: (timer.due_at, timer.key),
    )


def next_occurrence(ctx: Context, timer: Timer) -> Timer | None:
    """The same timer's next firing, if its cycle has one left: strictly after now."""
    # Zeebe repeats while the count is -1 (forever) or above 1, so R0 fires once like R1.
    if timer.cycle is None or 0 <= timer.repetitions <= 1:
        return None
    due_at = schedule.parse_cycle(timer.cycle).next_due(timer.due_at, ctx.now)
    if due_at is None:
        return None
    repetitions = timer.repetitions - 1 if timer.repetitions > 0 else -1
    return replace(timer, key=ctx.new_key(), due_at=due_at, repetitions=repetitions)


def reschedule(ctx: Context, timer: Timer) -> None:
    _store(ctx, timer, "CREATED")
