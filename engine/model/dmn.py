"""DMN decision requirements graphs, as Camunda Modeler writes them, into an immutable model.

One `.dmn` file is one decision requirements graph (DRG). Decision tables and literal expressions
are supported, linked by required decisions, which is what Camunda Modeler edits for Camunda 8.
Every FEEL text is compiled here, at deployment, so a table that deploys never fails to parse at
evaluation; all problems of a file are collected and raised together as one `ModelError`.
What is accepted and how it behaves follows dmn-scala, Zeebe's DMN engine.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from engine import feel
from engine.model.bpmn_xml import ZEEBE_NS, parse_xml
from engine.model.errors import ProblemCollector

# DMN 1.1 to 1.5; Camunda Modeler writes 1.3 and reads all of them.
DMN_NAMESPACES = {
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd": "1.1",
    "http://www.omg.org/spec/DMN/20180521/MODEL/": "1.2",
    "https://www.omg.org/spec/DMN/20191111/MODEL/": "1.3",
    "https://www.omg.org/spec/DMN/20211108/MODEL/": "1.4",
    "https://www.omg.org/spec/DMN/20230324/MODEL/": "1.5",
}


class HitPolicy(StrEnum):
    UNIQUE = "UNIQUE"
    FIRST = "FIRST"
    PRIORITY = "PRIORITY"
    ANY = "ANY"
    COLLECT = "COLLECT"
    RULE_ORDER = "RULE ORDER"
    OUTPUT_ORDER = "OUTPUT ORDER"

    @property
    def single_hit(self) -> bool:
        return self in (HitPolicy.UNIQUE, HitPolicy.FIRST, HitPolicy.PRIORITY, HitPolicy.ANY)


class Aggregation(StrEnum):
    SUM = "SUM"
    MIN = "MIN"
    MAX = "MAX"
    COUNT = "COUNT"


class DecisionType(StrEnum):
    """Zeebe's `decisionType` of an evaluated decision."""

    DECISION_TABLE = "DECISION_TABLE"
    LITERAL_EXPRESSION = "LITERAL_EXPRESSION"


@dataclass(frozen=True, slots=True)
class DecisionInput:
    id: str
    label: str | None
    expression: feel.Expression
    type_ref: str | None
    # Kept for tools that suggest values; like Zeebe, evaluation does not check inputs against them.
    input_values: feel.UnaryTests | None


@dataclass(frozen=True, slots=True)
class DecisionOutput:
    id: str
    label: str | None
    # The key of this output in a rule's result context; the id stands in for a nameless single output.
    name: str
    type_ref: str | None
    # In decreasing priority, for PRIORITY and OUTPUT ORDER tables.
    output_values: tuple[Any, ...]
    default_output: feel.Expression | None


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    index: int
    """1-based position in the table, as Zeebe reports `ruleIndex`."""
    input_entries: tuple[feel.UnaryTests | None, ...]
    """None for an empty cell, which matches any input."""
    output_entries: tuple[feel.Expression | None, ...]
    """None for an empty cell, whose value is null."""


@dataclass(frozen=True, slots=True)
class DecisionTable:
    id: str | None
    hit_policy: HitPolicy
    aggregation: Aggregation | None
    inputs: tuple[DecisionInput, ...]
    outputs: tuple[DecisionOutput, ...]
    rules: tuple[Rule, ...]


@dataclass(frozen=True, slots=True)
class LiteralExpression:
    id: str | None
    expression: feel.Expression


@dataclass(frozen=True, slots=True)
class Decision:
    id: str
    name: str | None
    version_tag: str | None
    required_decisions: tuple[str, ...]
    logic: DecisionTable | LiteralExpression
    result_name: str
    """The name dependent decisions read this decision's result under: its variable's, else its id."""
    result_type: str | None

    @property
    def decision_type(self) -> DecisionType:
        if isinstance(self.logic, DecisionTable):
            return DecisionType.DECISION_TABLE
        return DecisionType.LITERAL_EXPRESSION


@dataclass(frozen=True, slots=True)
class DecisionRequirements:
    """One deployed `.dmn` file: Zeebe's decision requirements graph (DRG)."""

    id: str
    name: str | None
    namespace: str | None
    decisions: tuple[Decision, ...]

    def decision(self, decision_id: str) -> Decision | None:
        return next((decision for decision in self.decisions if decision.id == decision_id), None)


def parse_dmn(resource_name: str, data: bytes) -> DecisionRequirements:
    """Parse and validate a `.dmn` file; raises `ModelError` listing every problem found."""
    problems = ProblemCollector(resource_name)
    root = parse_xml(data, problems)
    namespace = root.tag[1:].partition("}")[0] if root.tag.startswith("{") else ""
    if namespace not in DMN_NAMESPACES or root.tag != f"{{{namespace}}}definitions":
        problems.fail(None, "not a DMN file: the root element must be a DMN 1.1 to 1.5 'definitions'")

    reader = _Reader(namespace, problems, root.get("expressionLanguage"))
    drg_id = root.get("id")
    if not drg_id:
        problems.add(None, "the 'definitions' element must have an id (the decision requirements id)")
    _check_unique_ids(root, problems)
    elements = root.findall(reader.tag("decision"))
    if not elements:
        problems.add(drg_id, "a decision requirements graph must contain at least one decision")
    decisions = [decision for element in elements if (decision := reader.decision(element))]
    # Decisions with problems of their own still exist for the decisions that require them.
    _check_requirements(decisions, {element.get("id") for element in elements}, problems)
    problems.raise_if_any()
    return DecisionRequirements(
        id=drg_id or "", name=root.get("name"), namespace=root.get("namespace"), decisions=tuple(decisions)
    )


def _check_unique_ids(root: ET.Element, problems: ProblemCollector) -> None:
    counts = Counter(element.get("id") for element in root.iter() if element.get("id"))
    for element_id, count in counts.items():
        if count > 1:
            problems.add(element_id, f"the id is used by {count} elements; ids must be unique in a file")


def _check_requirements(
    decisions: list[Decision], known: set[str | None], problems: ProblemCollector
) -> None:
    for decision in decisions:
        for required in decision.required_decisions:
            if required not in known:
                problems.add(decision.id, f"the required decision '{required}' does not exist in this file")
    parsed = {decision.id for decision in decisions}
    requirements = {
        decision.id: [r for r in decision.required_decisions if r in parsed] for decision in decisions
    }
    for cycle in _cycles(requirements):
        problems.add(cycle[0], f"required decisions form a cycle: {' → '.join([*cycle, cycle[0]])}")


def _cycles(requirements: dict[str, list[str]]) -> list[list[str]]:
    """Each cycle once, starting at its first decision in document order."""
    order = {decision_id: position for position, decision_id in enumerate(requirements)}
    done: set[str] = set()
    found: list[list[str]] = []

    def visit(decision_id: str, path: list[str]) -> None:
        if decision_id in path:
            cycle = path[path.index(decision_id) :]
            start = min(range(len(cycle)), key=lambda i: order[cycle[i]])
            rotated = cycle[start:] + cycle[:start]
            if rotated not in found:
                found.append(rotated)
            return
        if decision_id in done:
            return
        for required in requirements[decision_id]:
            visit(required, [*path, decision_id])
        done.add(decision_id)

    for decision_id in requirements:
        visit(decision_id, [])
    return found


class _Reader:
    """Reads the elements of one file, adding problems as it goes and returning what it could read."""

    def __init__(self, namespace: str, problems: ProblemCollector, default_language: str | None) -> None:
        self.namespace = namespace
        self.problems = problems
        self.default_language = default_language

    def tag(self, local_name: str) -> str:
        return f"{{{self.namespace}}}{local_name}"

    def text(self, element: ET.Element) -> str:
        """The trimmed text of the element's `<text>` child; empty when absent."""
        child = element.find(self.tag("text"))
        return (child.text or "").strip() if child is not None else ""

    def decision(self, element: ET.Element) -> Decision | None:
        decision_id = element.get("id")
        if not decision_id:
            self.problems.add(None, f"decision '{element.get('name') or ''}' must have an id")
            return None
        table = element.find(self.tag("decisionTable"))
        literal = element.find(self.tag("literalExpression"))
        logic: DecisionTable | LiteralExpression | None = None
        if table is not None:
            logic = self.decision_table(table, decision_id)
        elif literal is not None:
            logic = self.literal_expression(literal, decision_id)
        else:
            self.problems.add(decision_id, "a decision must have a decision table or a literal expression")
        if element.find(self.tag("knowledgeRequirement")) is not None:
            self.problems.add(
                decision_id, "business knowledge models (knowledge requirements) are not supported"
            )
        variable = element.find(self.tag("variable"))
        version_tag = element.find(f"{self.tag('extensionElements')}/{{{ZEEBE_NS}}}versionTag")
        if logic is None:
            return None
        return Decision(
            id=decision_id,
            name=element.get("name"),
            version_tag=version_tag.get("value") if version_tag is not None else None,
            required_decisions=self.required_decisions(element, decision_id),
            logic=logic,
            result_name=(variable.get("name") if variable is not None else None) or decision_id,
            result_type=variable.get("typeRef") if variable is not None else None,
        )

    def required_decisions(self, element: ET.Element, decision_id: str) -> tuple[str, ...]:
        required: list[str] = []
        path = f"{self.tag('informationRequirement')}/{self.tag('requiredDecision')}"
        for reference in element.findall(path):
            href = (reference.get("href") or "").strip()
            if not href.startswith("#") or len(href) == 1:
                self.problems.add(
                    decision_id, f"required decision reference '{href}' must be '#<decision id>' in this file"
                )
            else:
                required.append(href[1:])
        return tuple(required)

    def literal_expression(self, element: ET.Element, decision_id: str) -> LiteralExpression | None:
        expression = self.expression(element, decision_id, "the literal expression")
        return LiteralExpression(element.get("id"), expression) if expression is not None else None

    def decision_table(self, element: ET.Element, decision_id: str) -> DecisionTable | None:
        table_id = element.get("id") or decision_id
        hit_policy_text = element.get("hitPolicy", HitPolicy.UNIQUE.value)
        hit_policy = _enum_value(HitPolicy, hit_policy_text)
        if hit_policy is None:
            choices = ", ".join(policy.value for policy in HitPolicy)
            self.problems.add(table_id, f"unknown hit policy '{hit_policy_text}' (expected one of {choices})")
        aggregation_text = element.get("aggregation")
        aggregation = _enum_value(Aggregation, aggregation_text) if aggregation_text is not None else None
        if aggregation_text is not None and aggregation is None:
            choices = ", ".join(item.value for item in Aggregation)
            self.problems.add(
                table_id, f"unknown aggregation '{aggregation_text}' (expected one of {choices})"
            )

        inputs = [self.decision_input(item, table_id) for item in element.findall(self.tag("input"))]
        output_elements = element.findall(self.tag("output"))
        if not output_elements:
            self.problems.add(table_id, "a decision table must have at least one output")
        outputs = [self.decision_output(item, table_id, len(output_elements)) for item in output_elements]
        if aggregation is not None and hit_policy is HitPolicy.COLLECT and len(output_elements) > 1:
            self.problems.add(table_id, "a COLLECT aggregation needs a table with exactly one output")
        rules = [
            self.rule(item, index, table_id, len(inputs), len(outputs))
            for index, item in enumerate(element.findall(self.tag("rule")), start=1)
        ]
        if hit_policy is None or None in inputs or None in outputs or None in rules:
            return None
        return DecisionTable(
            id=element.get("id"),
            hit_policy=hit_policy,
            # Zeebe ignores an aggregation on any other hit policy, as the DMN standard defines none there.
            aggregation=aggregation if hit_policy is HitPolicy.COLLECT else None,
            inputs=tuple(item for item in inputs if item is not None),
            outputs=tuple(item for item in outputs if item is not None),
            rules=tuple(item for item in rules if item is not None),
        )

    def decision_input(self, element: ET.Element, table_id: str) -> DecisionInput | None:
        input_id = element.get("id") or table_id
        expression_element = element.find(self.tag("inputExpression"))
        expression = None
        if expression_element is None:
            self.problems.add(input_id, "an input must have an input expression")
        else:
            expression = self.expression(expression_element, input_id, "the input expression")
        values_element = element.find(self.tag("inputValues"))
        input_values = None
        if values_element is not None and (text := self.text(values_element)):
            input_values = self.unary_tests(values_element, text, input_id, "the input values")
        if expression is None or expression_element is None:
            return None
        return DecisionInput(
            id=input_id,
            label=element.get("label"),
            expression=expression,
            type_ref=expression_element.get("typeRef"),
            input_values=input_values,
        )

    def decision_output(self, element: ET.Element, table_id: str, output_count: int) -> DecisionOutput | None:
        output_id = element.get("id") or table_id
        name = element.get("name")
        if not name and output_count > 1:
            # The result of a table with several outputs is a context keyed by the output names.
            self.problems.add(output_id, "each output of a table with several outputs must have a name")
        values_element = element.find(self.tag("outputValues"))
        output_values: tuple[Any, ...] | None = ()
        if values_element is not None and (text := self.text(values_element)):
            output_values = self.output_values(text, output_id)
        default_element = element.find(self.tag("defaultOutputEntry"))
        default_output = None
        if default_element is not None:
            default_output = self.expression(default_element, output_id, "the default output entry")
        if output_values is None or (default_element is not None and default_output is None):
            return None
        return DecisionOutput(
            id=output_id,
            label=element.get("label"),
            name=name or output_id,
            type_ref=element.get("typeRef"),
            output_values=output_values,
            default_output=default_output,
        )

    def output_values(self, text: str, output_id: str) -> tuple[Any, ...] | None:
        """The literal values of `"high","medium","low"`, read as the FEEL list they spell."""
        problem = f"the output values '{text}' must be a comma-separated list of values"
        try:
            evaluation = feel.compile(f"[{text}]").evaluate_detailed({})
        except feel.FeelSyntaxError as error:
            self.problems.add(output_id, f"{problem} ({error})")
            return None
        if evaluation.warnings or not isinstance(evaluation.value, list):
            self.problems.add(output_id, f"{problem} ({'; '.join(evaluation.warnings)})")
            return None
        return tuple(evaluation.value)

    def rule(self, element: ET.Element, index: int, table_id: str, inputs: int, outputs: int) -> Rule | None:
        rule_id = element.get("id")
        if not rule_id:
            # Zeebe reports matched rules by id; a rule without one could never be recorded.
            self.problems.add(table_id, f"rule {index} must have an id")
        owner = rule_id or table_id
        input_elements = element.findall(self.tag("inputEntry"))
        output_elements = element.findall(self.tag("outputEntry"))
        if len(input_elements) != inputs:
            self.problems.add(
                owner, f"the rule has {len(input_elements)} input entries but the table has {inputs} inputs"
            )
        if len(output_elements) != outputs:
            self.problems.add(
                owner,
                f"the rule has {len(output_elements)} output entries but the table has {outputs} outputs",
            )
        valid = len(input_elements) == inputs and len(output_elements) == outputs
        input_entries: list[feel.UnaryTests | None] = []
        for position, entry in enumerate(input_elements, start=1):
            text = self.text(entry)
            tests = self.unary_tests(entry, text, owner, f"input entry {position}") if text else None
            valid = valid and (tests is not None or not text)
            input_entries.append(tests)
        output_entries: list[feel.Expression | None] = []
        for position, entry in enumerate(output_elements, start=1):
            text = self.text(entry)
            expression = self.expression(entry, owner, f"output entry {position}") if text else None
            valid = valid and (expression is not None or not text)
            output_entries.append(expression)
        if not valid or not rule_id:
            return None
        return Rule(rule_id, index, tuple(input_entries), tuple(output_entries))

    def expression(self, element: ET.Element, owner: str, what: str) -> feel.Expression | None:
        text = self.text(element)
        if not text:
            self.problems.add(owner, f"{what} must not be empty")
            return None
        if not self.is_feel(element, owner, what):
            return None
        try:
            return feel.compile(text)
        except feel.FeelSyntaxError as error:
            self.problems.add(owner, f"{what} '{text}' is not a valid FEEL expression ({error})")
            return None

    def unary_tests(self, element: ET.Element, text: str, owner: str, what: str) -> feel.UnaryTests | None:
        if not self.is_feel(element, owner, what):
            return None
        try:
            return feel.compile_unary_tests(text)
        except feel.FeelSyntaxError as error:
            self.problems.add(owner, f"{what} '{text}' are not valid FEEL unary tests ({error})")
            return None

    def is_feel(self, element: ET.Element, owner: str, what: str) -> bool:
        language = element.get("expressionLanguage") or self.default_language
        # FEEL is named by several URIs across DMN versions, each containing "feel".
        if language is None or "feel" in language.lower():
            return True
        self.problems.add(owner, f"{what}: expression language '{language}' is not supported, only FEEL")
        return False


_Enum = TypeVar("_Enum", bound=StrEnum)


def _enum_value(kind: type[_Enum], text: str) -> _Enum | None:
    try:
        return kind(text)
    except ValueError:
        return None
