"""Element instance lifecycle: activate, complete, terminate, take sequence flows, throw errors.

Each element instance goes ACTIVATING → ACTIVATED → COMPLETING → COMPLETED, or to TERMINATED from
any of them; every transition is a record. A step that fails on data (an expression, a mapping)
raises an incident and leaves the instance where it was; resolving the incident repeats that step.
Follow-up work goes on the context's agenda, so a long chain of elements never recurses.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from engine.model.elements import (
    JOB_ELEMENT_TYPES,
    ElementType,
    EventType,
    Expr,
    FlowNode,
    Process,
    SequenceFlow,
)
from engine.runtime import decision_calls, jobs, multi_instance, signals, timers, user_tasks
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
    local_variables,
    merge_completion,
    propagate,
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
        ElementType.INCLUSIVE_GATEWAY,
        ElementType.BOUNDARY_EVENT,
    }
)


_THROW_EVENTS = frozenset({ElementType.INTERMEDIATE_THROW_EVENT, ElementType.END_EVENT})


def instance_value(ctx: Context, instance: ElementInstance) -> dict[str, Any]:
    # A called process instance names its caller: the call activity and that activity's process
    # instance, as Zeebe's records do (the /v2 search filters on parentProcessInstanceKey).
    caller = None if instance.caller_key is None else ctx.layer.get(Kind.ELEMENT, instance.caller_key)
    return {
        "bpmnProcessId": instance.bpmn_process_id,
        "version": instance.version,
        "processDefinitionKey": instance.process_definition_key,
        "processInstanceKey": instance.process_instance_key,
        "elementId": instance.element_id,
        "bpmnElementType": instance.element_type,
        "flowScopeKey": instance.flow_scope_key if instance.flow_scope_key is not None else -1,
        "parentElementInstanceKey": instance.caller_key if instance.caller_key is not None else -1,
        "parentProcessInstanceKey": caller.process_instance_key if caller is not None else -1,
    }


def _record(ctx: Context, instance: ElementInstance, intent: str) -> None:
    ctx.record(
        ValueType.PROCESS_INSTANCE,
        intent,
        instance.key,
        instance_value(ctx, instance),
        instance.process_instance_key,
    )


def _transition(ctx: Context, instance: ElementInstance, state: ElementState, intent: str) -> ElementInstance:
    if instance.state is not state:
        # A new instance is made in its first state already: a copy would only cost time.
        instance = replace(instance, state=state)
    ctx.layer.put(Kind.ELEMENT, instance.key, instance)
    _record(ctx, instance, intent)
    return instance


def _model(ctx: Context, instance: ElementInstance) -> Process:
    return ctx.models.get(instance.process_definition_key)


# ---------------------------------------------------------------------------------------------- create


def create_process_instance(
    ctx: Context,
    definition: ProcessDefinition,
    variables: dict[str, Any],
    start_at: str | None = None,
    caller: ElementInstance | None = None,
    start_correlation_key: str | None = None,
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
        caller_key=caller.key if caller is not None else None,
        start_correlation_key=start_correlation_key,
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
    ctx.later(lambda: _activate_step(ctx, key, start_at))
    return instance


def _create_child(
    ctx: Context,
    scope: ElementInstance,
    element: FlowNode,
    entered_by: str | None,
    element_type: ElementType | None = None,
) -> ElementInstance:
    instance = ElementInstance(
        key=ctx.new_key(),
        process_instance_key=scope.process_instance_key,
        process_definition_key=scope.process_definition_key,
        bpmn_process_id=scope.bpmn_process_id,
        version=scope.version,
        element_id=element.id,
        element_type=element_type or element.type,
        flow_scope_key=scope.key,
        state=ElementState.ACTIVATING,
        started_at=ctx.now,
        entered_by=entered_by,
    )
    return _transition(ctx, instance, ElementState.ACTIVATING, "ELEMENT_ACTIVATING")


def _activate_child(
    ctx: Context, scope: ElementInstance, element: FlowNode, entered_by: str | None = None
) -> ElementInstance:
    body = multi_instance.loop_of(element) is not None
    instance = _create_child(
        ctx, scope, element, entered_by, ElementType.MULTI_INSTANCE_BODY if body else None
    )
    ctx.later(lambda: _activate_step(ctx, instance.key))
    return instance


# -------------------------------------------------------------------------------------------- activate


def _activate_step(ctx: Context, key: int, start_at: str | None = None) -> None:
    instance: ElementInstance | None = ctx.layer.get(Kind.ELEMENT, key)
    if instance is None or instance.state is not ElementState.ACTIVATING:
        return  # terminated before its turn came
    activate(ctx, instance, start_at)


def activate(ctx: Context, instance: ElementInstance, start_at: str | None = None) -> None:
    """Run the activation of an ACTIVATING instance; also how an activation incident is retried.

    `start_at` names the start event of a process started by a timer, message or signal.
    """
    model = _model(ctx, instance)
    element = model.elements.get(instance.element_id)
    if multi_instance.is_body(instance):
        assert element is not None
        _activate_body(ctx, instance, element, model)
        return
    try:
        if element is not None:
            apply_input_mappings(ctx, instance, element)
        inner = multi_instance.is_inner(ctx, instance)
        prepared = _prepare(ctx, instance, element, model, boundaries=not inner)
    except EvaluationFailure as failure:
        raise_incident(ctx, instance, failure.error_type, str(failure))
        return
    if (
        element is not None
        and element.type is ElementType.END_EVENT
        and element.event_type is EventType.ERROR
    ):
        # The catching event terminates this instance with its scope; uncaught, it stays ACTIVATING
        # under an incident, and resolving the incident throws again.
        code = element.error_code or ""
        if not throw_error(ctx, instance, code, "", {}):
            raise_incident(ctx, instance, ErrorType.UNHANDLED_ERROR_EVENT, uncaught_error_message(code, ""))
        return
    instance = _transition(ctx, instance, ElementState.ACTIVATED, "ELEMENT_ACTIVATED")
    _open_events(ctx, instance, prepared)
    if element is None or element.type is ElementType.SUB_PROCESS:
        start_event = start_at or (model.start_event if element is None else element.start_event)
        assert start_event is not None, "deployment refuses scopes without a none start event"
        _activate_child(ctx, instance, model.element(start_event))
        return
    if prepared.callee is not None:
        definition, variables = prepared.callee
        child = create_process_instance(ctx, definition, variables, caller=instance)
        ctx.layer.put(Kind.ELEMENT, instance.key, replace(instance, called_instance_key=child.key))
    elif prepared.job is not None:
        job_type, retries, headers = prepared.job
        job = jobs.create(ctx, instance, job_type, retries, headers)
        ctx.layer.put(Kind.ELEMENT, instance.key, replace(instance, job_key=job.key))
    elif prepared.user_task is not None:
        user_tasks.create(ctx, instance, prepared.user_task, dict(element.job.headers) if element.job else {})
    elif prepared.script_result is not None:
        document = prepared.script_result
        ctx.later(lambda: complete_step(ctx, instance.key, document))
    elif element.type is ElementType.END_EVENT and element.event_type is EventType.TERMINATE:
        _terminate_end(ctx, instance)
    elif element.event_type is EventType.SIGNAL and element.type in _THROW_EVENTS:
        try:
            name = signal_name(element, visible_variables(ctx, instance.key))
        except EvaluationFailure as failure:
            raise_incident(ctx, instance, failure.error_type, str(failure))
            return
        broadcast(ctx, name, local_variables(ctx, instance.key))
        if ctx.layer.get(Kind.ELEMENT, instance.key) is not None:
            ctx.later(lambda: complete_step(ctx, instance.key))
    elif element.event_type is EventType.ESCALATION and element.type in _THROW_EVENTS:
        _throw_escalation(ctx, instance, _catch_code(element) or "")
        # An interrupting catch may have ended this event along with its scope.
        if ctx.layer.get(Kind.ELEMENT, instance.key) is not None:
            ctx.later(lambda: complete_step(ctx, instance.key))
    elif element.type in _PASS_THROUGH or element.event_type is EventType.LINK:
        ctx.later(lambda: complete_step(ctx, instance.key))


def _callee(
    ctx: Context, caller: ElementInstance, element: FlowNode
) -> tuple[ProcessDefinition, dict[str, Any]]:
    """The process a call activity calls, and the variables it starts with: everything the call
    activity sees, or only its own (input-mapped) variables, as `propagateAllParentVariables` says."""
    called = element.properties["calledElement"]
    visible = visible_variables(ctx, caller.key)
    variables = (
        visible if called.get("propagateAllParentVariables", True) else local_variables(ctx, caller.key)
    )
    process_id = evaluate_string(called["processId"], visible)
    versions: list[ProcessDefinition] = ctx.layer.find(Kind.PROCESS, "bpmn_process_id", process_id)
    latest = max(versions, key=lambda d: d.version) if versions else None
    if latest is None or ctx.models.get(latest.key).start_event is None:
        raise EvaluationFailure(
            f"Expected process with BPMN process id '{process_id}' to be deployed, but not found.",
            ErrorType.CALLED_ELEMENT_ERROR,
        )
    return latest, variables


def _called_instance_ended(ctx: Context, root: ElementInstance, variables: dict[str, Any]) -> None:
    """A called process completed: its call activity completes with the child's variables as
    `propagateAllChildVariables` says (output mappings always see them)."""
    assert root.caller_key is not None
    caller: ElementInstance | None = ctx.layer.get(Kind.ELEMENT, root.caller_key)
    if caller is None:
        return
    element = _model(ctx, caller).element(caller.element_id)
    propagate_all = element.properties["calledElement"].get("propagateAllChildVariables", True)
    document = variables if propagate_all or element.outputs else {}
    ctx.layer.put(Kind.ELEMENT, caller.key, replace(caller, called_instance_key=None))
    ctx.later(lambda: complete_step(ctx, caller.key, document))


def _activate_body(ctx: Context, body: ElementInstance, element: FlowNode, model: Process) -> None:
    loop = multi_instance.loop_of(element)
    assert loop is not None
    try:
        collection = multi_instance.evaluate_collection(ctx, body, loop)
        prepared = _prepare(ctx, body, element, model, boundaries=True, own=False)
    except EvaluationFailure as failure:
        raise_incident(ctx, body, failure.error_type, str(failure))
        return
    body = _transition(ctx, replace(body, collection=collection), ElementState.ACTIVATED, "ELEMENT_ACTIVATED")
    _open_events(ctx, body, prepared)
    multi_instance.start_output(ctx, body, loop, len(collection))
    if not collection:
        ctx.later(lambda: complete_step(ctx, body.key))
        return
    for index in range(1 if loop.sequential else len(collection)):
        _start_inner(ctx, body, element, loop, index)


def _start_inner(
    ctx: Context, body: ElementInstance, element: FlowNode, loop: multi_instance.Loop, index: int
) -> None:
    assert body.collection is not None
    inner = _create_child(ctx, body, element, None)
    set_local(ctx, inner.key, multi_instance.inner_variables(loop, body.collection[index], index))
    ctx.later(lambda: _activate_step(ctx, inner.key))


def _inner_completed(ctx: Context, body: ElementInstance, element: FlowNode) -> None:
    loop = multi_instance.loop_of(element)
    assert loop is not None
    body = replace(body, completed=body.completed + 1)
    ctx.layer.put(Kind.ELEMENT, body.key, body)
    active = ctx.layer.find(Kind.ELEMENT, "flow_scope", body.key)
    try:
        done = multi_instance.is_complete(ctx, body, loop, len(active))
    except EvaluationFailure as failure:
        raise_incident(ctx, body, ErrorType.CONDITION_ERROR, str(failure))
        return
    if done:
        for inner in active:
            terminate(ctx, inner)
        ctx.later(lambda: complete_step(ctx, body.key))
    elif loop.sequential and not active:
        _start_inner(ctx, body, element, loop, body.completed)


def _open_events(ctx: Context, instance: ElementInstance, prepared: _Prepared) -> None:
    for node, timer_plan in prepared.timers:
        timers.schedule_timer(
            ctx,
            node,
            timer_plan,
            process_definition_key=instance.process_definition_key,
            bpmn_process_id=instance.bpmn_process_id,
            element_instance_key=instance.key,
            process_instance_key=instance.process_instance_key,
        )
    for node, name in prepared.signals:
        signals.subscribe(
            ctx, node, name, instance.process_definition_key, instance.bpmn_process_id, instance
        )
    for node, name, correlation_key in prepared.subscriptions:
        subscription = open_subscription(ctx, instance, node.id, name, correlation_key, node.interrupting)
        message = buffered_message_for(ctx, subscription)
        if message is not None and ctx.layer.get(Kind.SUBSCRIPTION, subscription.key) is not None:
            correlate(ctx, subscription.key, message)


class _Prepared:
    """What an element needs evaluated before it may be ACTIVATED (a failure raises an incident)."""

    __slots__ = ("callee", "job", "script_result", "signals", "subscriptions", "timers", "user_task")

    def __init__(self) -> None:
        self.callee: tuple[ProcessDefinition, dict[str, Any]] | None = None
        self.job: tuple[str, int, dict[str, str]] | None = None
        self.script_result: dict[str, Any] | None = None
        self.user_task: user_tasks.Assignment | None = None
        # The events this instance waits for: its own catch event, its boundary events, and the
        # start events of the event subprocesses of a scope.
        self.subscriptions: list[tuple[FlowNode, str, str]] = []
        self.timers: list[tuple[FlowNode, timers.Plan]] = []
        self.signals: list[tuple[FlowNode, str]] = []


def _waited_events(
    element: FlowNode | None, model: Process, boundaries: bool = True, own: bool = True
) -> list[FlowNode]:
    """The events an instance of `element` waits for. A multi-instance body waits only for the
    boundary events (`own=False`), its inner instances for everything else (`boundaries=False`)."""
    if element is None:
        return [model.element(start) for start in _event_subprocess_starts(model.event_subprocesses, model)]
    events: list[FlowNode] = []
    if own:
        if element.type in (ElementType.RECEIVE_TASK, ElementType.INTERMEDIATE_CATCH_EVENT):
            events.append(element)
        if element.type is ElementType.EVENT_BASED_GATEWAY:
            events += [model.element(model.flow(flow_id).target) for flow_id in element.outgoing]
        if element.type is ElementType.SUB_PROCESS:
            events += [
                model.element(start) for start in _event_subprocess_starts(element.event_subprocesses, model)
            ]
    if boundaries:
        events += [model.element(boundary_id) for boundary_id in element.boundary_events]
    return events


def _event_subprocess_starts(event_subprocesses: tuple[str, ...], model: Process) -> list[str]:
    return [
        start for start in (model.element(esp).start_event for esp in event_subprocesses) if start is not None
    ]


def _prepare(
    ctx: Context,
    instance: ElementInstance,
    element: FlowNode | None,
    model: Process,
    boundaries: bool = True,
    own: bool = True,
) -> _Prepared:
    prepared = _Prepared()
    events = _waited_events(element, model, boundaries, own)
    work = own and element is not None
    script = element.properties.get("script") if work and element is not None else None
    is_user_task = work and element is not None and element.type is ElementType.USER_TASK
    has_job = (
        work and element is not None and (element.job is not None or "calledDecision" in element.properties)
    )
    calls = work and element is not None and element.type is ElementType.CALL_ACTIVITY
    if not (events or script or is_user_task or has_job or calls):
        return prepared
    variables = visible_variables(ctx, instance.key)
    for node in events:
        if node.message is not None:  # message events, and receive tasks (which have no event type)
            prepared.subscriptions.append((node, *_subscription_target(node, variables)))
        elif node.event_type is EventType.TIMER:
            prepared.timers.append((node, timers.plan(node, variables, ctx.now)))
        elif node.event_type is EventType.SIGNAL:
            prepared.signals.append((node, signal_name(node, variables)))
    if element is None or not work:
        return prepared
    if calls:
        prepared.callee = _callee(ctx, instance, element)
    if script is not None:
        prepared.script_result = {script["resultVariable"]: evaluate(script["expression"], variables)}
    called = element.properties.get("calledDecision") if work else None
    if called is not None:
        decision_id = evaluate_string(called["decisionId"], variables)
        output = decision_calls.call_for_task(ctx, decision_id, variables, instance.process_instance_key)
        prepared.script_result = {called["resultVariable"]: output}
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
    return prepared


def signal_name(element: FlowNode, variables: dict[str, Any]) -> str:
    name: Expr = element.properties["signalName"]
    return evaluate_string(name, variables)


def broadcast(ctx: Context, name: str, variables: dict[str, Any]) -> int:
    """Broadcast a signal: every catch event, boundary and event subprocess waiting for it is
    triggered, and every process with a signal start event for it is started."""
    key = ctx.new_key()
    ctx.record(ValueType.SIGNAL, "BROADCASTED", key, {"signalName": name, "variables": variables})
    for subscription in signals.waiting_for(ctx, name):
        # An interrupting trigger may have closed this subscription meanwhile.
        if ctx.layer.get(Kind.SIGNAL_SUBSCRIPTION, subscription.key) is None:
            continue
        if subscription.element_instance_key < 0:
            definition: ProcessDefinition = ctx.layer.get(Kind.PROCESS, subscription.process_definition_key)
            create_process_instance(ctx, definition, variables, start_at=subscription.element_id)
            continue
        waiting: ElementInstance | None = ctx.layer.get(Kind.ELEMENT, subscription.element_instance_key)
        if waiting is not None and waiting.state is ElementState.ACTIVATED:
            trigger(ctx, waiting, _model(ctx, waiting).element(subscription.element_id), variables)
    return key


def _subscription_target(element: FlowNode, variables: dict[str, Any]) -> tuple[str, str]:
    assert element.message is not None
    name = evaluate_string(element.message.name, variables)
    if element.message.correlation_key is None:
        raise EvaluationFailure(f"Expected a correlation key for the message '{name}', but none is defined.")
    return name, evaluate_correlation_key(element.message.correlation_key, variables)


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
    inner = multi_instance.is_inner(ctx, instance)
    flows: list[SequenceFlow] = []
    if element is not None:
        try:
            if multi_instance.is_body(instance):
                loop = multi_instance.loop_of(element)
                assert loop is not None and instance.flow_scope_key is not None
                propagate(ctx, instance.flow_scope_key, multi_instance.finish_output(ctx, instance, loop))
            elif document or element.outputs:
                merge_completion(ctx, instance, element, document or {})
        except EvaluationFailure as failure:
            raise_incident(ctx, instance, ErrorType.IO_MAPPING_ERROR, str(failure))
            return
        try:
            flows = [] if inner else _outgoing(ctx, instance, element, model)
        except EvaluationFailure as failure:
            raise_incident(ctx, instance, ErrorType.CONDITION_ERROR, str(failure))
            return
    _stop_waiting(ctx, instance.key)
    _record(ctx, instance, "ELEMENT_COMPLETED")
    root_variables = visible_variables(ctx, instance.key) if instance.flow_scope_key is None else {}
    if inner:
        loop = multi_instance.loop_of(model.element(instance.element_id))
        assert loop is not None and instance.flow_scope_key is not None
        body: ElementInstance = ctx.layer.get(Kind.ELEMENT, instance.flow_scope_key)
        multi_instance.collect_output(ctx, body, instance, loop)
    _remove(ctx, instance)
    if instance.flow_scope_key is None:
        ctx.effects.ended_instances[instance.key] = (True, root_variables)
        if instance.caller_key is not None:
            _called_instance_ended(ctx, instance, root_variables)
        _start_next_by_message(ctx, instance)
        return
    scope: ElementInstance = ctx.layer.get(Kind.ELEMENT, instance.flow_scope_key)
    if inner:
        assert element is not None
        _inner_completed(ctx, scope, element)
        return
    for flow in flows:
        scope = _take_flow(ctx, scope, flow, model)
    link_target = element.properties.get("linkTarget") if element is not None else None
    if (
        link_target is not None
        and element is not None
        and element.type is ElementType.INTERMEDIATE_THROW_EVENT
    ):
        _activate_child(ctx, scope, model.element(link_target))
    scope = _recheck_joins(ctx, scope, model)
    _complete_scope_if_done(ctx, scope)


def _outgoing(
    ctx: Context, instance: ElementInstance, element: FlowNode, model: Process
) -> list[SequenceFlow]:
    flows = [model.flow(flow_id) for flow_id in element.outgoing]
    branching = element.type in (ElementType.EXCLUSIVE_GATEWAY, ElementType.INCLUSIVE_GATEWAY)
    if not branching or not flows or (len(flows) == 1 and flows[0].condition is None):
        return flows
    variables = visible_variables(ctx, instance.key)
    chosen = []
    for flow in flows:
        if flow.id == element.default_flow or flow.condition is None:
            continue
        if evaluate_boolean(flow.condition, variables):
            # An exclusive gateway takes the first true condition, an inclusive one every one.
            if element.type is ElementType.EXCLUSIVE_GATEWAY:
                return [flow]
            chosen.append(flow)
    if chosen:
        return chosen
    if element.default_flow is not None:
        return [model.flow(element.default_flow)]
    raise EvaluationFailure("Expected at least one condition to evaluate to true, or to have a default flow")


def _record_flow(ctx: Context, scope: ElementInstance, flow: SequenceFlow) -> None:
    ctx.record(
        ValueType.PROCESS_INSTANCE,
        "SEQUENCE_FLOW_TAKEN",
        ctx.new_key(),
        {
            **instance_value(ctx, scope),
            "elementId": flow.id,
            "bpmnElementType": ElementType.SEQUENCE_FLOW,
            "flowScopeKey": scope.key,
        },
        scope.process_instance_key,
    )


def _take_flow(ctx: Context, scope: ElementInstance, flow: SequenceFlow, model: Process) -> ElementInstance:
    """Take `flow` in `scope`; returns the scope as it now is (a parallel join may have changed it)."""
    _record_flow(ctx, scope, flow)
    target = model.element(flow.target)
    joining = target.type in (ElementType.PARALLEL_GATEWAY, ElementType.INCLUSIVE_GATEWAY)
    if joining and len(target.incoming) > 1:
        return _arrive_at_join(ctx, scope, target, flow, model)
    _activate_child(ctx, scope, target, flow.id)
    return scope


def _arrive_at_join(
    ctx: Context, scope: ElementInstance, gateway: FlowNode, flow: SequenceFlow, model: Process
) -> ElementInstance:
    joins = {gateway_id: dict(tokens) for gateway_id, tokens in scope.joins}
    tokens = joins.setdefault(gateway.id, {})
    tokens[flow.id] = tokens.get(flow.id, 0) + 1
    return _store_joins(ctx, scope, _fire_ready_joins(ctx, scope, joins, model, flow.id))


def _fire_ready_joins(
    ctx: Context,
    scope: ElementInstance,
    joins: dict[str, dict[str, int]],
    model: Process,
    entered_by: str | None = None,
) -> dict[str, dict[str, int]]:
    """Activate every join of `scope` whose waiting is over, consuming one token per flow.

    A parallel join waits for a token on every incoming flow; an inclusive join only for the flows
    that something still active in the scope can reach (Zeebe's rule).
    """
    for gateway_id, tokens in joins.items():
        gateway = model.element(gateway_id)
        if not any(count > 0 for count in tokens.values()):
            continue
        missing = [incoming for incoming in gateway.incoming if tokens.get(incoming, 0) <= 0]
        if gateway.type is ElementType.INCLUSIVE_GATEWAY:
            positions = [child.element_id for child in ctx.layer.find(Kind.ELEMENT, "flow_scope", scope.key)]
            positions += [
                other for other, counts in joins.items() if other != gateway_id and any(counts.values())
            ]
            missing = [incoming for incoming in missing if _reachable(model, positions, incoming, gateway_id)]
        if missing:
            continue
        for incoming in gateway.incoming:
            if tokens.get(incoming, 0) > 0:
                tokens[incoming] -= 1
        _activate_child(ctx, scope, gateway, entered_by)
    return joins


def _reachable(model: Process, starts: list[str], flow_id: str, join_id: str) -> bool:
    """Whether a token at one of `starts` can still arrive at the flow `flow_id` (not via the join)."""
    target = model.flow(flow_id).source
    seen: set[str] = set()
    pending = list(starts)
    while pending:
        element_id = pending.pop()
        if element_id == target:
            return True
        if element_id in seen or element_id == join_id:
            continue
        seen.add(element_id)
        element = model.element(element_id)
        pending += [model.flow(out).target for out in element.outgoing]
        pending += list(element.boundary_events)
    return False


def _store_joins(ctx: Context, scope: ElementInstance, joins: dict[str, dict[str, int]]) -> ElementInstance:
    frozen = tuple(
        (gateway_id, tuple((flow_id, count) for flow_id, count in counts.items() if count > 0))
        for gateway_id, counts in joins.items()
        if any(count > 0 for count in counts.values())
    )
    scope = replace(scope, joins=frozen)
    ctx.layer.put(Kind.ELEMENT, scope.key, scope)
    return scope


def _recheck_joins(ctx: Context, scope: ElementInstance, model: Process) -> ElementInstance:
    """Something in `scope` ended: an inclusive join may no longer have anything to wait for."""
    if not scope.joins:
        return scope
    joins = {gateway_id: dict(tokens) for gateway_id, tokens in scope.joins}
    return _store_joins(ctx, scope, _fire_ready_joins(ctx, scope, joins, model))


def _complete_scope_if_done(ctx: Context, scope: ElementInstance) -> None:
    """A scope completes when nothing is left in it: no active child, no token waiting at a join."""
    if scope.state is not ElementState.ACTIVATED or scope.joins:
        return
    if ctx.layer.find(Kind.ELEMENT, "flow_scope", scope.key):
        return
    complete_step(ctx, scope.key)


def _stop_waiting(ctx: Context, key: int) -> None:
    """Close every event subscription of an element instance: messages, timers, signals."""
    close_subscriptions(ctx, key)
    timers.cancel_of(ctx, key)
    signals.cancel_of(ctx, key)


def _remove(ctx: Context, instance: ElementInstance) -> None:
    ctx.layer.delete(Kind.ELEMENT, instance.key)
    delete_scope(ctx, instance.key)


# ------------------------------------------------------------------------------------------- terminate


def terminate(ctx: Context, instance: ElementInstance) -> None:
    """Terminate an instance and everything inside it, innermost first."""
    instance = _transition(ctx, instance, ElementState.TERMINATING, "ELEMENT_TERMINATING")
    for child in ctx.layer.find(Kind.ELEMENT, "flow_scope", instance.key):
        terminate(ctx, child)
    if instance.called_instance_key is not None:
        called: ElementInstance | None = ctx.layer.get(Kind.ELEMENT, instance.called_instance_key)
        if called is not None:
            terminate(ctx, called)
    if instance.job_key is not None:
        jobs.cancel(ctx, instance.job_key)
    user_tasks.cancel_of(ctx, instance.key)
    _stop_waiting(ctx, instance.key)
    clear_incidents_of(ctx, instance.key)
    _record(ctx, instance, "ELEMENT_TERMINATED")
    _remove(ctx, instance)
    if instance.flow_scope_key is None:
        ctx.effects.ended_instances[instance.key] = (False, {})
        _start_next_by_message(ctx, instance)


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


def _mark_correlated(
    ctx: Context, subscription: MessageSubscription, message: Message, process_instance_key: int
) -> Message:
    """Record that `message` went to `subscription`; a message goes once to each process."""
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
        process_instance_key,
    )
    return message


def correlate(ctx: Context, subscription_key: int, message: Message) -> Message:
    """Hand `message` to a subscription; returns the message marked as correlated to that process."""
    subscription: MessageSubscription = ctx.layer.get(Kind.SUBSCRIPTION, subscription_key)
    message = _mark_correlated(ctx, subscription, message, subscription.process_instance_key)
    waiting: ElementInstance = ctx.layer.get(Kind.ELEMENT, subscription.element_instance_key)
    trigger(ctx, waiting, _model(ctx, waiting).element(subscription.element_id), message.variables)
    return message


def start_by_message(ctx: Context, subscription: MessageSubscription, message: Message) -> Message:
    """Start an instance at a message start event; returns the message marked as correlated."""
    definition: ProcessDefinition = ctx.layer.get(Kind.PROCESS, subscription.process_definition_key)
    instance = create_process_instance(
        ctx,
        definition,
        message.variables,
        start_at=subscription.element_id,
        start_correlation_key=message.correlation_key or None,
    )
    return _mark_correlated(ctx, subscription, message, instance.key)


def may_start(ctx: Context, subscription: MessageSubscription, message: Message) -> bool:
    """Zeebe's rule: one message starts one instance of a process, and while an instance started
    with a correlation key is active, no other starts with the same key."""
    if subscription.bpmn_process_id in message.correlated_processes:
        return False
    started = (subscription.bpmn_process_id, message.correlation_key)
    return not (message.correlation_key and ctx.layer.find(Kind.ELEMENT, "started_by", started))


def _start_next_by_message(ctx: Context, ended: ElementInstance) -> None:
    """An instance started by a message ended: a message for the same key that had to wait, starts
    the next one."""
    if ended.start_correlation_key is None:
        return
    versions: list[ProcessDefinition] = ctx.layer.find(Kind.PROCESS, "bpmn_process_id", ended.bpmn_process_id)
    latest = max(versions, key=lambda d: d.version)
    for subscription in ctx.layer.find(Kind.SUBSCRIPTION, "start_of", latest.key):
        waiting: list[Message] = ctx.layer.find(
            Kind.MESSAGE, "correlation", (subscription.message_name, ended.start_correlation_key)
        )
        for message in sorted(waiting, key=lambda m: m.key):
            if message.expires_at > ctx.now and may_start(ctx, subscription, message):
                start_by_message(ctx, subscription, message)
                return


def trigger(ctx: Context, waiting: ElementInstance, event: FlowNode, document: dict[str, Any]) -> None:
    """The event `waiting` waited for has happened: its own catch event, one of its boundary events,
    or (for a scope) the start event of one of its event subprocesses."""
    if event.id == waiting.element_id:
        _stop_waiting(ctx, waiting.key)
        ctx.later(lambda: complete_step(ctx, waiting.key, document))
    elif waiting.element_type == ElementType.EVENT_BASED_GATEWAY:
        _pass_event_gateway(ctx, waiting, event, document)
    elif event.type is ElementType.BOUNDARY_EVENT:
        _trigger_boundary(ctx, waiting, event, document)
    else:
        _trigger_event_subprocess(ctx, waiting, event, document)


def _pass_event_gateway(
    ctx: Context, gateway: ElementInstance, event: FlowNode, document: dict[str, Any]
) -> None:
    """The first event after an event-based gateway decides the path: the gateway completes, and
    the event that happened is entered and completed; the others are no longer waited for."""
    _stop_waiting(ctx, gateway.key)
    gateway = _transition(ctx, gateway, ElementState.COMPLETING, "ELEMENT_COMPLETING")
    _record(ctx, gateway, "ELEMENT_COMPLETED")
    _remove(ctx, gateway)
    assert gateway.flow_scope_key is not None
    scope: ElementInstance = ctx.layer.get(Kind.ELEMENT, gateway.flow_scope_key)
    model = _model(ctx, gateway)
    flow = next(model.flow(f) for f in event.incoming if model.flow(f).source == gateway.element_id)
    _record_flow(ctx, scope, flow)
    _occur(ctx, scope, event, document)


def _trigger_boundary(
    ctx: Context, host: ElementInstance, boundary: FlowNode, document: dict[str, Any]
) -> None:
    assert host.flow_scope_key is not None
    scope: ElementInstance = ctx.layer.get(Kind.ELEMENT, host.flow_scope_key)
    if boundary.interrupting:
        terminate(ctx, host)
    _occur(ctx, scope, boundary, document)


def _trigger_event_subprocess(
    ctx: Context, scope: ElementInstance, start: FlowNode, document: dict[str, Any]
) -> None:
    """Start an event subprocess in `scope`; an interrupting one first ends everything else there."""
    if start.interrupting:
        for child in ctx.layer.find(Kind.ELEMENT, "flow_scope", scope.key):
            terminate(ctx, child)
        _stop_waiting(ctx, scope.key)
        if scope.joins:
            scope = replace(scope, joins=())
            ctx.layer.put(Kind.ELEMENT, scope.key, scope)
    subprocess = _create_child(ctx, scope, _model(ctx, scope).element(start.scope_id), None)
    subprocess = _transition(ctx, subprocess, ElementState.ACTIVATED, "ELEMENT_ACTIVATED")
    _occur(ctx, subprocess, start, document)


def _occur(ctx: Context, scope: ElementInstance, event: FlowNode, document: dict[str, Any]) -> None:
    """An event that happened (a triggered boundary or start event) enters `scope` and completes."""
    instance = _create_child(ctx, scope, event, None)
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
    """Throw an error from `source`; the nearest matching catch event takes it.

    Returns False, changing nothing, when nothing catches the error.
    """
    found = _find_catcher(ctx, source, EventType.ERROR, code)
    if found is None:
        return False
    waiting, catcher = found
    ctx.record(
        ValueType.ERROR,
        "CREATED",
        ctx.new_key(),
        {"errorCode": code, "errorMessage": message, "catchElementId": catcher.id},
        source.process_instance_key,
    )
    trigger(ctx, waiting, catcher, document)
    return True


def _throw_escalation(ctx: Context, source: ElementInstance, code: str) -> None:
    """Escalate from `source`; unlike an error, an escalation nobody catches is no incident."""
    found = _find_catcher(ctx, source, EventType.ESCALATION, code)
    ctx.record(
        ValueType.ESCALATION,
        "ESCALATED" if found else "NOT_ESCALATED",
        ctx.new_key(),
        {
            "escalationCode": code,
            "throwElementId": source.element_id,
            "catchElementId": found[1].id if found else "",
        },
        source.process_instance_key,
    )
    if found is not None:
        trigger(ctx, *found, {})


def _catch_code(event: FlowNode) -> str | None:
    if event.event_type is EventType.ERROR:
        return event.error_code
    code: Expr | None = event.properties.get("escalationCode")
    return code.source if code is not None else None


def _matching(candidates: list[FlowNode], event_type: EventType, code: str) -> FlowNode | None:
    """The catch event for `code`: an exact code wins over a catch-all (one without a code)."""
    catch_all = None
    for event in candidates:
        if event.event_type is not event_type:
            continue
        catch_code = _catch_code(event)
        if catch_code == code:
            return event
        if catch_code is None and catch_all is None:
            catch_all = event
    return catch_all


def _find_catcher(
    ctx: Context, source: ElementInstance, event_type: EventType, code: str
) -> tuple[ElementInstance, FlowNode] | None:
    """From `source` outwards: each element's boundary events, then its scope's event subprocesses."""
    model = _model(ctx, source)
    current = source
    while True:
        element = model.elements.get(current.element_id)
        if element is not None and not multi_instance.is_inner(ctx, current):
            boundaries = [model.element(boundary_id) for boundary_id in element.boundary_events]
            catcher = _matching(boundaries, event_type, code)
            if catcher is not None:
                return current, catcher
        if current.flow_scope_key is None:
            # Uncaught in a called process: the search goes on at its call activity.
            caller = (
                ctx.layer.get(Kind.ELEMENT, current.caller_key) if current.caller_key is not None else None
            )
            if caller is None:
                return None
            current, model = caller, _model(ctx, caller)
            continue
        scope: ElementInstance = ctx.layer.get(Kind.ELEMENT, current.flow_scope_key)
        starts = [
            event
            for event in _waited_events(model.elements.get(scope.element_id), model, boundaries=False)
            if event.type is ElementType.START_EVENT and not multi_instance.is_body(scope)
        ]
        catcher = _matching(starts, event_type, code)
        if catcher is not None:
            return scope, catcher
        current = scope
