"""Which parts of a valid Zeebe diagram this engine can run.

The model parser knows all of Zeebe's BPMN; the runtime grows into it. A diagram that uses an
element the runtime cannot run yet is refused at deployment with a message naming the element,
rather than accepted and left to stall the first instance that reaches it.
"""

from __future__ import annotations

from engine.model.elements import ElementType, EventType, FlowNode, Process

_SUPPORTED: dict[ElementType, frozenset[EventType]] = {
    ElementType.START_EVENT: frozenset({EventType.NONE, EventType.TIMER, EventType.SIGNAL}),
    ElementType.END_EVENT: frozenset(
        {
            EventType.NONE,
            EventType.TERMINATE,
            EventType.ERROR,
            EventType.MESSAGE,
            EventType.ESCALATION,
            EventType.SIGNAL,
        }
    ),
    ElementType.INTERMEDIATE_THROW_EVENT: frozenset(
        {EventType.NONE, EventType.MESSAGE, EventType.ESCALATION, EventType.LINK, EventType.SIGNAL}
    ),
    ElementType.INTERMEDIATE_CATCH_EVENT: frozenset(
        {EventType.MESSAGE, EventType.TIMER, EventType.LINK, EventType.SIGNAL}
    ),
    ElementType.BOUNDARY_EVENT: frozenset(
        {EventType.ERROR, EventType.MESSAGE, EventType.TIMER, EventType.ESCALATION, EventType.SIGNAL}
    ),
}

# Start events of event subprocesses.
_EVENT_SUBPROCESS_STARTS = frozenset(
    {EventType.MESSAGE, EventType.TIMER, EventType.ERROR, EventType.ESCALATION, EventType.SIGNAL}
)

_SUPPORTED_ACTIVITIES = frozenset(
    {
        ElementType.SERVICE_TASK,
        ElementType.SEND_TASK,
        ElementType.SCRIPT_TASK,
        ElementType.BUSINESS_RULE_TASK,
        ElementType.RECEIVE_TASK,
        ElementType.USER_TASK,
        ElementType.TASK,
        ElementType.MANUAL_TASK,
        ElementType.EXCLUSIVE_GATEWAY,
        ElementType.PARALLEL_GATEWAY,
        ElementType.SUB_PROCESS,
        ElementType.EVENT_SUB_PROCESS,
        ElementType.CALL_ACTIVITY,
        ElementType.EVENT_BASED_GATEWAY,
        ElementType.INCLUSIVE_GATEWAY,
    }
)


def _label(element: FlowNode) -> str:
    kind = element.type.lower().replace("_", " ")
    if element.event_type not in (EventType.UNSPECIFIED, EventType.NONE):
        kind = f"{element.event_type.lower()} {kind}"
    return kind


def unsupported(process: Process) -> list[tuple[str, str]]:
    """(element id, problem) for every element of `process` this engine cannot run yet."""
    problems = []
    for element in process.elements.values():
        in_event_subprocess = (
            element.type is ElementType.START_EVENT
            and element.scope_id in process.elements
            and process.elements[element.scope_id].type is ElementType.EVENT_SUB_PROCESS
        )
        if in_event_subprocess:
            supported = element.event_type in _EVENT_SUBPROCESS_STARTS
        elif element.type in _SUPPORTED:
            supported = element.event_type in _SUPPORTED[element.type]
        else:
            supported = element.type in _SUPPORTED_ACTIVITIES
        if not supported:
            problems.append((element.id, f"a {_label(element)} is not supported by this engine yet"))
    return problems
