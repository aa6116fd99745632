"""Where a process instance stands, rebuilt from its records in the log.

Built from the log rather than from the live state, so it also describes ended instances and can be
read from the database by any process (the test handle, the command line) while the engine runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.runtime.records import Record, ValueType


@dataclass(frozen=True, slots=True)
class OpenIncident:
    key: int
    error_type: str
    error_message: str
    element_id: str
    element_instance_key: int
    job_key: int


@dataclass
class InstanceView:
    key: int
    bpmn_process_id: str = ""
    # ACTIVE, COMPLETED or TERMINATED; UNKNOWN when the log has no such instance.
    state: str = "UNKNOWN"
    # element instance key -> (element id, last intent) for every element still in the instance
    active: dict[int, tuple[str, str]] = field(default_factory=dict)
    # element ids in the order they completed
    passed: list[str] = field(default_factory=list)
    terminated: list[str] = field(default_factory=list)
    taken_flows: list[str] = field(default_factory=list)
    # variables of the root scope
    variables: dict[str, Any] = field(default_factory=dict)
    incidents: dict[int, OpenIncident] = field(default_factory=dict)

    def waiting_at(self) -> list[str]:
        """Elements that are activated and waiting (a job, a message)."""
        return [element for element, intent in self.active.values() if intent == "ELEMENT_ACTIVATED"]


def instance_view(key: int, records: list[Record]) -> InstanceView:
    view = InstanceView(key)
    for record in records:
        value = record.value
        if record.value_type is ValueType.PROCESS_INSTANCE:
            _apply_element(view, record)
        elif record.value_type is ValueType.VARIABLE and value.get("scopeKey") == key:
            view.variables[value["name"]] = value["value"]
        elif record.value_type is ValueType.INCIDENT:
            if record.intent == "CREATED":
                view.incidents[record.key] = OpenIncident(
                    record.key,
                    value["errorType"],
                    value["errorMessage"],
                    value["elementId"],
                    value["elementInstanceKey"],
                    value["jobKey"],
                )
            else:
                view.incidents.pop(record.key, None)
    return view


def _apply_element(view: InstanceView, record: Record) -> None:
    value = record.value
    element_id = value["elementId"]
    if record.key == view.key:
        view.bpmn_process_id = value["bpmnProcessId"]
        view.state = {"ELEMENT_COMPLETED": "COMPLETED", "ELEMENT_TERMINATED": "TERMINATED"}.get(
            record.intent, "ACTIVE"
        )
        return
    if record.intent == "SEQUENCE_FLOW_TAKEN":
        view.taken_flows.append(element_id)
    elif record.intent == "ELEMENT_COMPLETED":
        view.active.pop(record.key, None)
        view.passed.append(element_id)
    elif record.intent == "ELEMENT_TERMINATED":
        view.active.pop(record.key, None)
        view.terminated.append(element_id)
    else:
        view.active[record.key] = (element_id, record.intent)
