"""Builds small BPMN documents for the model tests."""

from __future__ import annotations

HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
    ' xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"'
    ' xmlns:modeler="http://camunda.org/schema/modeler/1.0"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    ' id="Definitions_1" targetNamespace="http://bpmn.io/schema/bpmn">\n'
)


def diagram(body: str, *, definitions: str = "", process_id: str = "p") -> bytes:
    """A document with one executable process holding `body`, and root elements `definitions`."""
    return (
        f'{HEADER}{definitions}<bpmn:process id="{process_id}" isExecutable="true">\n'
        f"{body}\n</bpmn:process>\n</bpmn:definitions>\n"
    ).encode()


def service_task(element_id: str, job_type: str = "work", extra: str = "") -> str:
    return (
        f'<bpmn:serviceTask id="{element_id}"><bpmn:extensionElements>'
        f'<zeebe:taskDefinition type="{job_type}" />{extra}</bpmn:extensionElements></bpmn:serviceTask>'
    )


def flow(flow_id: str, source: str, target: str, condition: str | None = None) -> str:
    if condition is None:
        return f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}" />'
    return (
        f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}">'
        f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}</bpmn:conditionExpression>'
        "</bpmn:sequenceFlow>"
    )


START = '<bpmn:startEvent id="start" />'
MESSAGE = (
    '<bpmn:message id="Msg" name="ticket-updated"><bpmn:extensionElements>'
    '<zeebe:subscription correlationKey="=ticketId" /></bpmn:extensionElements></bpmn:message>'
)
