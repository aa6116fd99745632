"""The executable model: immutable descriptions of deployed processes and forms.

The parser (`engine.model.bpmn`) builds these from BPMN XML after validating it; the runtime only
ever reads them. Element and event type names are Zeebe's (`bpmnElementType`, `bpmnEventType`), so
that records and the REST API speak the same vocabulary as Camunda 8.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from engine import feel


class ElementType(StrEnum):
    PROCESS = "PROCESS"
    SUB_PROCESS = "SUB_PROCESS"
    EVENT_SUB_PROCESS = "EVENT_SUB_PROCESS"
    START_EVENT = "START_EVENT"
    INTERMEDIATE_CATCH_EVENT = "INTERMEDIATE_CATCH_EVENT"
    INTERMEDIATE_THROW_EVENT = "INTERMEDIATE_THROW_EVENT"
    BOUNDARY_EVENT = "BOUNDARY_EVENT"
    END_EVENT = "END_EVENT"
    SERVICE_TASK = "SERVICE_TASK"
    SEND_TASK = "SEND_TASK"
    SCRIPT_TASK = "SCRIPT_TASK"
    BUSINESS_RULE_TASK = "BUSINESS_RULE_TASK"
    RECEIVE_TASK = "RECEIVE_TASK"
    USER_TASK = "USER_TASK"
    MANUAL_TASK = "MANUAL_TASK"
    TASK = "TASK"
    CALL_ACTIVITY = "CALL_ACTIVITY"
    EXCLUSIVE_GATEWAY = "EXCLUSIVE_GATEWAY"
    PARALLEL_GATEWAY = "PARALLEL_GATEWAY"
    INCLUSIVE_GATEWAY = "INCLUSIVE_GATEWAY"
    EVENT_BASED_GATEWAY = "EVENT_BASED_GATEWAY"
    SEQUENCE_FLOW = "SEQUENCE_FLOW"
    MULTI_INSTANCE_BODY = "MULTI_INSTANCE_BODY"


class EventType(StrEnum):
    UNSPECIFIED = "UNSPECIFIED"
    NONE = "NONE"
    MESSAGE = "MESSAGE"
    TIMER = "TIMER"
    ERROR = "ERROR"
    TERMINATE = "TERMINATE"
    ESCALATION = "ESCALATION"
    SIGNAL = "SIGNAL"
    LINK = "LINK"
    COMPENSATION = "COMPENSATION"
    CONDITIONAL = "CONDITIONAL"


# Elements whose work is done by a job worker (when they carry a zeebe:taskDefinition).
JOB_ELEMENT_TYPES = frozenset(
    {
        ElementType.SERVICE_TASK,
        ElementType.SEND_TASK,
        ElementType.SCRIPT_TASK,
        ElementType.BUSINESS_RULE_TASK,
        ElementType.INTERMEDIATE_THROW_EVENT,
        ElementType.END_EVENT,
    }
)


@dataclass(frozen=True, slots=True)
class Expr:
    """A Zeebe property value: `=...` is a FEEL expression, anything else a static string."""

    source: str
    compiled: feel.Expression | None

    @property
    def is_static(self) -> bool:
        return self.compiled is None


@dataclass(frozen=True, slots=True)
class VariableMapping:
    """One `zeebe:input` or `zeebe:output`: evaluate `source`, write it at the path `target`."""

    source: Expr
    target: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class JobDefinition:
    type: Expr
    retries: Expr
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class MessageDefinition:
    name: Expr
    correlation_key: Expr | None


@dataclass(frozen=True, slots=True)
class TimerDefinition:
    time_date: Expr | None = None
    time_duration: Expr | None = None
    time_cycle: Expr | None = None


@dataclass(frozen=True, slots=True)
class FlowNode:
    id: str
    name: str
    type: ElementType
    # The id of the element whose child this is: the process or a (event) subprocess.
    scope_id: str
    event_type: EventType = EventType.UNSPECIFIED
    incoming: tuple[str, ...] = ()
    outgoing: tuple[str, ...] = ()
    inputs: tuple[VariableMapping, ...] = ()
    outputs: tuple[VariableMapping, ...] = ()
    job: JobDefinition | None = None
    message: MessageDefinition | None = None
    timer: TimerDefinition | None = None
    # Error events: the code thrown or caught; None on a catch event catches every error.
    error_code: str | None = None
    error_code_expr: Expr | None = None
    default_flow: str | None = None
    # Boundary events: the activity they are attached to and whether they interrupt it.
    attached_to: str | None = None
    interrupting: bool = True
    boundary_events: tuple[str, ...] = ()
    # Scopes (subprocesses): their none start event and their event subprocesses.
    start_event: str | None = None
    event_subprocesses: tuple[str, ...] = ()
    form_id: str | None = None
    properties: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SequenceFlow:
    id: str
    name: str
    source: str
    target: str
    scope_id: str
    condition: Expr | None = None


@dataclass(frozen=True, slots=True)
class Process:
    """One executable process. Elements of nested scopes are in the same flat maps."""

    id: str
    name: str
    version_tag: str | None
    elements: Mapping[str, FlowNode]
    flows: Mapping[str, SequenceFlow]
    start_event: str | None
    event_subprocesses: tuple[str, ...] = ()

    def element(self, element_id: str) -> FlowNode:
        return self.elements[element_id]

    def flow(self, flow_id: str) -> SequenceFlow:
        return self.flows[flow_id]


@dataclass(frozen=True, slots=True)
class Form:
    id: str
    schema: Mapping[str, Any]
