"""The live entities of the engine's state and the indexes kept over them.

Entities are frozen: a change is a new value put into the current layer (`dataclasses.replace`),
so a dropped layer leaves the state below it untouched.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any

from engine.runtime.state import Index


class Kind(StrEnum):
    PROCESS = "process"
    FORM = "form"
    ELEMENT = "element"
    VARIABLES = "variables"
    JOB = "job"
    INCIDENT = "incident"
    SUBSCRIPTION = "subscription"
    MESSAGE = "message"
    USER_TASK = "user_task"
    TIMER = "timer"
    DECISION_REQUIREMENTS = "decision_requirements"
    DECISION = "decision"
    SIGNAL_SUBSCRIPTION = "signal_subscription"


@dataclass(frozen=True, slots=True)
class ProcessDefinition:
    key: int
    bpmn_process_id: str
    version: int
    resource_name: str
    checksum: str
    deployment_key: int
    resource: str
    deployed_at: int


@dataclass(frozen=True, slots=True)
class FormDefinition:
    key: int
    form_id: str
    version: int
    resource_name: str
    checksum: str
    deployment_key: int
    resource: str
    deployed_at: int


@dataclass(frozen=True, slots=True)
class DecisionRequirementsDefinition:
    key: int
    drg_id: str
    name: str
    version: int
    resource_name: str
    checksum: str
    deployment_key: int
    resource: str
    deployed_at: int


@dataclass(frozen=True, slots=True)
class DecisionDefinition:
    key: int
    decision_id: str
    name: str
    version: int
    drg_key: int
    drg_id: str
    deployment_key: int


class ElementState(StrEnum):
    ACTIVATING = "ACTIVATING"
    ACTIVATED = "ACTIVATED"
    COMPLETING = "COMPLETING"
    TERMINATING = "TERMINATING"


@dataclass(frozen=True, slots=True)
class ElementInstance:
    key: int
    process_instance_key: int
    process_definition_key: int
    bpmn_process_id: str
    version: int
    element_id: str
    element_type: str
    # None for the process instance itself.
    flow_scope_key: int | None
    state: ElementState
    started_at: int
    job_key: int | None = None
    # The sequence flow that led here, for the record log and the live views.
    entered_by: str | None = None
    # Parallel joins waiting in this scope: gateway id -> flow id -> tokens that arrived.
    joins: tuple[tuple[str, tuple[tuple[str, int], ...]], ...] = ()
    # A multi-instance body: the input collection as evaluated, and how many inner instances completed.
    collection: tuple[Any, ...] | None = None
    completed: int = 0
    # A call activity: the process instance it called. A called process instance: its caller.
    called_instance_key: int | None = None
    caller_key: int | None = None
    # A process instance started by a message: that message's correlation key.
    start_correlation_key: str | None = None


@dataclass(frozen=True, slots=True)
class Variable:
    key: int
    value: Any


@dataclass(frozen=True, slots=True)
class ScopeVariables:
    """The variables of one scope (a process instance or an element instance)."""

    scope_key: int
    process_instance_key: int
    variables: dict[str, Variable] = field(default_factory=dict)


class JobState(StrEnum):
    ACTIVATABLE = "ACTIVATABLE"
    ACTIVATED = "ACTIVATED"
    FAILED = "FAILED"
    ERROR_THROWN = "ERROR_THROWN"


@dataclass(frozen=True, slots=True)
class Job:
    key: int
    type: str
    state: JobState
    retries: int
    process_instance_key: int
    element_instance_key: int
    element_id: str
    bpmn_process_id: str
    process_definition_key: int
    version: int
    custom_headers: dict[str, str]
    created_at: int
    worker: str = ""
    deadline: int = -1
    # A failed job with retries left becomes activatable again at this time.
    retry_at: int = -1
    error_message: str = ""
    error_code: str = ""


@dataclass(frozen=True, slots=True)
class Incident:
    key: int
    error_type: str
    error_message: str
    process_instance_key: int
    process_definition_key: int
    bpmn_process_id: str
    element_id: str
    element_instance_key: int
    created_at: int
    job_key: int | None = None


@dataclass(frozen=True, slots=True)
class MessageSubscription:
    key: int
    message_name: str
    correlation_key: str
    process_instance_key: int
    bpmn_process_id: str
    # The element instance that waits (a catch event, a receive task, or the host of a boundary event).
    element_instance_key: int
    # The element that the message triggers (the catch event itself or a boundary event).
    element_id: str
    interrupting: bool = True
    # A message start event of the latest version of a process waits with no element instance.
    process_definition_key: int = -1


@dataclass(frozen=True, slots=True)
class Message:
    key: int
    name: str
    correlation_key: str
    message_id: str
    variables: dict[str, Any]
    published_at: int
    expires_at: int
    # bpmn process ids this message has been correlated to: a message correlates once per process.
    correlated_processes: frozenset[str] = frozenset()


class UserTaskState(StrEnum):
    CREATED = "CREATED"


@dataclass(frozen=True, slots=True)
class UserTask:
    """A Zeebe user task (`zeebe:userTask`): work for a person, done through a task list."""

    key: int
    element_instance_key: int
    process_instance_key: int
    bpmn_process_id: str
    process_definition_key: int
    version: int
    element_id: str
    created_at: int
    state: UserTaskState = UserTaskState.CREATED
    assignee: str | None = None
    candidate_groups: tuple[str, ...] = ()
    candidate_users: tuple[str, ...] = ()
    due_date: str | None = None
    follow_up_date: str | None = None
    priority: int = 50
    form_key: int | None = None
    external_form_reference: str | None = None
    custom_headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Timer:
    """A scheduled timer event: a catch event, a boundary event, or a timer start event."""

    key: int
    element_id: str
    process_definition_key: int
    bpmn_process_id: str
    due_at: int
    # The element instance that waits: the catch event, the boundary event's host, or the scope of an
    # event subprocess; -1 for a process's timer start event.
    element_instance_key: int = -1
    process_instance_key: int = -1
    # Cycles: firings left (-1 = forever) and the definition to compute the next one from.
    repetitions: int = 1
    cycle: str | None = None
    interrupting: bool = True


@dataclass(frozen=True, slots=True)
class SignalSubscription:
    """A signal catch event, boundary event or start event waiting for a broadcast signal."""

    key: int
    signal_name: str
    element_id: str
    bpmn_process_id: str
    process_definition_key: int
    # The waiting element instance; -1 for a process's signal start event.
    element_instance_key: int = -1
    process_instance_key: int = -1
    interrupting: bool = True


ENTITY_TYPES: dict[Kind, type[Any]] = {
    Kind.PROCESS: ProcessDefinition,
    Kind.FORM: FormDefinition,
    Kind.ELEMENT: ElementInstance,
    Kind.VARIABLES: ScopeVariables,
    Kind.JOB: Job,
    Kind.INCIDENT: Incident,
    Kind.SUBSCRIPTION: MessageSubscription,
    Kind.MESSAGE: Message,
    Kind.USER_TASK: UserTask,
    Kind.TIMER: Timer,
    Kind.DECISION_REQUIREMENTS: DecisionRequirementsDefinition,
    Kind.DECISION: DecisionDefinition,
    Kind.SIGNAL_SUBSCRIPTION: SignalSubscription,
}


def _activatable_type(job: Job) -> str | None:
    return job.type if job.state is JobState.ACTIVATABLE else None


INDEXES: dict[str, tuple[Index, ...]] = {
    Kind.PROCESS: (Index("bpmn_process_id", lambda d: d.bpmn_process_id),),
    Kind.FORM: (Index("form_id", lambda f: f.form_id),),
    Kind.ELEMENT: (
        Index("flow_scope", lambda e: e.flow_scope_key),
        Index("process_instance", lambda e: e.process_instance_key),
        Index(
            "started_by",
            lambda e: (e.bpmn_process_id, e.start_correlation_key) if e.start_correlation_key else None,
        ),
    ),
    Kind.VARIABLES: (),
    Kind.JOB: (
        Index("activatable", _activatable_type),
        Index("activated", lambda j: True if j.state is JobState.ACTIVATED else None),
        Index("backoff", lambda j: True if j.state is JobState.FAILED and j.retry_at >= 0 else None),
    ),
    Kind.INCIDENT: (
        Index("process_instance", lambda i: i.process_instance_key),
        Index("element_instance", lambda i: i.element_instance_key),
    ),
    Kind.SUBSCRIPTION: (
        Index(
            "correlation",
            lambda s: (s.message_name, s.correlation_key) if s.element_instance_key >= 0 else None,
        ),
        Index("element_instance", lambda s: s.element_instance_key if s.element_instance_key >= 0 else None),
        Index("start_message", lambda s: s.message_name if s.element_instance_key < 0 else None),
        Index("start_of", lambda s: s.process_definition_key if s.element_instance_key < 0 else None),
    ),
    Kind.MESSAGE: (
        Index("correlation", lambda m: (m.name, m.correlation_key)),
        Index("message_id", lambda m: (m.name, m.correlation_key, m.message_id) if m.message_id else None),
        Index("all", lambda m: True),
    ),
    Kind.USER_TASK: (Index("element_instance", lambda t: t.element_instance_key),),
    Kind.DECISION_REQUIREMENTS: (Index("drg_id", lambda d: d.drg_id),),
    Kind.DECISION: (Index("decision_id", lambda d: d.decision_id),),
    Kind.SIGNAL_SUBSCRIPTION: (
        Index("signal_name", lambda s: s.signal_name),
        Index("element_instance", lambda s: s.element_instance_key if s.element_instance_key >= 0 else None),
        Index(
            "process_definition", lambda s: s.process_definition_key if s.element_instance_key < 0 else None
        ),
    ),
    Kind.TIMER: (
        Index("element_instance", lambda t: t.element_instance_key if t.element_instance_key >= 0 else None),
        Index(
            "process_definition", lambda t: t.process_definition_key if t.element_instance_key < 0 else None
        ),
        Index("all", lambda t: True),
    ),
}

_FIELD_NAMES: dict[type[Any], tuple[str, ...]] = {
    cls: tuple(f.name for f in fields(cls)) for cls in ENTITY_TYPES.values()
}


def entity_fields(cls: type[Any]) -> tuple[str, ...]:
    return _FIELD_NAMES[cls]
