"""Every diagram opens in Camunda Modeler as a readable picture: each flow node has a shape and each
sequence flow an edge, shapes do not overlap, a subprocess holds its content, boundary events sit on
their host's border, edges start and end at their elements, and a flow runs right to left only where
it closes a loop."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
DIAGRAMS = sorted((ROOT / "bpmn").glob("*.bpmn"))
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
DI = "{http://www.omg.org/spec/BPMN/20100524/DI}"
DC = "{http://www.omg.org/spec/DD/20100524/DC}"
WAYPOINT = "{http://www.omg.org/spec/DD/20100524/DI}waypoint"
# The flow nodes, which Modeler draws as shapes; everything else in a process (loop
# characteristics, documentation, extension elements) belongs to a shape or is not drawn.
FLOW_NODES = {
    *("task", "serviceTask", "userTask", "sendTask", "receiveTask", "scriptTask", "businessRuleTask"),
    *("manualTask", "callActivity", "subProcess", "adHocSubProcess", "transaction"),
    *("startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"),
    *("exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway"),
}
# How far (diagram units) an edge's end may lie from its element's outline.
SLACK = 6.0


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    @property
    def centre_x(self) -> float:
        return self.x + self.width / 2

    def overlaps(self, other: Box) -> bool:
        return (
            min(self.right, other.right) - max(self.x, other.x) > 0
            and min(self.bottom, other.bottom) - max(self.y, other.y) > 0
        )

    def contains(self, other: Box) -> bool:
        horizontally = self.x <= other.x and other.right <= self.right
        return horizontally and self.y <= other.y and other.bottom <= self.bottom

    def near(self, x: float, y: float) -> bool:
        return self.x - SLACK <= x <= self.right + SLACK and self.y - SLACK <= y <= self.bottom + SLACK

    def on_border(self, x: float, y: float) -> bool:
        inside_x = self.x - SLACK <= x <= self.right + SLACK
        inside_y = self.y - SLACK <= y <= self.bottom + SLACK
        on_vertical = min(abs(x - self.x), abs(x - self.right)) <= SLACK and inside_y
        on_horizontal = min(abs(y - self.y), abs(y - self.bottom)) <= SLACK and inside_x
        return on_vertical or on_horizontal


@dataclass(frozen=True)
class Node:
    id: str
    tag: str
    scope: str
    attached_to: str | None


class Diagram:
    def __init__(self, path: Path) -> None:
        self.name = path.name
        root = ET.parse(path).getroot()
        self.nodes: dict[str, Node] = {}
        self.flows: dict[str, tuple[str, str]] = {}
        for process in root.iter(f"{BPMN}process"):
            self._read_scope(process, process.get("id", ""))
        self.shapes: dict[str, Box] = {}
        self.edges: dict[str, list[tuple[float, float]]] = {}
        for shape in root.iter(f"{DI}BPMNShape"):
            bounds = shape.find(f"{DC}Bounds")
            assert bounds is not None, f"{self.name}: shape {shape.get('id')} has no bounds"
            self.shapes[shape.get("bpmnElement", "")] = Box(
                *(float(bounds.get(field, "nan")) for field in ("x", "y", "width", "height"))
            )
        for edge in root.iter(f"{DI}BPMNEdge"):
            self.edges[edge.get("bpmnElement", "")] = [
                (float(point.get("x", "nan")), float(point.get("y", "nan"))) for point in edge.iter(WAYPOINT)
            ]

    def _read_scope(self, scope: ET.Element, scope_id: str) -> None:
        for child in scope:
            tag = child.tag.removeprefix(BPMN)
            if tag == "sequenceFlow":
                self.flows[child.get("id", "")] = (child.get("sourceRef", ""), child.get("targetRef", ""))
            if tag not in FLOW_NODES:
                continue
            node_id = child.get("id", "")
            self.nodes[node_id] = Node(node_id, tag, scope_id, child.get("attachedToRef"))
            if tag in {"subProcess", "adHocSubProcess", "transaction"}:
                self._read_scope(child, node_id)

    def successors(self, node_id: str) -> Iterator[str]:
        for source, target in self.flows.values():
            if source == node_id:
                yield target
        for node in self.nodes.values():
            if node.attached_to == node_id:
                yield node.id

    def reaches(self, start: str, goal: str) -> bool:
        seen, frontier = {start}, [start]
        while frontier:
            current = frontier.pop()
            if current == goal:
                return True
            for following in self.successors(current):
                if following not in seen:
                    seen.add(following)
                    frontier.append(following)
        return False


@pytest.fixture(params=DIAGRAMS, ids=[path.name for path in DIAGRAMS])
def diagram(request: pytest.FixtureRequest) -> Diagram:
    return Diagram(request.param)


def test_every_flow_node_has_a_shape_and_every_flow_an_edge(diagram: Diagram) -> None:
    assert not set(diagram.nodes) - set(diagram.shapes), (
        f"{diagram.name}: elements without a shape: {sorted(set(diagram.nodes) - set(diagram.shapes))}"
    )
    missing = sorted(flow for flow in diagram.flows if len(diagram.edges.get(flow, [])) < 2)
    assert not missing, f"{diagram.name}: sequence flows without an edge of two or more waypoints: {missing}"


def test_shapes_in_one_scope_do_not_overlap(diagram: Diagram) -> None:
    nodes = [node for node in diagram.nodes.values() if node.attached_to is None]
    overlapping = [
        (first.id, second.id)
        for index, first in enumerate(nodes)
        for second in nodes[index + 1 :]
        if first.scope == second.scope and diagram.shapes[first.id].overlaps(diagram.shapes[second.id])
    ]
    assert not overlapping, f"{diagram.name}: overlapping shapes: {overlapping}"


def test_a_subprocess_holds_its_content(diagram: Diagram) -> None:
    outside = [
        (node.id, node.scope)
        for node in diagram.nodes.values()
        if node.scope in diagram.shapes and not diagram.shapes[node.scope].contains(diagram.shapes[node.id])
    ]
    assert not outside, f"{diagram.name}: (element, subprocess) drawn outside their subprocess: {outside}"


def test_boundary_events_sit_on_their_hosts_border(diagram: Diagram) -> None:
    astray = []
    for node in diagram.nodes.values():
        if node.attached_to is None:
            continue
        event, host = diagram.shapes[node.id], diagram.shapes[node.attached_to]
        if not host.on_border(event.centre_x, event.y + event.height / 2):
            astray.append(node.id)
    assert not astray, f"{diagram.name}: boundary events off their host's border: {astray}"


def test_edges_start_and_end_at_their_elements(diagram: Diagram) -> None:
    loose = []
    for flow, (source, target) in diagram.flows.items():
        points = diagram.edges[flow]
        if not diagram.shapes[source].near(*points[0]) or not diagram.shapes[target].near(*points[-1]):
            loose.append(flow)
    assert not loose, f"{diagram.name}: edges that do not join their source and target: {loose}"


def test_flows_read_left_to_right_except_loops(diagram: Diagram) -> None:
    backwards = [
        flow
        for flow, (source, target) in diagram.flows.items()
        if diagram.shapes[target].centre_x < diagram.shapes[source].centre_x
        and not diagram.reaches(target, source)
    ]
    assert not backwards, f"{diagram.name}: flows drawn right to left that close no loop: {backwards}"
