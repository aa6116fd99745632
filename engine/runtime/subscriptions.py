"""Message subscriptions opened by waiting elements, and the buffered messages they may meet."""

from __future__ import annotations

from typing import Any

from engine.model.elements import FlowNode
from engine.runtime.context import Context
from engine.runtime.entities import ElementInstance, Kind, Message, MessageSubscription, ProcessDefinition
from engine.runtime.records import ValueType


def subscription_value(subscription: MessageSubscription) -> dict[str, Any]:
    return {
        "messageName": subscription.message_name,
        "correlationKey": subscription.correlation_key,
        "processInstanceKey": subscription.process_instance_key,
        "elementInstanceKey": subscription.element_instance_key,
        "elementId": subscription.element_id,
        "bpmnProcessId": subscription.bpmn_process_id,
        "interrupting": subscription.interrupting,
    }


def message_value(message: Message) -> dict[str, Any]:
    return {
        "name": message.name,
        "correlationKey": message.correlation_key,
        "messageId": message.message_id,
        "timeToLive": message.expires_at - message.published_at,
        "deadline": message.expires_at,
        "variables": message.variables,
    }


def open_subscription(
    ctx: Context,
    waiting: ElementInstance,
    element_id: str,
    message_name: str,
    correlation_key: str,
    interrupting: bool,
) -> MessageSubscription:
    subscription = MessageSubscription(
        key=ctx.new_key(),
        message_name=message_name,
        correlation_key=correlation_key,
        process_instance_key=waiting.process_instance_key,
        bpmn_process_id=waiting.bpmn_process_id,
        element_instance_key=waiting.key,
        element_id=element_id,
        interrupting=interrupting,
    )
    ctx.layer.put(Kind.SUBSCRIPTION, subscription.key, subscription)
    ctx.record(
        ValueType.MESSAGE_SUBSCRIPTION,
        "CREATED",
        subscription.key,
        subscription_value(subscription),
        subscription.process_instance_key,
    )
    return subscription


def open_start_subscription(ctx: Context, event: FlowNode, name: str, definition: ProcessDefinition) -> None:
    subscription = MessageSubscription(
        key=ctx.new_key(),
        message_name=name,
        correlation_key="",
        process_instance_key=-1,
        bpmn_process_id=definition.bpmn_process_id,
        element_instance_key=-1,
        element_id=event.id,
        process_definition_key=definition.key,
    )
    ctx.layer.put(Kind.SUBSCRIPTION, subscription.key, subscription)
    ctx.record(
        ValueType.MESSAGE_SUBSCRIPTION,
        "START_EVENT_CREATED",
        subscription.key,
        subscription_value(subscription),
    )


def _delete(ctx: Context, subscriptions: list[MessageSubscription]) -> None:
    for subscription in subscriptions:
        ctx.layer.delete(Kind.SUBSCRIPTION, subscription.key)
        instance_key = subscription.process_instance_key if subscription.process_instance_key >= 0 else None
        ctx.record(
            ValueType.MESSAGE_SUBSCRIPTION,
            "DELETED",
            subscription.key,
            subscription_value(subscription),
            instance_key,
        )


def close_subscriptions(ctx: Context, element_instance_key: int) -> None:
    _delete(ctx, ctx.layer.find(Kind.SUBSCRIPTION, "element_instance", element_instance_key))


def close_start_subscriptions(ctx: Context, definition: ProcessDefinition) -> None:
    _delete(ctx, ctx.layer.find(Kind.SUBSCRIPTION, "start_of", definition.key))


def buffered_message_for(ctx: Context, subscription: MessageSubscription) -> Message | None:
    """The oldest live buffered message this subscription may take, if any."""
    candidates: list[Message] = ctx.layer.find(
        Kind.MESSAGE, "correlation", (subscription.message_name, subscription.correlation_key)
    )
    live = [
        message
        for message in candidates
        if message.expires_at > ctx.now and subscription.bpmn_process_id not in message.correlated_processes
    ]
    return min(live, key=lambda message: message.key) if live else None
