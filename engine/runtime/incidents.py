"""Raising and clearing incidents."""

from __future__ import annotations

from engine.runtime.context import Context
from engine.runtime.entities import ElementInstance, Incident, Kind
from engine.runtime.records import ValueType


class ErrorType:
    JOB_NO_RETRIES = "JOB_NO_RETRIES"
    CONDITION_ERROR = "CONDITION_ERROR"
    EXTRACT_VALUE_ERROR = "EXTRACT_VALUE_ERROR"
    IO_MAPPING_ERROR = "IO_MAPPING_ERROR"
    UNHANDLED_ERROR_EVENT = "UNHANDLED_ERROR_EVENT"
    CALLED_ELEMENT_ERROR = "CALLED_ELEMENT_ERROR"


def incident_value(incident: Incident) -> dict[str, object]:
    return {
        "errorType": incident.error_type,
        "errorMessage": incident.error_message,
        "bpmnProcessId": incident.bpmn_process_id,
        "processDefinitionKey": incident.process_definition_key,
        "processInstanceKey": incident.process_instance_key,
        "elementId": incident.element_id,
        "elementInstanceKey": incident.element_instance_key,
        "jobKey": incident.job_key if incident.job_key is not None else -1,
    }


def raise_incident(
    ctx: Context, instance: ElementInstance, error_type: str, message: str, job_key: int | None = None
) -> Incident:
    incident = Incident(
        key=ctx.new_key(),
        error_type=error_type,
        error_message=message,
        process_instance_key=instance.process_instance_key,
        process_definition_key=instance.process_definition_key,
        bpmn_process_id=instance.bpmn_process_id,
        element_id=instance.element_id,
        element_instance_key=instance.key,
        created_at=ctx.now,
        job_key=job_key,
    )
    ctx.layer.put(Kind.INCIDENT, incident.key, incident)
    ctx.record(
        ValueType.INCIDENT, "CREATED", incident.key, incident_value(incident), incident.process_instance_key
    )
    return incident


def clear_incident(ctx: Context, incident: Incident) -> None:
    ctx.layer.delete(Kind.INCIDENT, incident.key)
    ctx.record(
        ValueType.INCIDENT, "RESOLVED", incident.key, incident_value(incident), incident.process_instance_key
    )


def clear_incidents_of(ctx: Context, element_instance_key: int) -> None:
    for incident in ctx.layer.find(Kind.INCIDENT, "element_instance", element_instance_key):
        clear_incident(ctx, incident)
