"""Reading BPMN XML safely: namespaces, a parser that refuses DTDs, small element helpers."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from engine.model.errors import ProblemCollector

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"


def bpmn(local_name: str) -> str:
    return f"{{{BPMN_NS}}}{local_name}"


def zeebe(local_name: str) -> str:
    return f"{{{ZEEBE_NS}}}{local_name}"


def local_name(element: ET.Element) -> str | None:
    """The local name of a BPMN-namespace element; None for any other namespace."""
    prefix = f"{{{BPMN_NS}}}"
    return element.tag[len(prefix) :] if element.tag.startswith(prefix) else None


# Far deeper than any diagram a modeler draws (each embedded subprocess adds two levels), and shallow
# enough that the parsers, which walk nested scopes recursively, stay well inside Python's stack.
MAX_DEPTH = 100


class _DoctypeRefused(Exception):
    pass


class _TooDeep(Exception):
    pass


class _NoDoctypeBuilder(ET.TreeBuilder):
    # Entity declarations live in the DTD; refusing it before any content is read rules out
    # entity expansion attacks (billion laughs) without a third-party parser.
    def doctype(self, name: str, pubid: str | None, system: str | None) -> None:
        raise _DoctypeRefused

    _depth = 0

    def start(self, tag: Any, attrs: dict[Any, Any]) -> ET.Element:
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _TooDeep
        return super().start(tag, attrs)

    def end(self, tag: Any) -> ET.Element:
        self._depth -= 1
        return super().end(tag)


def parse_xml(data: bytes, problems: ProblemCollector) -> ET.Element:
    parser = ET.XMLParser(target=_NoDoctypeBuilder())
    try:
        parser.feed(data)
        return parser.close()
    except _DoctypeRefused:
        problems.fail(None, "DOCTYPE declarations are not allowed in BPMN files")
    except _TooDeep:
        problems.fail(None, f"elements are nested more than {MAX_DEPTH} levels deep")
    except ET.ParseError as error:
        line, column = error.position
        reason = str(error).split(":", 1)[0]
        problems.fail(None, f"not well-formed XML at line {line}, column {column + 1}: {reason}")


def extension(element: ET.Element, name: str) -> ET.Element | None:
    """The `zeebe:<name>` child of the element's `bpmn:extensionElements`."""
    return element.find(f"{bpmn('extensionElements')}/{zeebe(name)}")


def extensions(element: ET.Element, name: str) -> list[ET.Element]:
    return element.findall(f"{bpmn('extensionElements')}/{zeebe(name)}")


def reference(value: str | None) -> str | None:
    """An id reference; a QName prefix (`tns:Message_1`) is dropped since ids cannot contain ':'."""
    if value is None or not value.strip():
        return None
    return value.strip().rpartition(":")[2]


def text(element: ET.Element | None) -> str | None:
    """The trimmed text of an expression element; None when absent or blank."""
    if element is None or element.text is None or not element.text.strip():
        return None
    return element.text.strip()
