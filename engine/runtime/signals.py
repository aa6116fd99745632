"""Signal subscriptions: what waits for a broadcast signal, opened and closed with its element."""

from __future__ import annotations

from typing import Any

from engine.model.elements import FlowNode
from engine.runtime.context import Context
from engine.runtime.entities import ElementInstance, Kind, ProcessDefinition, SignalSubscription
from engine.runtime.records import ValueType


def _value(subscription: SignalSubscription) -> dict[str, Any]:
    return {
        "signalName": subscription.signal_name,
        "elementId": subscription.element_id,
        "bpmnProcessId": subscription.bpmn_process_id,
        "processDefinitionKey": subscription.process_definition_key,
        "elementInstanceKey": subscription.element_instance_key,
        "processInstanceKey": subscription.process_instance_key,
    }


def _record(ctx: Context, subscription: SignalSubscription, intent: str) -> None:
    instance_key = subscription.process_instance_key if subscription.process_instance_key >= 0 else None
    ctx.record(ValueType.SIGNAL, intent, subscription.key, _value(subscription), instance_key)


def subscribe(
    ctx: Context,
    event: FlowNode,
    name: str,
    definition_key: int,
    bpmn_process_id: str,
    waiting: ElementInstance | None = None,
) -> None:
    subscription = SignalSubscription(
        key=ctx.new_key(),
        signal_name=name,
        element_id=event.id,
        bpmn_process_id=bpmn_process_id,
        process_definition_key=definition_key,
        element_instance_key=waiting.key if waiting is not None else -1,
        process_instance_key=waiting.process_instance_key if waiting is not None else -1,
        interrupting=event.interrupting,
    )
    ctx.layer.put(Kind.SIGNAL_SUBSCRIPTION, subscription.key, subscription)
    _record(ctx, subscription, "SUBSCRIPTION_CREATED")


def _remove(ctx: Context, subscriptions: list[SignalSubscription]) -> None:
    for subscription in subscriptions:
        ctx.layer.delete(Kind.SIGNAL_SUBSCRIPTION, subscription.key)
        _record(ctx, subscription, "SUBSCRIPTION_DELETED")


def cancel_of(ctx: Context, element_instance_key: int) -> None:
    _remove(ctx, ctx.layer.find(Kind.SIGNAL_SUBSCRIPTION, "element_instance", element_instance_key))


def cancel_start_events(ctx: Context, definition: ProcessDefinition) -> None:
    _remove(ctx, ctx.layer.find(Kind.SIGNAL_SUBSCRIPTION, "process_definition", definition.key))


def waiting_for(ctx: Context, name: str) -> list[SignalSubscription]:
    found: list[SignalSubscription] = ctx.layer.find(Kind.SIGNAL_SUBSCRIPTION, "signal_name", name)
    return sorted(found, key=lambda subscription: subscription.key)
