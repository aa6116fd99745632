"""Multi-instance activities: one body instance over an inner instance per item of a collection.

Zeebe's rules: the body evaluates `inputCollection` once; each inner instance gets `inputElement`
and `loopCounter` (1-based) as local variables; `outputElement` of each completed inner instance
is written into `outputCollection` (a local variable of the body, one slot per item) and the body
propagates it to its flow scope when it completes; `completionCondition` is checked after each
inner completion and, when true, ends the remaining inner instances. Boundary events belong to
the body.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.model.elements import ElementType, Expr, FlowNode
from engine.runtime.context import Context
from engine.runtime.entities import ElementInstance, Kind
from engine.runtime.expressions import EvaluationFailure, evaluate, evaluate_boolean, result_type
from engine.runtime.variables import local_variables, set_local, visible_variables


@dataclass(frozen=True, slots=True)
class Loop:
    sequential: bool
    input_collection: Expr
    input_element: str | None
    output_collection: str | None
    output_element: Expr | None
    completion_condition: Expr | None


def loop_of(element: FlowNode) -> Loop | None:
    spec = element.properties.get("multiInstance")
    if spec is None:
        return None
    return Loop(
        sequential=bool(spec["isSequential"]),
        input_collection=spec["inputCollection"],
        input_element=spec.get("inputElement"),
        output_collection=spec.get("outputCollection"),
        output_element=spec.get("outputElement"),
        completion_condition=spec.get("completionCondition"),
    )


def is_body(instance: ElementInstance) -> bool:
    return instance.element_type == ElementType.MULTI_INSTANCE_BODY


def is_inner(ctx: Context, instance: ElementInstance) -> bool:
    if instance.flow_scope_key is None:
        return False
    scope: ElementInstance | None = ctx.layer.get(Kind.ELEMENT, instance.flow_scope_key)
    return scope is not None and is_body(scope)


def evaluate_collection(ctx: Context, body: ElementInstance, loop: Loop) -> tuple[Any, ...]:
    assert body.flow_scope_key is not None
    value = evaluate(loop.input_collection, visible_variables(ctx, body.flow_scope_key))
    if not isinstance(value, list):
        raise EvaluationFailure(
            f"Expected result of the expression '{loop.input_collection.source.removeprefix('=')}' to be "
            f"'ARRAY', but was '{result_type(value)}'."
        )
    return tuple(value)


def start_output(ctx: Context, body: ElementInstance, loop: Loop, size: int) -> None:
    if loop.output_collection is not None:
        set_local(ctx, body.key, {loop.output_collection: [None] * size})


def inner_variables(loop: Loop, item: Any, index: int) -> dict[str, Any]:
    variables: dict[str, Any] = {"loopCounter": index + 1}
    if loop.input_element is not None:
        variables[loop.input_element] = item
    return variables


def collect_output(ctx: Context, body: ElementInstance, inner: ElementInstance, loop: Loop) -> None:
    """Write the completed inner instance's `outputElement` into the body's output collection."""
    if loop.output_collection is None:
        return
    counter = local_variables(ctx, inner.key).get("loopCounter")
    collected = list(local_variables(ctx, body.key).get(loop.output_collection) or [])
    if not isinstance(counter, int) or not 1 <= counter <= len(collected):
        return
    if loop.output_element is not None:
        collected[counter - 1] = evaluate(loop.output_element, visible_variables(ctx, inner.key))
    set_local(ctx, body.key, {loop.output_collection: collected})


def is_complete(ctx: Context, body: ElementInstance, loop: Loop, active: int) -> bool:
    """Whether the body is done: every item handled, or its completion condition holds."""
    size = len(body.collection or ())
    if body.completed >= size:
        return True
    if loop.completion_condition is None:
        return False
    counts = {
        "numberOfInstances": size,
        "numberOfActiveInstances": active,
        "numberOfCompletedInstances": body.completed,
        "numberOfTerminatedInstances": 0,
    }
    return evaluate_boolean(loop.completion_condition, {**visible_variables(ctx, body.key), **counts})


def finish_output(ctx: Context, body: ElementInstance, loop: Loop) -> dict[str, Any]:
    """What the body hands to its flow scope when it completes."""
    if loop.output_collection is None:
        return {}
    return {loop.output_collection: local_variables(ctx, body.key).get(loop.output_collection, [])}
