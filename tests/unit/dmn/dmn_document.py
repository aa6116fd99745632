"""Small DMN documents and the fixture files, for the DMN tests."""

from __future__ import annotations

from pathlib import Path

from engine.model.dmn import DecisionRequirements, parse_dmn

DECISIONS = Path(__file__).parent / "decisions"
DMN13 = "https://www.omg.org/spec/DMN/20191111/MODEL/"


def load(file_name: str) -> DecisionRequirements:
    return parse_dmn(file_name, (DECISIONS / file_name).read_bytes())


def document(body: str, *, namespace: str = DMN13, drg_id: str = "Definitions_1") -> bytes:
    """A DRG holding `body`, declared the way Camunda Modeler declares it."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<definitions xmlns="{namespace}" xmlns:modeler="http://camunda.org/schema/modeler/1.0"'
        f' xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="{drg_id}" name="DRD"'
        ' namespace="http://camunda.org/schema/1.0/dmn" modeler:executionPlatform="Camunda Cloud">\n'
        f"{body}\n</definitions>\n"
    ).encode()


def literal_decision(
    decision_id: str, text: str, *, requires: tuple[str, ...] = (), variable: str = ""
) -> str:
    requirements = "".join(
        f'<informationRequirement id="Req_{decision_id}_{required}">'
        f'<requiredDecision href="#{required}" /></informationRequirement>'
        for required in requires
    )
    return (
        f'<decision id="{decision_id}" name="{decision_id}">{variable}{requirements}'
        f'<literalExpression id="Literal_{decision_id}"><text>{text}</text></literalExpression></decision>'
    )


def table_decision(
    decision_id: str,
    rules: list[tuple[list[str], list[str]]],
    *,
    inputs: tuple[str, ...] = ("score",),
    outputs: tuple[str, ...] = ("result",),
    attributes: str = "",
) -> str:
    """A decision table: one `<input>` per input expression, one `<rule>` per (input, output) entries."""
    parts = [f'<decision id="{decision_id}" name="{decision_id}">']
    parts.append(f'<decisionTable id="Table_{decision_id}"{attributes}>')
    for number, expression in enumerate(inputs, start=1):
        parts.append(
            f'<input id="{decision_id}_Input{number}" label="{expression}">'
            f'<inputExpression id="{decision_id}_InputExpression{number}" typeRef="string">'
            f"<text>{expression}</text></inputExpression></input>"
        )
    parts.extend(
        f'<output id="{decision_id}_Output{number}" name="{name}" typeRef="string" />'
        for number, name in enumerate(outputs, start=1)
    )
    for number, (input_entries, output_entries) in enumerate(rules, start=1):
        rule_id = f"{decision_id}_Rule{number}"
        parts.append(f'<rule id="{rule_id}">')
        parts.extend(
            f'<inputEntry id="{rule_id}_In{index}"><text>{text}</text></inputEntry>'
            for index, text in enumerate(input_entries, start=1)
        )
        parts.extend(
            f'<outputEntry id="{rule_id}_Out{index}"><text>{text}</text></outputEntry>'
            for index, text in enumerate(output_entries, start=1)
        )
        parts.append("</rule>")
    parts.append("</decisionTable></decision>")
    return "".join(parts)
