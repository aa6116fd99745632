"""Element instance lifecycle: activate, complete, terminate, take sequence flows, throw errors.

Each element instance goes ACTIVATING → ACTIVATED → COMPLETING → COMPLETED, or to TERMINATED from
any of them; every transition is a record. A step that fails on data (an expression, a mapping)
raises an incident and leaves the instance where it was; resolving the incident repeats that step.
Follow-up work goes on the context's agenda, so a long chain of elements never recurses.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from engine.model.elements import JOB_ELEMENT_TYPES, ElementType, EventType, FlowNode, Process, SequenceFlow
from engine.runtime import jobs, user_tasks
from engine.runtime.context import Context
from engine.runtime.entities import (
    ElementInstance,
    ElementState,
    Kind,
    Message,
    MessageSubscription,
    ProcessDefinition,
)
from engine.runtime.expressions import (
    EvaluationFailure,
    evaluate,
    evaluate_boolean,
    evaluate_correlation_key,
    evaluate_integer,
    evaluate_string,
)
from engine.runtime.incidents import ErrorType, clear_incidents_of, raise_incident
from engine.runtime.records import ValueType
from engine.runtime.subscriptions import (
    buffered_message_for,
    close_subscriptions,
    message_value,
    open_subscription,
)
from engine.runtime.variables import (
    apply_input_mappings,
    delete_scope,
    merge_completion,
    set_local,
    visible_variables,
)

# Elements that do nothing of their own: they complete as soon as they are activated.
_PASS_THROUGH = frozenset(
    {
        ElementType.START_EVENT,
        ElementType.END_EVENT,
        ElementType.INTERMEDIATE_THROW_EVENT,
        ElementType.TASK,
        ElementType.MANUAL_TASK,
        ElementType.EXCLUSIVE_GATEWAY,
        ElementType.PARALLEL_GATEWAY,
        ElementType.BOUNDARY_EVENT,
    }
)


def instance_value(instance: ElementInstance) -> dict[str, Any]:
    return {
        "bpmnProcessId": instance.bpmn_process_id,
        "version": instance.version,
        "processDefinitionKey": instance.process_definition_key,
        "processInstanceKey": instance.process_instance_key,
        "elementId": instance.element_id,
        "bpmnElementType": instance.element_type,
        "flowScopeKey": instance.flow_scope_key if instance.flow_scope_key is not None else -1,
    }


def _record(ctx: Context, instance: ElementInstance, intent: str) -> None:
    ctx.record(
        ValueType.PROCESS_INSTANCE,
        intent,
        instance.key,
        instance_value(instance),
        instance.process_instance_key,
    )


def _transition(ctx: Context, instance: ElementInstance, state: ElementState, intent: str) -> ElementInstance:
    instance = replace(instance, state=state)
    ctx.layer.put(Kind.ELEMENT, instance.key, instance)
    _record(ctx, instance, intent)
    return instance


def _model(ctx: Context, instance: ElementInstance) -> Process:
    return ctx.models.get(instance.process_definition_key)


# ---------------------------------------------------------------------------------------------- create


def create_process_instance(
    ctx: Context, definition: ProcessDefinition, variables: dict[str, Any]
) -> ElementInstance:
    model = ctx.models.get(definition.key)
    key = ctx.new_key()
    instance = ElementInstance(
        key=key,
        process_instance_key=key,
        process_definition_key=definition.key,
        bpmn_process_id=definition.bpmn_process_id,
        version=definition.version,
        element_id=model.id,
        element_type=ElementType.PROCESS,
        flow_scope_key=None,
        state=ElementState.ACTIVATING,
        started_at=ctx.now,
    )
    ctx.record(
        ValueType.PROCESS_INSTANCE_CREATION,
        "CREATED",
        key,
        {
            "bpmnProcessId": definition.bpmn_process_id,
            "version": definition.version,
            "processDefinitionKey": definition.key,
            "processInstanceKey": key,
        },
        key,
    )
    set_local(ctx, key, variables)
    instance = _transition(ctx, instance, ElementState.ACTIVATING, "ELEMENT_ACTIVATING")
    ctx.later(lambda: _activate_step(ctx, key))
    return instance


def _create_child(
    ctx: Context, scope: ElementInstance, element: FlowNode, entered_by: str | None
) -> ElementInstance:
    instance = ElementInstance(
        key=ctx.new_key(),
        process_instance_key=scope.process_instance_key,
        process_definition_key=scope.process_definition_key,
        bpmn_process_id=scope.bpmn_process_id,
        version=scope.version,
        element_id=element.id,
        element_type=element.type,
        flow_scope_key=scope.key,
        state=ElementState.ACTIVATING,
        started_at=ctx.now,
        entered_by=entered_by,
    )
    return _transition(ctx, instance, ElementState.ACTIVATING, "ELEMENT_ACTIVATING")


def _activate_child(
    ctx: Context, scope: ElementInstance, element: FlowNode, entered_by: str | None = None
) -> ElementInstance:
    instance = _create_child(ctx, scope, element, entered_by)
    ctx.later(lambda: _activate_step(ctx, instance.key))
    return instance


# -------------------------------------------------------------------------------------------- activate


def _activate_step(ctx: Context, key: int) -> None:
    instance: ElementInstance | None = ctx.layer.get(Kind.ELEMENT, key)
    if instance is None or instance.state is not ElementState.ACTIVATING:
        return  # terminated before its turn came
    activate(ctx, instance)


def activate(ctx: Context, instance: ElementInstance) -> None:
    """Run the activation of an ACTIVATING instance; also how an activation incident is retried."""
    model = _model(ctx, instance)
    element = model.elements.get(instance.element_id)
    try:
        if element is not None:
            apply_input_mappings(ctx, instance, element)
        prepared = _prepare(ctx, instance, element)
    except EvaluationFailure as failure:
        raise_incident(ctx, instance, ErrorType.EXTRACT_VALUE_ERROR, str(failure))
        return
    if (
        element is not None
        and element.type is ElementType.END_EVENT
        and element.event_type is EventType.ERROR
    ):
        # The catching boundary event terminates this instance with its scope; uncaught, it stays
        # ACTIVATING under an incident, and resolving the incident throws again.
        code = element.error_code or ""
        if not throw_error(ctx, instance, code, "", {}):
            raise_incident(ctx, instance, ErrorType.UNHANDLED_ERROR_EVENT, uncaught_error_message(code, ""))
        return
    instance = _transition(ctx, instance, ElementState.ACTIVATED, "ELEMENT_ACTIVATED")
    if element is None:  # the process itself; creation checked that it has a none start event
        assert model.start_event is not None
        _activate_child(ctx, instance, model.element(model.start_event))
        return
    _open_boundary_subscriptions(ctx, instance, prepared.boundary_messages)
    if prepared.job is not None:
        job_type, retries, headers = prepared.job
        job = jobs.create(ctx, instance, job_type, retries, headers)
        ctx.layer.put(Kind.ELEMENT, instance.key, replace(instance, job_key=job.key))
    elif prepared.message is not None:
        name, correlation_key = prepared.message
        subscription = open_subscription(ctx, instance, element.id, name, correlation_key, True)
        message = buffered_message_for(ctx, subscription)
        if message is not None:
            correlate(ctx, subscription.key, message)
    elif prepared.user_task is not None:
        user_tasks.create(ctx, instance, prepared.user_task, dict(element.job.headers) if element.job else {})
    elif prepared.script_result is not None:
        document = prepared.script_result
        ctx.later(lambda: complete_step(ctx, instance.key, document))
    elif element.type is ElementType.END_EVENT and element.event_type is EventType.TERMINATE:
        _terminate_end(ctx, instance)
    elif element.type in _PASS_THROUGH:
        ctx.later(lambda: complete_step(ctx, instance.key))


class _Prepared:
    """What an element needs evaluated before it may be ACTIVATED (a failure raises an incident)."""

    __slots__ = ("boundary_messages", "job", "message", "script_result", "user_task")

    def __init__(self) -> None:
        self.job: tuple[str, int, dict[str, str]] | None = None
        self.script_result: dict[str, Any] | None = None
        self.user_task: user_tasks.Assignment | None = None
        self.message: tuple[str, str] | None = None
        self.boundary_messages: list[tuple[FlowNode, str, str]] = []


def _prepare(ctx: Context, instance: ElementInstance, element: FlowNode | None) -> _Prepared:
    prepared = _Prepared()
    if element is None:
        return prepared
    script = element.properties.get("script")
    is_user_task = element.type is ElementType.USER_TASK
    needs_variables = element.job or element.message or element.boundary_events or script or is_user_task
    variables = visible_variables(ctx, instance.key) if needs_variables else {}
    if script is not None:
        prepared.script_result = {script["resultVariable"]: evaluate(script["expression"], variables)}
    if is_user_task:
        assignment = user_tasks.Assignment(ctx, element, variables)
        if element.properties.get("userTask"):
            prepared.user_task = assignment
        else:
            prepared.job = (user_tasks.JOB_WORKER_USER_TASK, 1, assignment.job_headers())
    if element.job is not None and element.type in JOB_ELEMENT_TYPES:
        job_type = evaluate_string(element.job.type, variables)
        retries = evaluate_integer(element.job.retries, variables)
        prepared.job = (job_type, retries, dict(element.job.headers))
    if element.message is not None and element.type in (
        ElementType.RECEIVE_TASK,
        ElementType.INTERMEDIATE_CATCH_EVENT,
    ):
        prepared.message = _subscription_target(element, variables)
    model = _model(ctx, instance)
    for boundary_id in element.boundary_events:
        boundary = model.element(boundary_id)
        if boundary.event_type is EventType.MESSAGE and boundary.message is not None:
            name, correlation_key = _subscription_target(boundary, variables)
            prepared.boundary_messages.append((boundary, name, correlation_key))
    return prepared


def _subscription_target(element: FlowNode, variables: dict[str, Any]) -> tuple[str, str]:
    assert element.message is not None
    name = evaluate_string(element.message.name, variables)
    if element.message.correlation_key is None:
        raise EvaluationFailure(f"Expected a correlation key for the message '{name}', but none is defined.")
    return name, evaluate_correlation_key(element.message.correlation_key, variables)


def _open_boundary_subscriptions(
    ctx: Context, host: ElementInstance, boundaries: list[tuple[FlowNode, str, str]]
) -> None:
    for boundary, name, correlation_key in boundaries:
        subscription = open_subscription(ctx, host, boundary.id, name, correlation_key, boundary.interrupting)
        message = buffered_message_for(ctx, subscription)
        if message is not None:
            correlate(ctx, subscription.key, message)


# -------------------------------------------------------------------------------------------- complete


def complete_step(ctx: Context, key: int, document: dict[str, Any] | None = None) -> None:
    instance: ElementInstance | None = ctx.layer.get(Kind.ELEMENT, key)
    if instance is None or instance.state is not ElementState.ACTIVATED:
        return
    instance = _transition(ctx, instance, ElementState.COMPLETING, "ELEMENT_COMPLETING")
    complete(ctx, instance, document)


def complete(ctx: Context, instance: ElementInstance, document: dict[str, Any] | None = None) -> None:
    """Run the completion of a COMPLETING instance; also how a completion incident is retried."""
    model = _model(ctx, instance)
    element = model.elements.get(instance.element_id)
    flows: list[SequenceFlow] = []
    if element is not None:
        try:
            if document or element.outputs:
                merge_completion(ctx, instance, element, document or {})
        except EvaluationFailure as failure:
            raise_incident(ctx, instance, ErrorType.IO_MAPPING_ERROR, str(failure))
            return
        try:
            flows = _outgoing(ctx, instance, element, model)
        except EvaluationFailure as failure:
            raise_incident(ctx, instance, ErrorType.CONDITION_ERROR, str(failure))
            return
    close_subscriptions(ctx, instance.key)
    _record(ctx, instance, "ELEMENT_COMPLETED")
    root_variables = visible_variables(ctx, instance.key) if instance.flow_scope_key is None else {}
    _remove(ctx, instance)
    if instance.flow_scope_key is None:
        ctx.effects.ended_instances[instance.key] = (True, root_variables)
        return
    scope: ElementInstance = ctx.layer.get(Kind.ELEMENT, instance.flow_scope_key)
    for flow in flows:
        scope = _take_flow(ctx, scope, flow, model)
    _complete_scope_if_done(ctx, scope)


def _outgoing(
    ctx: Context, instance: ElementInstance, element: FlowNode, model: Process
) -> list[SequenceFlow]:
    flows = [model.flow(flow_id) for flow_id in element.outgoing]
    if element.type is not ElementType.EXCLUSIVE_GATEWAY or not flows:
        return flows
    if len(flows) == 1 and flows[0].condition is None:
        return flows
    variables = visible_variables(ctx, instance.key)
    for flow in flows:
        if flow.id == element.default_flow or flow.condition is None:
            continue
        if evaluate_boolean(flow.condition, variables):
            return [flow]
    if element.default_flow is not None:
        return [model.flow(element.default_flow)]
    raise EvaluationFailure("Expected at least one condition to evaluate to true, or to have a default flow")


def _take_flow(ctx: Context, scope: ElementInstance, flow: SequenceFlow, model: Process) -> ElementInstance:
    """Take `flow` in `scope`; returns the scope as it now is (a parallel join may have changed it)."""
    flow_key = ctx.new_key()
    ctx.record(
        ValueType.PROCESS_INSTANCE,
        "SEQUENCE_FLOW_TAKEN",
        flow_key,
        {
            **instance_value(scope),
            "elementId": flow.id,
            "bpmnElementType": ElementType.SEQUENCE_FLOW,
            "flowScopeKey": scope.key,
        },
        scope.process_instance_key,
    )
    target = model.element(flow.target)
    if target.type is ElementType.PARALLEL_GATEWAY and len(target.incoming) > 1:
        return _arrive_at_join(ctx, scope, target, flow)
    _activate_child(ctx, scope, target, flow.id)
    return scope


def _arrive_at_join(
    ctx: Context, scope: ElementInstance, gateway: FlowNode, flow: SequenceFlow
) -> ElementInstance:
    joins = {gateway_id: dict(tokens) for gateway_id, tokens in scope.joins}
    tokens = joins.setdefault(gateway.id, {})
    tokens[flow.id] = tokens.get(flow.id, 0) + 1
    if all(tokens.get(incoming, 0) > 0 for incoming in gateway.incoming):
        for incoming in gateway.incoming:
            tokens[incoming] -= 1
        _activate_child(ctx, scope, gateway, flow.id)
    frozen = tuple(
        (gateway_id, tuple((flow_id, count) for flow_id, count in counts.items() if count > 0))
        for gateway_id, counts in joins.items()
        if any(count > 0 for count in counts.values())
    )
    scope = replace(scope, joins=frozen)
    ctx.layer.put(Kind.ELEMENT, scope.key, scope)
    return scope


def _complete_scope_if_done(ctx: Context, scope: ElementInstance) -> None:
    """A scope completes when nothing is left in it: no active child, no token waiting at a join."""
    if scope.state is not ElementState.ACTIVATED or scope.joins:
        return
    if ctx.layer.find(Kind.ELEMENT, "flow_scope", scope.key):
        return
    complete_step(ctx, scope.key)


def _remove(ctx: Context, instance: ElementInstance) -> None:
    ctx.layer.delete(Kind.ELEMENT, instance.key)
    delete_scope(ctx, instance.key)


# ------------------------------------------------------------------------------------------- terminate


def terminate(ctx: Context, instance: ElementInstance) -> None:
    """Terminate an instance and everything inside it, innermost first."""
    instance = _transition(ctx, instance, ElementState.TERMINATING, "ELEMENT_TERMINATING")
    for child in ctx.layer.find(Kind.ELEMENT, "flow_scope", instance.key):
        terminate(ctx, child)
    if instance.job_key is not None:
        jobs.cancel(ctx, instance.job_key)
    user_tasks.cancel_of(ctx, instance.key)
    close_subscriptions(ctx, instance.key)
    clear_incidents_of(ctx, instance.key)
    _record(ctx, instance, "ELEMENT_TERMINATED")
    _remove(ctx, instance)
    if instance.flow_scope_key is None:
        ctx.effects.ended_instances[instance.key] = (False, {})


def _terminate_end(ctx: Context, end: ElementInstance) -> None:
    """A terminate end event ends every other branch of its scope, then completes the scope."""
    assert end.flow_scope_key is not None
    for sibling in ctx.layer.find(Kind.ELEMENT, "flow_scope", end.flow_scope_key):
        if sibling.key != end.key:
            terminate(ctx, sibling)
    scope: ElementInstance = ctx.layer.get(Kind.ELEMENT, end.flow_scope_key)
    if scope.joins:
        scope = replace(scope, joins=())
        ctx.layer.put(Kind.ELEMENT, scope.key, scope)
    ctx.later(lambda: complete_step(ctx, end.key))


# -------------------------------------------------------------------------------------------- messages


def correlate(ctx: Context, subscription_key: int, message: Message) -> Message:
    """Hand `message` to a subscription; returns the message marked as correlated to that process."""
    subscription: MessageSubscription = ctx.layer.get(Kind.SUBSCRIPTION, subscription_key)
    message = replace(
        message, correlated_processes=message.correlated_processes | {subscription.bpmn_process_id}
    )
    if ctx.layer.get(Kind.MESSAGE, message.key) is not None:
        ctx.layer.put(Kind.MESSAGE, message.key, message)
    ctx.record(
        ValueType.MESSAGE_SUBSCRIPTION,
        "CORRELATED",
        subscription.key,
        {**message_value(message), "messageKey": message.key, "elementId": subscription.element_id},
        subscription.process_instance_key,
    )
    waiting: ElementInstance = ctx.layer.get(Kind.ELEMENT, subscription.element_instance_key)
    if waiting.element_id == subscription.element_id:
        ctx.later(lambda: complete_step(ctx, waiting.key, message.variables))
        close_subscriptions(ctx, waiting.key)
        return message
    boundary = _model(ctx, waiting).element(subscription.element_id)
    _trigger_boundary(ctx, waiting, boundary, message.variables)
    return message


def _trigger_boundary(
    ctx: Context, host: ElementInstance, boundary: FlowNode, document: dict[str, Any]
) -> None:
    assert host.flow_scope_key is not None
    scope: ElementInstance = ctx.layer.get(Kind.ELEMENT, host.flow_scope_key)
    if boundary.interrupting:
        terminate(ctx, host)
    instance = _create_child(ctx, scope, boundary, None)
    instance = _transition(ctx, instance, ElementState.ACTIVATED, "ELEMENT_ACTIVATED")
    ctx.later(lambda: complete_step(ctx, instance.key, document))


# ---------------------------------------------------------------------------------------------- errors


def uncaught_error_message(code: str, message: str) -> str:
    return (
        f"Expected to throw an error event with the code '{code}' with message '{message}', but it was "
        "not caught. No error events are available in the scope."
    )


def throw_error(
    ctx: Context, source: ElementInstance, code: str, message: str, document: dict[str, Any]
) -> bool:
    """Throw an error from `source`: the nearest matching error boundary event catches it.

    Returns False, changing nothing, when no boundary event catches the error.
    """
    model = _model(ctx, source)
    current: ElementInstance | None = source
    while current is not None and current.flow_scope_key is not None:
        element = model.element(current.element_id)
        catcher = _error_catcher(model, element, code)
        if catcher is not None:
            ctx.record(
                ValueType.ERROR,
                "CREATED",
                ctx.new_key(),
                {"errorCode": code, "errorMessage": message, "catchElementId": catcher.id},
                source.process_instance_key,
            )
            _trigger_boundary(ctx, current, catcher, document)
            return True
        current = ctx.layer.get(Kind.ELEMENT, current.flow_scope_key)
    return False


def _error_catcher(model: Process, element: FlowNode, code: str) -> FlowNode | None:
    """The error boundary event of `element` for `code`: an exact code wins over a catch-all."""
    catch_all = None
    for boundary_id in element.boundary_events:
        boundary = model.element(boundary_id)
        if boundary.event_type is not EventType.ERROR:
            continue
        if boundary.error_code == code:
            return boundary
        if boundary.error_code is None and catch_all is None:
            catch_all = boundary
    return catch_all
