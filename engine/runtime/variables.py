"""Variable scopes with Zeebe's rules.

- Input mappings create local variables of the element instance; a later mapping sees earlier ones.
- A document merged into a scope (job completion, message correlation, SetVariables without
  `local`) propagates: each variable is set in the nearest scope, from the given one upwards, that
  already has it, else in the root scope (the process instance).
- When an element has output mappings, the document becomes local to the element instance and only
  the mappings' results are merged (propagating) into its flow scope.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from engine.model.elements import FlowNode, VariableMapping
from engine.runtime.context import Context
from engine.runtime.entities import ElementInstance, Kind, ScopeVariables, Variable
from engine.runtime.expressions import evaluate
from engine.runtime.records import ValueType


def scope_chain(ctx: Context, scope_key: int) -> list[int]:
    """The scope and its ancestors, innermost first."""
    chain = [scope_key]
    instance: ElementInstance | None = ctx.layer.get(Kind.ELEMENT, scope_key)
    while instance is not None and instance.flow_scope_key is not None:
        chain.append(instance.flow_scope_key)
        instance = ctx.layer.get(Kind.ELEMENT, instance.flow_scope_key)
    return chain


def local_variables(ctx: Context, scope_key: int) -> dict[str, Any]:
    scope: ScopeVariables | None = ctx.layer.get(Kind.VARIABLES, scope_key)
    if scope is None:
        return {}
    return {name: variable.value for name, variable in scope.variables.items()}


def visible_variables(ctx: Context, scope_key: int) -> dict[str, Any]:
    """Everything a scope sees: inner variables shadow outer ones."""
    visible: dict[str, Any] = {}
    for key in reversed(scope_chain(ctx, scope_key)):
        scope: ScopeVariables | None = ctx.layer.get(Kind.VARIABLES, key)
        if scope is not None:
            for name, variable in scope.variables.items():
                visible[name] = variable.value
    return visible


def set_local(ctx: Context, scope_key: int, document: Mapping[str, Any]) -> None:
    if not document:
        return
    scope: ScopeVariables | None = ctx.layer.get(Kind.VARIABLES, scope_key)
    if scope is None:
        process_instance_key = _process_instance_of(ctx, scope_key)
        scope = ScopeVariables(scope_key, process_instance_key, {})
    variables = dict(scope.variables)
    for name, value in document.items():
        existing = variables.get(name)
        if existing is not None and existing.value == value:
            continue
        if existing is None:
            variable = Variable(ctx.new_key(), value)
            intent = "CREATED"
        else:
            variable = Variable(existing.key, value)
            intent = "UPDATED"
        variables[name] = variable
        ctx.record(
            ValueType.VARIABLE,
            intent,
            variable.key,
            {"name": name, "value": value, "scopeKey": scope_key},
            scope.process_instance_key,
        )
    ctx.layer.put(Kind.VARIABLES, scope_key, replace(scope, variables=variables))


def propagate(ctx: Context, scope_key: int, document: Mapping[str, Any]) -> None:
    if not document:
        return
    chain = scope_chain(ctx, scope_key)
    scopes = [ctx.layer.get(Kind.VARIABLES, key) for key in chain]
    targets: dict[int, dict[str, Any]] = {}
    for name, value in document.items():
        target = chain[-1]
        for key, scope in zip(chain, scopes, strict=True):
            if scope is not None and name in scope.variables:
                target = key
                break
        targets.setdefault(target, {})[name] = value
    for target, part in targets.items():
        set_local(ctx, target, part)


def delete_scope(ctx: Context, scope_key: int) -> None:
    if ctx.layer.get(Kind.VARIABLES, scope_key) is not None:
        ctx.layer.delete(Kind.VARIABLES, scope_key)


def _process_instance_of(ctx: Context, scope_key: int) -> int:
    instance: ElementInstance | None = ctx.layer.get(Kind.ELEMENT, scope_key)
    return instance.process_instance_key if instance is not None else scope_key


def _assign(document: dict[str, Any], target: Sequence[str], value: Any, base: Mapping[str, Any]) -> None:
    """Write `value` at the path `target`, merging into the context already there (Zeebe's rule)."""
    root = target[0]
    if len(target) == 1:
        document[root] = value
        return
    existing = document[root] if root in document else base.get(root)
    node: dict[str, Any] = dict(existing) if isinstance(existing, dict) else {}
    document[root] = node
    for part in target[1:-1]:
        child = node.get(part)
        node[part] = dict(child) if isinstance(child, dict) else {}
        node = node[part]
    node[target[-1]] = value


def evaluate_mappings(mappings: Sequence[VariableMapping], variables: Mapping[str, Any]) -> dict[str, Any]:
    """The document the mappings produce; each mapping sees the results of the ones before it."""
    result: dict[str, Any] = {}
    for mapping in mappings:
        context = {**variables, **result} if result else variables
        _assign(result, mapping.target, evaluate(mapping.source, context), variables)
    return result


def apply_input_mappings(ctx: Context, instance: ElementInstance, element: FlowNode) -> None:
    if not element.inputs:
        return
    # Seen from the instance itself: an inner instance of a multi-instance activity already holds
    # its input element and loop counter, which its input mappings may read, as in Zeebe.
    variables = visible_variables(ctx, instance.key)
    set_local(ctx, instance.key, evaluate_mappings(element.inputs, variables))


def merge_completion(
    ctx: Context, instance: ElementInstance, element: FlowNode, document: Mapping[str, Any]
) -> None:
    """Merge what completes an element (job result, message, error) into the process instance."""
    if not element.outputs:
        propagate(ctx, instance.key, document)
        return
    set_local(ctx, instance.key, document)
    assert instance.flow_scope_key is not None
    result = evaluate_mappings(element.outputs, visible_variables(ctx, instance.key))
    propagate(ctx, instance.flow_scope_key, result)
