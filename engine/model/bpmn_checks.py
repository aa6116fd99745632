"""Checks of a parsed process as a whole: flows, scopes, gateways, start events, boundaries, links.

They follow Zeebe's deployment validation. Elements without incoming flows are accepted, as
Zeebe accepts them (they are never reached); elements without outgoing flows end their path.
"""

from __future__ import annotations

from collections import Counter

from engine.model.elements import ElementType, EventType, FlowNode, Process
from engine.model.errors import ProblemCollector

_ACTIVITY_TYPES = frozenset(
    {
        ElementType.SERVICE_TASK,
        ElementType.SEND_TASK,
        ElementType.SCRIPT_TASK,
        ElementType.BUSINESS_RULE_TASK,
        ElementType.RECEIVE_TASK,
        ElementType.USER_TASK,
        ElementType.MANUAL_TASK,
        ElementType.TASK,
        ElementType.CALL_ACTIVITY,
        ElementType.SUB_PROCESS,
    }
)
_CONDITIONAL_GATEWAYS = frozenset({ElementType.EXCLUSIVE_GATEWAY, ElementType.INCLUSIVE_GATEWAY})
_EVENT_GATEWAY_TARGETS = frozenset({EventType.MESSAGE, EventType.TIMER, EventType.SIGNAL})
_LABELS = {ElementType.SUB_PROCESS: "subprocess", ElementType.EVENT_SUB_PROCESS: "event subprocess"}


def label(element_type: ElementType) -> str:
    """The element type as people say it: 'service task', 'event subprocess'."""
    return _LABELS.get(element_type, element_type.value.lower().replace("_", " "))


def article(words: str) -> str:
    return f"{'an' if words[0] in 'aeiou' else 'a'} {words}"


def check_process(problems: ProblemCollector, process: Process) -> None:
    _check_flows(problems, process)
    _check_scopes(problems, process)
    for node in process.elements.values():
        if node.type in _CONDITIONAL_GATEWAYS:
            _check_conditional_gateway(problems, process, node)
        elif node.type == ElementType.EVENT_BASED_GATEWAY:
            _check_event_based_gateway(problems, process, node)
        elif node.type == ElementType.BOUNDARY_EVENT:
            _check_boundary_event(problems, process, node)
        elif node.type == ElementType.END_EVENT and node.outgoing:
            problems.add(node.id, "an end event cannot have outgoing sequence flows")
        elif node.type == ElementType.START_EVENT and node.incoming:
            problems.add(node.id, "a start event cannot have incoming sequence flows")
        elif node.type == ElementType.EVENT_SUB_PROCESS and (node.incoming or node.outgoing):
            problems.add(node.id, "an event subprocess cannot have incoming or outgoing sequence flows")
    _check_links(problems, process)


def _check_flows(problems: ProblemCollector, process: Process) -> None:
    for flow in process.flows.values():
        for end, ref in (("sourceRef", flow.source), ("targetRef", flow.target)):
            node = process.elements.get(ref)
            if not ref:
                problems.add(flow.id, f"a sequence flow must have a {end}")
            elif node is None:
                problems.add(flow.id, f"{end} '{ref}' is not an element of process '{process.id}'")
            elif node.scope_id != flow.scope_id:
                problems.add(
                    flow.id,
                    f"{end} '{ref}' is in another scope ('{node.scope_id}', the flow is in "
                    f"'{flow.scope_id}'); sequence flows cannot cross subprocess borders",
                )
        source = process.elements.get(flow.source)
        if flow.condition is not None and source is not None and source.type not in _CONDITIONAL_GATEWAYS:
            problems.add(
                flow.id,
                f"a sequence flow with a condition can only leave an exclusive or inclusive gateway, "
                f"not {article(label(source.type))} ('{source.id}')",
            )


def _check_scopes(problems: ProblemCollector, process: Process) -> None:
    start_events = Counter(
        node.scope_id for node in process.elements.values() if node.type == ElementType.START_EVENT
    )
    none_starts = Counter(
        node.scope_id
        for node in process.elements.values()
        if node.type == ElementType.START_EVENT and node.event_type == EventType.NONE
    )
    if not start_events[process.id]:
        problems.add(process.id, "a process must have at least one start event")
    elif none_starts[process.id] > 1:
        problems.add(process.id, "a process can have only one none start event")
    for node in process.elements.values():
        if (
            node.type in (ElementType.SUB_PROCESS, ElementType.EVENT_SUB_PROCESS)
            and start_events[node.id] != 1
        ):
            count = start_events[node.id]
            problems.add(
                node.id, f"{article(label(node.type))} must have exactly one start event (has {count})"
            )


def _check_conditional_gateway(problems: ProblemCollector, process: Process, gateway: FlowNode) -> None:
    if gateway.default_flow is not None and gateway.default_flow not in gateway.outgoing:
        problems.add(
            gateway.id, f"the default flow '{gateway.default_flow}' is not one of its outgoing flows"
        )
    if len(gateway.outgoing) < 2:
        return
    for flow_id in gateway.outgoing:
        if flow_id != gateway.default_flow and process.flows[flow_id].condition is None:
            problems.add(
                flow_id,
                f"a sequence flow leaving {article(label(gateway.type))} with several outgoing flows "
                f"must have a condition or be the gateway's default flow ('{gateway.id}')",
            )


def _check_event_based_gateway(problems: ProblemCollector, process: Process, gateway: FlowNode) -> None:
    if len(gateway.outgoing) < 2:
        problems.add(gateway.id, "an event-based gateway must have at least 2 outgoing sequence flows")
    for flow_id in gateway.outgoing:
        target = process.elements[process.flows[flow_id].target]
        if (
            target.type != ElementType.INTERMEDIATE_CATCH_EVENT
            or target.event_type not in _EVENT_GATEWAY_TARGETS
        ):
            problems.add(
                gateway.id,
                f"an event-based gateway can only lead to message, timer or signal intermediate catch "
                f"events ('{target.id}' is not one)",
            )
        elif any(process.flows[incoming].source != gateway.id for incoming in target.incoming):
            problems.add(
                target.id,
                f"an event after event-based gateway '{gateway.id}' cannot have other incoming flows",
            )


def _check_boundary_event(problems: ProblemCollector, process: Process, event: FlowNode) -> None:
    if event.incoming:
        problems.add(event.id, "a boundary event cannot have incoming sequence flows")
    if event.attached_to is None:
        problems.add(event.id, "a boundary event must be attached to an activity (attachedToRef)")
        return
    host = process.elements.get(event.attached_to)
    if host is None:
        problems.add(
            event.id, f"is attached to '{event.attached_to}', which is not an element of the process"
        )
    elif host.type not in _ACTIVITY_TYPES:
        problems.add(
            event.id, f"a boundary event must be attached to an activity, not {article(label(host.type))}"
        )
    elif host.scope_id != event.scope_id:
        problems.add(event.id, f"must be in the same scope as the activity '{host.id}' it is attached to")


def _check_links(problems: ProblemCollector, process: Process) -> None:
    catches = Counter(
        (node.scope_id, node.properties.get("linkName"))
        for node in process.elements.values()
        if node.type == ElementType.INTERMEDIATE_CATCH_EVENT and node.event_type == EventType.LINK
    )
    for (scope_id, name), count in catches.items():
        if count > 1:
            problems.add(scope_id, f"{count} link catch events are named '{name}'; link names must be unique")
    for node in process.elements.values():
        if node.type == ElementType.INTERMEDIATE_THROW_EVENT and node.event_type == EventType.LINK:
            name = node.properties.get("linkName")
            if name and not catches[(node.scope_id, name)]:
                problems.add(node.id, f"no link catch event named '{name}' in the same scope")
