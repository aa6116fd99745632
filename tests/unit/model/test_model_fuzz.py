"""Property-based tests: no deployed file, however malformed, gets past the parsers as anything but
`ModelError` (a resource with readable problems) or a parsed model.

A deployment is bytes from anybody who reaches the gateway: XML garbage, XML with a random BPMN
structure, huge attribute values, deep nesting, unknown elements, DTDs with entity bombs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from bpmn_diagram import HEADER, diagram
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.model import ModelError, parse_bpmn, parse_form
from engine.model.dmn import parse_dmn

_SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

Parser = Callable[[str, bytes], Any]
PARSERS: list[tuple[str, Parser]] = [
    ("fuzz.bpmn", parse_bpmn),
    ("fuzz.dmn", parse_dmn),
    ("fuzz.form", parse_form),
]

_TAGS = [
    "bpmn:process",
    "bpmn:startEvent",
    "bpmn:endEvent",
    "bpmn:serviceTask",
    "bpmn:userTask",
    "bpmn:scriptTask",
    "bpmn:subProcess",
    "bpmn:callActivity",
    "bpmn:exclusiveGateway",
    "bpmn:parallelGateway",
    "bpmn:inclusiveGateway",
    "bpmn:eventBasedGateway",
    "bpmn:intermediateCatchEvent",
    "bpmn:boundaryEvent",
    "bpmn:sequenceFlow",
    "bpmn:conditionExpression",
    "bpmn:extensionElements",
    "bpmn:timerEventDefinition",
    "bpmn:timeDuration",
    "bpmn:timeCycle",
    "bpmn:messageEventDefinition",
    "bpmn:errorEventDefinition",
    "bpmn:signalEventDefinition",
    "bpmn:multiInstanceLoopCharacteristics",
    "bpmn:loopCardinality",
    "bpmn:message",
    "bpmn:error",
    "bpmn:signal",
    "bpmn:unknownThing",
    "zeebe:taskDefinition",
    "zeebe:ioMapping",
    "zeebe:input",
    "zeebe:output",
    "zeebe:taskHeaders",
    "zeebe:header",
    "zeebe:subscription",
    "zeebe:calledElement",
    "zeebe:script",
    "zeebe:userTask",
    "zeebe:formDefinition",
    "zeebe:assignmentDefinition",
    "zeebe:loopCharacteristics",
    "zeebe:calledDecision",
    "other:element",
]
_ATTRIBUTES = [
    "id",
    "name",
    "sourceRef",
    "targetRef",
    "attachedToRef",
    "default",
    "type",
    "retries",
    "source",
    "target",
    "key",
    "value",
    "correlationKey",
    "processId",
    "expression",
    "resultVariable",
    "inputCollection",
    "inputElement",
    "outputCollection",
    "outputElement",
    "isSequential",
    "cancelActivity",
    "messageRef",
    "errorRef",
    "signalRef",
    "errorCode",
    "formId",
    "formKey",
    "assignee",
    "candidateGroups",
    "dueDate",
    "isExecutable",
    "decisionId",
    "xsi:type",
]
_VALUES = [
    "a",
    "b",
    "start",
    "end",
    "task",
    "f1",
    "true",
    "false",
    "-1",
    "3",
    "",
    " ",
    "=x",
    "=1 +",
    "=a.b[1]",
    "=&quot;text&quot;",
    "=" + "(" * 300 + "1" + ")" * 300,
    "R5/PT1S",
    "PT-1S",
    "0 0 * * * ?",
    "P99999999Y",
    "9999-12-31T23:59:59Z",
    "&lt;&amp;&quot;",
    "民声",
    "x" * 300,
]


class _Reader:
    """Turns a list of small numbers into XML: one cheap draw for hypothesis, which still shrinks it."""

    def __init__(self, numbers: list[int]) -> None:
        self.numbers = numbers
        self.at = 0

    def next(self) -> int:
        if self.at >= len(self.numbers):
            return 0
        self.at += 1
        return self.numbers[self.at - 1]

    def pick(self, options: list[str]) -> str:
        return options[self.next() % len(options)]

    def element(self, depth: int) -> str:
        tag = self.pick(_TAGS)
        names = dict.fromkeys(self.pick(_ATTRIBUTES) for _ in range(self.next() % 5))
        attributes = "".join(f' {name}="{self.pick(_VALUES)}"' for name in names)
        children = ""
        if depth < 4:
            children = "".join(self.element(depth + 1) for _ in range(self.next() % 4))
        text = self.pick(_VALUES) if self.next() % 3 == 0 else ""
        return f"<{tag}{attributes}>{text}{children}</{tag}>"

    def elements(self) -> str:
        parts = []
        while self.at < len(self.numbers):
            parts.append(self.element(0))
        return "".join(parts)


_STRUCTURE = st.lists(st.integers(0, 255), max_size=300).map(lambda numbers: _Reader(numbers).elements())


def _check(name: str, parse: Parser, data: bytes) -> None:
    try:
        parse(name, data)
    except ModelError as error:
        assert str(error).strip(), "a refused resource names its problems"


@pytest.mark.parametrize(("name", "parse"), PARSERS)
@_SETTINGS
@given(data=st.binary(max_size=2000))
def test_random_bytes_are_refused_with_a_readable_problem(name: str, parse: Parser, data: bytes) -> None:
    _check(name, parse, data)


@pytest.mark.parametrize(("name", "parse"), PARSERS)
@_SETTINGS
@given(text=st.text(max_size=2000))
def test_random_text_is_refused_with_a_readable_problem(name: str, parse: Parser, text: str) -> None:
    _check(name, parse, text.encode("utf-8", "surrogatepass"))


@_SETTINGS
@given(body=_STRUCTURE, definitions=_STRUCTURE)
def test_random_bpmn_structure_parses_or_is_refused(body: str, definitions: str) -> None:
    _check("fuzz.bpmn", parse_bpmn, diagram(body, definitions=definitions))


@_SETTINGS
@given(body=_STRUCTURE)
def test_random_elements_in_a_dmn_file_parse_or_are_refused(body: str) -> None:
    dmn = (
        '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d" '
        f'namespace="n">{body}</definitions>'
    )
    _check("fuzz.dmn", parse_dmn, dmn.encode())


_DMN_HEAD = '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d">'
_NESTED: dict[str, tuple[str, Parser, Callable[[int], bytes]]] = {
    # Deep nesting of elements the parser walks recursively, and of ones it ignores.
    "subprocesses": (
        "deep.bpmn",
        parse_bpmn,
        lambda n: diagram(
            '<bpmn:startEvent id="s"/>'
            + "".join(f'<bpmn:subProcess id="sp{i}"><bpmn:startEvent id="s{i}"/>' for i in range(n))
            + "</bpmn:subProcess>" * n
        ),
    ),
    "extension-elements": (
        "deep.bpmn",
        parse_bpmn,
        lambda n: diagram(
            '<bpmn:startEvent id="s"/><bpmn:serviceTask id="t"><bpmn:extensionElements>'
            + "<other:x xmlns:other='urn:x'>" * n
            + "</other:x>" * n
            + "</bpmn:extensionElements></bpmn:serviceTask>"
        ),
    ),
    "unknown-elements": (
        "deep.bpmn",
        parse_bpmn,
        lambda n: (HEADER + "<bpmn:unknown>" * n + "</bpmn:unknown>" * n + "</bpmn:definitions>").encode(),
    ),
    "dmn-elements": (
        "deep.dmn",
        parse_dmn,
        lambda n: (_DMN_HEAD + "<decision>" * n + "</decision>" * n + "</definitions>").encode(),
    ),
    "form-components": (
        "deep.form",
        parse_form,
        lambda n: ('{"id": "f", "components": [' + "[" * n + "]" * n + "]}").encode(),
    ),
    "form-objects": ("deep.form", parse_form, lambda n: ('{"a":' * n + "1" + "}" * n).encode()),
}


@pytest.mark.parametrize("depth", [2_000, 100_000])
@pytest.mark.parametrize("case", list(_NESTED))
def test_deep_nesting_does_not_blow_the_stack(case: str, depth: int) -> None:
    name, parse, make = _NESTED[case]
    _check(name, parse, make(depth))


def test_huge_attribute_values_and_text_are_handled() -> None:
    huge = "x" * 5_000_000
    _check(
        "huge.bpmn",
        parse_bpmn,
        diagram(
            f'<bpmn:startEvent id="{huge}"/><bpmn:serviceTask id="t" name="{huge}"><bpmn:extensionElements>'
            f'<zeebe:taskDefinition type="{huge}"/></bpmn:extensionElements></bpmn:serviceTask>'
            f'<bpmn:sequenceFlow id="f" sourceRef="{huge}" targetRef="t">'
            f"<bpmn:conditionExpression>={huge}</bpmn:conditionExpression></bpmn:sequenceFlow>"
        ),
    )
    _check("huge.form", parse_form, ('{"id": "' + huge + '", "components": []}').encode())


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
<bpmn:process id="p" isExecutable="true" name="&lol9;"><bpmn:startEvent id="s"/></bpmn:process>
</bpmn:definitions>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
<bpmn:process id="p" isExecutable="true" name="&secret;"><bpmn:startEvent id="s"/></bpmn:process>
</bpmn:definitions>"""


@pytest.mark.parametrize("document", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["entity-bomb", "external"])
@pytest.mark.parametrize(("name", "parse"), PARSERS[:2])
def test_dtds_are_refused(name: str, parse: Parser, document: bytes) -> None:
    with pytest.raises(ModelError, match="DOCTYPE"):
        parse(name, document)
