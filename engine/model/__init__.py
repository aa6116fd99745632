"""The executable model: BPMN processes and Camunda forms, parsed and validated for the runtime."""

from engine.model.bpmn import parse_bpmn
from engine.model.elements import (
    JOB_ELEMENT_TYPES,
    ElementType,
    EventType,
    Expr,
    FlowNode,
    Form,
    JobDefinition,
    MessageDefinition,
    Process,
    SequenceFlow,
    TimerDefinition,
    VariableMapping,
)
from engine.model.errors import ModelError, Problem
from engine.model.forms import parse_form

__all__ = [
    "JOB_ELEMENT_TYPES",
    "ElementType",
    "EventType",
    "Expr",
    "FlowNode",
    "Form",
    "JobDefinition",
    "MessageDefinition",
    "ModelError",
    "Problem",
    "Process",
    "SequenceFlow",
    "TimerDefinition",
    "VariableMapping",
    "parse_bpmn",
    "parse_form",
]
