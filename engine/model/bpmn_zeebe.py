"""Zeebe's extension elements (`zeebe:*`) and property values of one BPMN element.

Property values follow Zeebe's convention: a value starting with `=` is a FEEL expression, anything
else a static string. Every problem is reported against the element being read.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime
from typing import Any

from engine import feel
from engine.model.bpmn_xml import bpmn, extension, extensions, text, zeebe
from engine.model.elements import Expr, JobDefinition, TimerDefinition, VariableMapping
from engine.model.errors import ProblemCollector

DEFAULT_JOB_RETRIES = "3"

_DURATION = re.compile(r"-?P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?")
_REPETITION = re.compile(r"R(\d*)/(?:(?P<start>[^/]+)/)?(?P<interval>[^/]+)")
_CRON_MACROS = frozenset({"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"})
_SPRING_CRON_FIELDS = 6

# Extension elements that change what Zeebe executes; ignoring them would run the diagram
# differently from Camunda 8, so they are refused.
_UNSUPPORTED_EXTENSIONS = {
    "executionListeners": "execution listeners",
    "taskListeners": "task listeners",
    "publishMessage": "zeebe:publishMessage (publish messages from a job worker instead)",
}


class ElementReader:
    """Reads the properties of one BPMN element, reporting problems against its id."""

    def __init__(self, problems: ProblemCollector, element: ET.Element, element_id: str) -> None:
        self.problems = problems
        self.element = element
        self.element_id = element_id

    def problem(self, message: str) -> None:
        self.problems.add(self.element_id, message)

    def expr(self, value: str, where: str) -> Expr:
        """A property value: static, or FEEL when it starts with `=`."""
        if not value.startswith("="):
            return Expr(value, None)
        try:
            return Expr(value, feel.compile(value[1:]))
        except feel.FeelSyntaxError as error:
            self.problem(f"{where} is not a valid FEEL expression: {error}")
            # Never reaches the runtime: the collected problem fails the whole deployment.
            return Expr(value, None)

    def feel_expr(self, value: str, where: str) -> Expr:
        """A value that has to be a FEEL expression (a condition), never a static string."""
        if not value.startswith("="):
            self.problem(f"{where} must be a FEEL expression starting with '=' (got {value!r})")
        return self.expr(value, where)

    def required(self, element: ET.Element, attribute: str, where: str) -> str | None:
        value = element.get(attribute, "").strip()
        if not value:
            self.problem(f"{where} must have a non-empty '{attribute}' attribute")
            return None
        return value

    def optional_expr(self, element: ET.Element, attribute: str, where: str) -> Expr | None:
        value = element.get(attribute, "").strip()
        return self.expr(value, f"{where} {attribute}") if value else None

    def flag(self, element: ET.Element, attribute: str, default: bool) -> bool:
        value = element.get(attribute)
        if value is None:
            return default
        if value.strip() not in ("true", "false"):
            self.problem(f"attribute '{attribute}' must be 'true' or 'false' (got {value!r})")
            return default
        return value.strip() == "true"

    def refuse_unsupported_extensions(self) -> None:
        for name, description in _UNSUPPORTED_EXTENSIONS.items():
            if extension(self.element, name) is not None:
                self.problem(f"{description} are not supported by this engine")

    def has_task_definition(self) -> bool:
        return extension(self.element, "taskDefinition") is not None

    def job(self, kind: str) -> JobDefinition | None:
        """The job of a task or event worked on by a job worker; None (and a problem) without one."""
        definition = extension(self.element, "taskDefinition")
        job_type = definition.get("type", "").strip() if definition is not None else ""
        if definition is None or not job_type:
            self.problem(f"{kind} must have a job type (zeebe:taskDefinition type)")
            return None
        retries = definition.get("retries", "").strip() or DEFAULT_JOB_RETRIES
        if not retries.startswith("=") and not retries.isdigit():
            self.problem(
                f"zeebe:taskDefinition retries must be a number or a FEEL expression (got {retries!r})"
            )
        return JobDefinition(
            type=self.expr(job_type, "zeebe:taskDefinition type"),
            retries=self.expr(retries, "zeebe:taskDefinition retries"),
            headers=self.headers(),
        )

    def headers(self) -> tuple[tuple[str, str], ...]:
        headers: list[tuple[str, str]] = []
        for container in extensions(self.element, "taskHeaders"):
            for header in container.findall(zeebe("header")):
                key = self.required(header, "key", "zeebe:header")
                if key is not None:
                    headers.append((key, header.get("value", "")))
        return tuple(headers)

    def mappings(self) -> tuple[tuple[VariableMapping, ...], tuple[VariableMapping, ...]]:
        """The `zeebe:ioMapping` inputs and outputs."""
        inputs: list[VariableMapping] = []
        outputs: list[VariableMapping] = []
        for container in extensions(self.element, "ioMapping"):
            for kind, into in (("input", inputs), ("output", outputs)):
                for mapping in container.findall(zeebe(kind)):
                    parsed = self._mapping(mapping, f"zeebe:{kind}")
                    if parsed is not None:
                        into.append(parsed)
        return tuple(inputs), tuple(outputs)

    def _mapping(self, mapping: ET.Element, where: str) -> VariableMapping | None:
        source = self.required(mapping, "source", where)
        target = self.required(mapping, "target", where)
        if source is None or target is None:
            return None
        path = tuple(segment.strip() for segment in target.split("."))
        if not all(path):
            self.problem(f"{where} target {target!r} must be a variable name or a dotted path")
            return None
        return VariableMapping(source=self.expr(source, f"{where} source for {target!r}"), target=path)

    def custom_properties(self) -> dict[str, str]:
        """`zeebe:properties`: free-form name/value pairs that modelers attach to elements."""
        return {
            prop.get("name", ""): prop.get("value", "")
            for container in extensions(self.element, "properties")
            for prop in container.findall(zeebe("property"))
        }

    def form(self) -> tuple[str | None, dict[str, Any]]:
        """The linked Camunda form id, and properties with other `zeebe:formDefinition` attributes."""
        definition = extension(self.element, "formDefinition")
        if definition is None:
            return None, {}
        form_id = definition.get("formId", "").strip() or None
        others = {
            name: self.expr(value, f"zeebe:formDefinition {name}")
            for name, value in definition.attrib.items()
            if name != "formId"
        }
        if form_id is None and not {"formKey", "externalReference"} & others.keys():
            self.problem("zeebe:formDefinition must have a formId, formKey or externalReference")
        return form_id, {"formDefinition": others} if others else {}

    def user_task(self) -> dict[str, Any]:
        properties: dict[str, Any] = {}
        if extension(self.element, "userTask") is not None:
            properties["userTask"] = True
        for name, attributes in (
            ("assignmentDefinition", ("assignee", "candidateGroups", "candidateUsers")),
            ("taskSchedule", ("dueDate", "followUpDate")),
            ("priorityDefinition", ("priority",)),
        ):
            found = extension(self.element, name)
            if found is None:
                continue
            values = {
                attribute: value
                for attribute in attributes
                if (value := self.optional_expr(found, attribute, f"zeebe:{name}")) is not None
            }
            if values:
                properties[name] = values
        return properties

    def called_element(self) -> dict[str, Any] | None:
        called = extension(self.element, "calledElement")
        if called is None:
            self.problem("a call activity must have zeebe:calledElement processId")
            return None
        process_id = self.required(called, "processId", "zeebe:calledElement")
        if process_id is None:
            return None
        return {
            "processId": self.expr(process_id, "zeebe:calledElement processId"),
            "propagateAllChildVariables": self.flag(called, "propagateAllChildVariables", True),
            "propagateAllParentVariables": self.flag(called, "propagateAllParentVariables", True),
            "bindingType": called.get("bindingType", "latest"),
        }

    def called_decision(self) -> dict[str, Any] | None:
        called = extension(self.element, "calledDecision")
        if called is None:
            return None
        decision_id = self.required(called, "decisionId", "zeebe:calledDecision")
        result_variable = self.required(called, "resultVariable", "zeebe:calledDecision")
        if decision_id is None or result_variable is None:
            return None
        return {
            "decisionId": self.expr(decision_id, "zeebe:calledDecision decisionId"),
            "resultVariable": result_variable,
            "bindingType": called.get("bindingType", "latest"),
        }

    def script(self) -> dict[str, Any] | None:
        script = extension(self.element, "script")
        if script is None:
            return None
        expression = self.required(script, "expression", "zeebe:script")
        result_variable = self.required(script, "resultVariable", "zeebe:script")
        if expression is None or result_variable is None:
            return None
        return {
            "expression": self.feel_expr(expression, "zeebe:script expression"),
            "resultVariable": result_variable,
        }

    def multi_instance(self) -> dict[str, Any] | None:
        loop = self.element.find(bpmn("multiInstanceLoopCharacteristics"))
        if loop is None:
            if self.element.find(bpmn("standardLoopCharacteristics")) is not None:
                self.problem("standard loops are not supported (use multi-instance)")
            return None
        characteristics = extension(loop, "loopCharacteristics")
        where = "zeebe:loopCharacteristics"
        if characteristics is None:
            self.problem(f"a multi-instance activity must have {where} inputCollection")
            return None
        input_collection = self.required(characteristics, "inputCollection", where)
        output_collection = characteristics.get("outputCollection", "").strip() or None
        output_element = self.optional_expr(characteristics, "outputElement", where)
        if (output_collection is None) != (output_element is None):
            self.problem(f"{where} outputCollection and outputElement must be set together")
        condition = text(loop.find(bpmn("completionCondition")))
        return {
            "isSequential": self.flag(loop, "isSequential", False),
            "inputCollection": self.expr(input_collection or "", f"{where} inputCollection"),
            "inputElement": characteristics.get("inputElement", "").strip() or None,
            "outputCollection": output_collection,
            "outputElement": output_element,
            "completionCondition": (
                self.feel_expr(condition, "completionCondition") if condition is not None else None
            ),
        }

    def timer(self, definition: ET.Element) -> TimerDefinition:
        values: dict[str, Expr] = {}
        for tag, field in (
            ("timeDate", "time_date"),
            ("timeDuration", "time_duration"),
            ("timeCycle", "time_cycle"),
        ):
            value = text(definition.find(bpmn(tag)))
            if value is None:
                continue
            values[field] = self.expr(value, tag)
            if not value.startswith("="):
                self._check_static_timer(tag, value)
        if len(values) != 1:
            self.problem("a timer must have exactly one of timeDate, timeDuration or timeCycle")
        return TimerDefinition(**values)

    def _check_static_timer(self, tag: str, value: str) -> None:
        if tag == "timeDuration":
            valid = _DURATION.fullmatch(value) is not None
            expected = "an ISO 8601 duration such as PT10M or P3D"
        elif tag == "timeDate":
            valid = _is_date_time(value)
            expected = "an ISO 8601 date-time such as 2025-01-31T09:00:00+08:00"
        else:
            valid = _is_cycle(value)
            expected = "an ISO 8601 repetition such as R5/PT10M or a cron expression"
        if not valid:
            self.problem(f"{tag} {value!r} is not {expected}")


def _is_date_time(value: str) -> bool:
    # Zeebe accepts a zone id after '@' (2025-01-31T09:00:00@Asia/Shanghai).
    date_time, _, _zone = value.partition("@")
    try:
        datetime.fromisoformat(date_time)
    except ValueError:
        return False
    return "T" in date_time


def _is_cycle(value: str) -> bool:
    repetition = _REPETITION.fullmatch(value)
    if repetition is not None:
        start = repetition.group("start")
        return _DURATION.fullmatch(repetition.group("interval")) is not None and (
            start is None or _is_date_time(start)
        )
    return value in _CRON_MACROS or len(value.split()) == _SPRING_CRON_FIELDS
