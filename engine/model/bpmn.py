"""BPMN 2.0 XML with Zeebe extensions into the executable model (`engine.model.elements`).

Every executable process of a file is parsed; all problems of the file are collected and raised
together as one `ModelError`, so a modeler sees everything to fix in one deployment attempt.
What is accepted follows Zeebe's deployment validation, so a diagram that deploys here deploys on
Camunda 8 too, and the other way round for the elements this engine supports.
"""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from engine.model.bpmn_checks import article, check_process, label
from engine.model.bpmn_xml import bpmn, extension, local_name, parse_xml, reference, text
from engine.model.bpmn_zeebe import ElementReader
from engine.model.elements import (
    ElementType,
    EventType,
    Expr,
    FlowNode,
    MessageDefinition,
    Process,
    SequenceFlow,
)
from engine.model.errors import ProblemCollector

_TASKS = {
    "serviceTask": ElementType.SERVICE_TASK,
    "sendTask": ElementType.SEND_TASK,
    "scriptTask": ElementType.SCRIPT_TASK,
    "businessRuleTask": ElementType.BUSINESS_RULE_TASK,
    "receiveTask": ElementType.RECEIVE_TASK,
    "userTask": ElementType.USER_TASK,
    "manualTask": ElementType.MANUAL_TASK,
    "task": ElementType.TASK,
    "callActivity": ElementType.CALL_ACTIVITY,
}
_GATEWAYS = {
    "exclusiveGateway": ElementType.EXCLUSIVE_GATEWAY,
    "parallelGateway": ElementType.PARALLEL_GATEWAY,
    "inclusiveGateway": ElementType.INCLUSIVE_GATEWAY,
    "eventBasedGateway": ElementType.EVENT_BASED_GATEWAY,
}
_EVENTS = {
    "startEvent": ElementType.START_EVENT,
    "endEvent": ElementType.END_EVENT,
    "intermediateCatchEvent": ElementType.INTERMEDIATE_CATCH_EVENT,
    "intermediateThrowEvent": ElementType.INTERMEDIATE_THROW_EVENT,
    "boundaryEvent": ElementType.BOUNDARY_EVENT,
}
_EVENT_DEFINITIONS = {
    "messageEventDefinition": EventType.MESSAGE,
    "timerEventDefinition": EventType.TIMER,
    "errorEventDefinition": EventType.ERROR,
    "escalationEventDefinition": EventType.ESCALATION,
    "signalEventDefinition": EventType.SIGNAL,
    "terminateEventDefinition": EventType.TERMINATE,
    "linkEventDefinition": EventType.LINK,
    "compensateEventDefinition": EventType.COMPENSATION,
    "conditionalEventDefinition": EventType.CONDITIONAL,
}
# Children of a process or subprocess that do not execute (artifacts, data, lanes, references).
_NOT_EXECUTED = frozenset(
    {
        "documentation",
        "extensionElements",
        "incoming",
        "outgoing",
        "multiInstanceLoopCharacteristics",
        "standardLoopCharacteristics",
        "laneSet",
        "textAnnotation",
        "association",
        "group",
        "dataObject",
        "dataObjectReference",
        "dataStoreReference",
        "ioSpecification",
        "property",
        "dataInputAssociation",
        "dataOutputAssociation",
    }
)

_CATCHING = frozenset(
    {ElementType.START_EVENT, ElementType.INTERMEDIATE_CATCH_EVENT, ElementType.BOUNDARY_EVENT}
)
_SUPPORTED_EVENTS: dict[ElementType, tuple[EventType, ...]] = {
    ElementType.END_EVENT: (
        EventType.NONE,
        EventType.TERMINATE,
        EventType.ERROR,
        EventType.MESSAGE,
        EventType.ESCALATION,
        EventType.SIGNAL,
    ),
    ElementType.INTERMEDIATE_CATCH_EVENT: (
        EventType.MESSAGE,
        EventType.TIMER,
        EventType.SIGNAL,
        EventType.LINK,
    ),
    ElementType.INTERMEDIATE_THROW_EVENT: (
        EventType.NONE,
        EventType.MESSAGE,
        EventType.ESCALATION,
        EventType.SIGNAL,
        EventType.LINK,
    ),
    ElementType.BOUNDARY_EVENT: (
        EventType.ERROR,
        EventType.MESSAGE,
        EventType.TIMER,
        EventType.ESCALATION,
        EventType.SIGNAL,
    ),
}
# Start events by the kind of their scope.
_SUPPORTED_START_EVENTS: dict[ElementType, tuple[EventType, ...]] = {
    ElementType.PROCESS: (EventType.NONE, EventType.MESSAGE, EventType.TIMER, EventType.SIGNAL),
    ElementType.SUB_PROCESS: (EventType.NONE,),
    ElementType.EVENT_SUB_PROCESS: (
        EventType.MESSAGE,
        EventType.TIMER,
        EventType.SIGNAL,
        EventType.ERROR,
        EventType.ESCALATION,
    ),
}


@dataclass(frozen=True, slots=True)
class _Message:
    name: str | None
    correlation_key: str | None


@dataclass(frozen=True, slots=True)
class _Definitions:
    """The root elements that events refer to by id."""

    messages: dict[str, _Message]
    errors: dict[str, str | None]
    escalations: dict[str, str | None]
    signals: dict[str, str | None]


def parse_bpmn(resource_name: str, data: bytes) -> tuple[Process, ...]:
    """Parse the executable processes of a BPMN file; raises `ModelError` listing every problem."""
    problems = ProblemCollector(resource_name)
    root = parse_xml(data, problems)
    if root.tag != bpmn("definitions"):
        problems.fail(None, "the root element must be bpmn:definitions (is this a BPMN 2.0 file?)")
    _check_unique_ids(root, problems)
    definitions = _read_definitions(root)
    executable = [
        element
        for element in root.findall(bpmn("process"))
        if element.get("isExecutable", "").strip() == "true"
    ]
    if not executable:
        problems.add(None, 'the file has no executable process (bpmn:process isExecutable="true")')
    processes = tuple(
        process
        for element in executable
        if (process := _ProcessParser(problems, definitions).parse(element)) is not None
    )
    problems.raise_if_any()
    return processes


def _check_unique_ids(root: ET.Element, problems: ProblemCollector) -> None:
    counts = Counter(element.get("id") for element in root.iter() if element.get("id"))
    for element_id, count in counts.items():
        if count > 1 and element_id is not None:
            problems.add(element_id, f"the id is used by {count} elements; ids must be unique in a file")


def _read_definitions(root: ET.Element) -> _Definitions:
    def attributes(tag: str, attribute: str) -> dict[str, str | None]:
        return {
            element.get("id", ""): (element.get(attribute, "").strip() or None)
            for element in root.findall(bpmn(tag))
        }

    messages = {}
    for element in root.findall(bpmn("message")):
        subscription = extension(element, "subscription")
        key = subscription.get("correlationKey", "").strip() if subscription is not None else ""
        messages[element.get("id", "")] = _Message(element.get("name", "").strip() or None, key or None)
    return _Definitions(
        messages=messages,
        errors=attributes("error", "errorCode"),
        escalations=attributes("escalation", "escalationCode"),
        signals=attributes("signal", "name"),
    )


class _ProcessParser:
    """Parses one process: its elements and flows into flat maps, nested scopes included."""

    def __init__(self, problems: ProblemCollector, definitions: _Definitions) -> None:
        self.problems = problems
        self.definitions = definitions
        self.nodes: dict[str, FlowNode] = {}
        self.flows: dict[str, SequenceFlow] = {}
        self.scope_types: dict[str, ElementType] = {}

    def parse(self, element: ET.Element) -> Process | None:
        process_id = element.get("id", "").strip()
        if not process_id:
            self.problems.add(None, "an executable process must have an id")
            return None
        self.scope_types[process_id] = ElementType.PROCESS
        self._parse_scope(element, process_id)
        nodes = self._connect()
        top_level = [node for node in nodes.values() if node.scope_id == process_id]
        none_start = next(
            (n.id for n in top_level if n.type == ElementType.START_EVENT and n.event_type == EventType.NONE),
            None,
        )
        version_tag = extension(element, "versionTag")
        process = Process(
            id=process_id,
            name=element.get("name", ""),
            version_tag=version_tag.get("value") if version_tag is not None else None,
            elements=nodes,
            flows=self.flows,
            # Processes with only message, timer or signal start events have no none start event.
            start_event=none_start,
            event_subprocesses=_event_subprocesses(top_level),
        )
        check_process(self.problems, process)
        return process

    def _parse_scope(self, container: ET.Element, scope_id: str) -> None:
        for child in container:
            tag = local_name(child)
            if tag is None or tag in _NOT_EXECUTED:
                continue
            element_id = child.get("id", "").strip()
            if not element_id:
                self.problems.add(scope_id, f"a bpmn:{tag} inside it has no id")
                continue
            reader = ElementReader(self.problems, child, element_id)
            if tag == "sequenceFlow":
                self.flows[element_id] = self._sequence_flow(reader, scope_id)
                continue
            node = self._flow_node(reader, tag, scope_id)
            if node is not None:
                self.nodes[element_id] = node

    def _flow_node(self, reader: ElementReader, tag: str, scope_id: str) -> FlowNode | None:
        if tag in _TASKS:
            return self._task(reader, _TASKS[tag], scope_id)
        if tag in _GATEWAYS:
            default = reference(reader.element.get("default"))
            return self._node(reader, _GATEWAYS[tag], scope_id, default_flow=default)
        if tag in _EVENTS:
            return self._event(reader, _EVENTS[tag], scope_id)
        if tag == "subProcess":
            return self._subprocess(reader, scope_id)
        reader.problem(f"element type {tag} is not supported")
        return None

    def _node(
        self, reader: ElementReader, element_type: ElementType, scope_id: str, **fields: Any
    ) -> FlowNode:
        """A flow node with what every element may carry: mappings and custom properties."""
        reader.refuse_unsupported_extensions()
        inputs, outputs = reader.mappings()
        properties: dict[str, Any] = fields.pop("properties", {})
        if custom := reader.custom_properties():
            properties["properties"] = custom
        return FlowNode(
            id=reader.element_id,
            name=reader.element.get("name", ""),
            type=element_type,
            scope_id=scope_id,
            inputs=inputs,
            outputs=outputs,
            properties=properties,
            **fields,
        )

    def _activity_properties(self, reader: ElementReader) -> dict[str, Any]:
        multi_instance = reader.multi_instance()
        return {"multiInstance": multi_instance} if multi_instance is not None else {}

    def _task(self, reader: ElementReader, element_type: ElementType, scope_id: str) -> FlowNode:
        if reader.flag(reader.element, "isForCompensation", False):
            reader.problem("compensation handlers (isForCompensation) are not supported")
        properties = self._activity_properties(reader)
        fields: dict[str, Any] = {}
        task = article(label(element_type))
        if element_type in (ElementType.SERVICE_TASK, ElementType.SEND_TASK):
            fields["job"] = reader.job(task)
        elif element_type == ElementType.SCRIPT_TASK:
            self._job_or_alternative(reader, task, "script", reader.script(), properties, fields)
        elif element_type == ElementType.BUSINESS_RULE_TASK:
            self._job_or_alternative(
                reader, task, "calledDecision", reader.called_decision(), properties, fields
            )
        elif element_type == ElementType.RECEIVE_TASK:
            fields["message"] = self._message(reader, reader.element.get("messageRef"), needs_key=True)
        elif element_type == ElementType.USER_TASK:
            fields["form_id"], form_properties = reader.form()
            properties.update(form_properties)
            properties.update(reader.user_task())
        elif element_type == ElementType.CALL_ACTIVITY:
            called = reader.called_element()
            if called is not None:
                properties["calledElement"] = called
        return self._node(reader, element_type, scope_id, properties=properties, **fields)

    @staticmethod
    def _job_or_alternative(
        reader: ElementReader,
        label: str,
        name: str,
        alternative: dict[str, Any] | None,
        properties: dict[str, Any],
        fields: dict[str, Any],
    ) -> None:
        """Script and business rule tasks run either on the engine (`zeebe:<name>`) or as a job."""
        has_alternative = extension(reader.element, name) is not None
        if has_alternative and reader.has_task_definition():
            reader.problem(f"{label} must have either zeebe:{name} or zeebe:taskDefinition, not both")
        elif has_alternative:
            if alternative is not None:
                properties[name] = alternative
        else:
            fields["job"] = reader.job(label)

    def _subprocess(self, reader: ElementReader, scope_id: str) -> FlowNode:
        triggered = reader.flag(reader.element, "triggeredByEvent", False)
        element_type = ElementType.EVENT_SUB_PROCESS if triggered else ElementType.SUB_PROCESS
        self.scope_types[reader.element_id] = element_type
        properties = {} if triggered else self._activity_properties(reader)
        node = self._node(reader, element_type, scope_id, properties=properties)
        # Entered before its children, so that the elements map follows document order.
        self.nodes[node.id] = node
        self._parse_scope(reader.element, reader.element_id)
        return node

    def _sequence_flow(self, reader: ElementReader, scope_id: str) -> SequenceFlow:
        condition = text(reader.element.find(bpmn("conditionExpression")))
        return SequenceFlow(
            id=reader.element_id,
            name=reader.element.get("name", ""),
            source=reference(reader.element.get("sourceRef")) or "",
            target=reference(reader.element.get("targetRef")) or "",
            scope_id=scope_id,
            condition=reader.feel_expr(condition, "the condition") if condition is not None else None,
        )

    def _event(self, reader: ElementReader, element_type: ElementType, scope_id: str) -> FlowNode:
        definitions = [
            child for child in reader.element if (local_name(child) or "").endswith("EventDefinition")
        ]
        if len(definitions) > 1:
            reader.problem("an event with several event definitions (a multiple event) is not supported")
        definition = definitions[0] if definitions else None
        event_type = (
            EventType.NONE if definition is None else _EVENT_DEFINITIONS.get(local_name(definition) or "")
        )
        supported = (
            _SUPPORTED_START_EVENTS[self.scope_types[scope_id]]
            if element_type == ElementType.START_EVENT
            else _SUPPORTED_EVENTS[element_type]
        )
        event = article(label(element_type))
        if element_type == ElementType.START_EVENT and self.scope_types[scope_id] != ElementType.PROCESS:
            event = f"a start event of {article(label(self.scope_types[scope_id]))}"
        if event_type not in supported:
            kinds = ", ".join(kind.value.lower() for kind in supported)
            found = (
                "none"
                if definition is None
                else (local_name(definition) or "").removesuffix("EventDefinition")
            )
            reader.problem(f"{event} cannot be a {found} event; supported: {kinds}")
        fields: dict[str, Any] = {"event_type": event_type or EventType.UNSPECIFIED}
        properties: dict[str, Any] = {}
        if element_type == ElementType.START_EVENT:
            fields["interrupting"] = reader.flag(reader.element, "isInterrupting", True)
            fields["form_id"], form_properties = reader.form()
            properties.update(form_properties)
        if element_type == ElementType.BOUNDARY_EVENT:
            fields["attached_to"] = reference(reader.element.get("attachedToRef"))
            fields["interrupting"] = reader.flag(reader.element, "cancelActivity", True)
        if definition is not None and event_type in supported:
            self._event_definition(reader, element_type, scope_id, definition, event_type, fields, properties)
        return self._node(reader, element_type, scope_id, properties=properties, **fields)

    def _event_definition(
        self,
        reader: ElementReader,
        element_type: ElementType,
        scope_id: str,
        definition: ET.Element,
        event_type: EventType | None,
        fields: dict[str, Any],
        properties: dict[str, Any],
    ) -> None:
        catching = element_type in _CATCHING
        if event_type == EventType.MESSAGE:
            message_ref = definition.get("messageRef")
            if catching:
                # Process-level message start events create instances and correlate on the name only.
                needs_key = (
                    self.scope_types[scope_id] != ElementType.PROCESS
                    or element_type != ElementType.START_EVENT
                )
                fields["message"] = self._message(reader, message_ref, needs_key=needs_key)
            else:
                fields["job"] = reader.job(article(f"message {label(element_type)}"))
                if reference(message_ref) is not None:
                    fields["message"] = self._message(reader, message_ref, needs_key=False)
        elif event_type == EventType.TIMER:
            fields["timer"] = timer = reader.timer(definition)
            # A timer that ends the activity or the wait can fire only once.
            fires_once = element_type == ElementType.INTERMEDIATE_CATCH_EVENT or (
                element_type == ElementType.BOUNDARY_EVENT and fields["interrupting"]
            )
            if fires_once and timer.time_cycle is not None:
                kind = (
                    "an interrupting timer boundary event"
                    if element_type == ElementType.BOUNDARY_EVENT
                    else "an intermediate timer catch event"
                )
                reader.problem(f"{kind} must have a timeDuration or timeDate, not a timeCycle")
            is_process_start = (
                element_type == ElementType.START_EVENT and self.scope_types[scope_id] == ElementType.PROCESS
            )
            if is_process_start and timer.time_duration is not None:
                reader.problem("a timer start event must have a timeDate or timeCycle, not a timeDuration")
        elif event_type == EventType.ERROR:
            self._error(reader, definition, catching, fields)
        elif event_type == EventType.ESCALATION:
            properties["escalationCode"] = self._code(
                reader, definition, "escalationRef", self.definitions.escalations, "escalation", catching
            )
        elif event_type == EventType.SIGNAL:
            properties["signalName"] = self._signal_name(reader, definition)
        elif event_type == EventType.LINK:
            name = definition.get("name", "").strip()
            if not name:
                reader.problem("a link event must have a name")
            properties["linkName"] = name

    def _message(
        self, reader: ElementReader, message_ref: str | None, *, needs_key: bool
    ) -> MessageDefinition | None:
        message_id = reference(message_ref)
        if message_id is None:
            reader.problem("must reference a message (messageRef)")
            return None
        message = self.definitions.messages.get(message_id)
        if message is None:
            reader.problem(f"references message '{message_id}', which is not defined in the file")
            return None
        if message.name is None:
            reader.problem(f"message '{message_id}' must have a name")
        if needs_key and message.correlation_key is None:
            reader.problem(
                f"message '{message_id}' must have a correlation key (zeebe:subscription correlationKey)"
            )
        return MessageDefinition(
            name=reader.expr(message.name or "", f"the name of message '{message_id}'"),
            correlation_key=(
                reader.expr(message.correlation_key, f"the correlation key of message '{message_id}'")
                if message.correlation_key is not None
                else None
            ),
        )

    def _error(
        self, reader: ElementReader, definition: ET.Element, catching: bool, fields: dict[str, Any]
    ) -> None:
        code = self._code(reader, definition, "errorRef", self.definitions.errors, "error", catching)
        if code is None or code.is_static:
            fields["error_code"] = code.source if code is not None else None
        else:
            fields["error_code_expr"] = code

    def _code(
        self,
        reader: ElementReader,
        definition: ET.Element,
        ref_attribute: str,
        codes: dict[str, str | None],
        kind: str,
        catching: bool,
    ) -> Expr | None:
        """An error or escalation code; a catch event without one catches every error/escalation."""
        root_id = reference(definition.get(ref_attribute))
        if root_id is None:
            if not catching:
                reader.problem(f"must reference an {kind} ({ref_attribute})")
            return None
        if root_id not in codes:
            reader.problem(f"references {kind} '{root_id}', which is not defined in the file")
            return None
        code = codes[root_id]
        if code is None:
            if not catching:
                reader.problem(f"{kind} '{root_id}' must have an {kind}Code")
            return None
        if catching and code.startswith("="):
            reader.problem(f"the {kind}Code of a catch event cannot be an expression (got {code!r})")
        return reader.expr(code, f"the {kind}Code of {kind} '{root_id}'")

    def _signal_name(self, reader: ElementReader, definition: ET.Element) -> Expr | None:
        signal_id = reference(definition.get("signalRef"))
        if signal_id is None:
            reader.problem("must reference a signal (signalRef)")
            return None
        if signal_id not in self.definitions.signals:
            reader.problem(f"references signal '{signal_id}', which is not defined in the file")
            return None
        name = self.definitions.signals[signal_id]
        if name is None:
            reader.problem(f"signal '{signal_id}' must have a name")
            return None
        return reader.expr(name, f"the name of signal '{signal_id}'")

    def _connect(self) -> dict[str, FlowNode]:
        """The nodes with what only the whole process tells: flows, boundary events, scope starts."""
        incoming: defaultdict[str, list[str]] = defaultdict(list)
        outgoing: defaultdict[str, list[str]] = defaultdict(list)
        for flow in self.flows.values():
            # Flows to unknown elements are reported by the checks and left out of the graph.
            if flow.source in self.nodes and flow.target in self.nodes:
                outgoing[flow.source].append(flow.id)
                incoming[flow.target].append(flow.id)
        boundary_events: defaultdict[str, list[str]] = defaultdict(list)
        children: defaultdict[str, list[FlowNode]] = defaultdict(list)
        link_catches: dict[tuple[str, str], str] = {}
        for node in self.nodes.values():
            children[node.scope_id].append(node)
            if node.attached_to is not None:
                boundary_events[node.attached_to].append(node.id)
            if node.type == ElementType.INTERMEDIATE_CATCH_EVENT and node.event_type == EventType.LINK:
                link_catches.setdefault((node.scope_id, node.properties["linkName"]), node.id)
        connected = {}
        for node in self.nodes.values():
            properties = node.properties
            if node.type == ElementType.INTERMEDIATE_THROW_EVENT and node.event_type == EventType.LINK:
                # The runtime jumps from a link throw event straight to its catch event.
                properties = {
                    **properties,
                    "linkTarget": link_catches.get((node.scope_id, properties["linkName"])),
                }
            connected[node.id] = dataclasses.replace(
                node,
                incoming=tuple(incoming[node.id]),
                outgoing=tuple(outgoing[node.id]),
                boundary_events=tuple(boundary_events[node.id]),
                start_event=_scope_start_event(node, children[node.id]),
                event_subprocesses=_event_subprocesses(children[node.id]),
                properties=properties,
            )
        return connected


def _scope_start_event(scope: FlowNode, children: list[FlowNode]) -> str | None:
    """A subprocess starts at its none start event, an event subprocess at its triggered one."""
    if scope.type not in (ElementType.SUB_PROCESS, ElementType.EVENT_SUB_PROCESS):
        return None
    return next(
        (
            child.id
            for child in children
            if child.type == ElementType.START_EVENT
            and (scope.type == ElementType.EVENT_SUB_PROCESS or child.event_type == EventType.NONE)
        ),
        None,
    )


def _event_subprocesses(children: list[FlowNode]) -> tuple[str, ...]:
    return tuple(child.id for child in children if child.type == ElementType.EVENT_SUB_PROCESS)
