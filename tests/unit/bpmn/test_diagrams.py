"""The diagrams, the constants and the workers agree: one process per file, named after it; every
process id of the constants has its diagram; every element id the constants name exists in its
diagram; every job type a diagram creates is one the workers serve, and the workers serve exactly
the job types of the constants; every called process exists."""

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from ledger_support import open_test_ledger

from workers import ids
from workers.app import create_worker
from workers.deadline_policy import load_deadline_policy
from workers.ids import JobType, ProcessId, TaskHeader
from workers.notification_policy import load_notification_policy
from workers.policy import load_hotline_policy
from workers.settings import Settings, create_channel

ROOT = Path(__file__).resolve().parents[3]
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "zeebe": "http://camunda.org/schema/zeebe/1.0"}
DIAGRAMS = sorted((ROOT / "bpmn").glob("*.bpmn"))
JURISDICTIONS = [ROOT / "config", *sorted((ROOT / "config" / "jurisdictions").iterdir())]


def constants(namespace: type) -> set[str]:
    return {value for name, value in vars(namespace).items() if name.isupper()}


def process_id_of(element_ids: type) -> str:
    """`HotlineTicket` names the elements of process `hotline-ticket`."""
    return re.sub(r"(?<!^)(?=[A-Z])", "-", element_ids.__name__).lower()


ELEMENT_ID_CLASSES = [
    namespace
    for namespace in vars(ids).values()
    if isinstance(namespace, type) and process_id_of(namespace) in constants(ProcessId)
]


@pytest.mark.parametrize("diagram", DIAGRAMS, ids=[path.name for path in DIAGRAMS])
def test_the_file_holds_the_one_process_it_is_named_after(diagram: Path) -> None:
    processes = [process.get("id") for process in ET.parse(diagram).getroot().findall("bpmn:process", NS)]
    assert processes == [diagram.stem], f"{diagram.name} holds {processes}"


def test_every_process_of_the_constants_has_its_diagram() -> None:
    assert constants(ProcessId) == {diagram.stem for diagram in DIAGRAMS}


@pytest.mark.parametrize("element_ids", ELEMENT_ID_CLASSES, ids=lambda namespace: namespace.__name__)
def test_every_named_element_id_exists(element_ids: type) -> None:
    diagram = ROOT / "bpmn" / f"{process_id_of(element_ids)}.bpmn"
    found = {element.get("id") for element in ET.parse(diagram).getroot().iter()}
    missing = sorted(constants(element_ids) - found)
    assert not missing, f"{element_ids.__name__} names ids that {diagram.name} does not have: {missing}"


def test_every_diagram_has_its_element_id_constants() -> None:
    assert {process_id_of(namespace) for namespace in ELEMENT_ID_CLASSES} == constants(ProcessId)


def test_every_called_process_is_a_diagram_here() -> None:
    called = {
        f"{diagram.name}#{definition.get('processId')}": definition.get("processId")
        for diagram in DIAGRAMS
        for definition in ET.parse(diagram).getroot().iterfind(".//zeebe:calledElement", NS)
    }
    unknown = sorted(where for where, process in called.items() if process not in constants(ProcessId))
    assert called and not unknown, f"call activities of unknown processes: {unknown}"


async def test_every_job_type_in_the_diagrams_is_served_by_the_workers() -> None:
    job_types = {
        definition.get("type")
        for diagram in (ROOT / "bpmn").glob("*.bpmn")
        for definition in ET.parse(diagram).getroot().iterfind(".//zeebe:taskDefinition", NS)
    }
    channel = create_channel(Settings())
    # The ledger's database is not touched: only the worker's job types are looked at.
    ledger = open_test_ledger("sqlite://")
    worker = create_worker(channel, Settings(), load_hotline_policy(ROOT / "config"), ledger)
    ledger.close()
    await channel.close()
    served = {task.type for task in worker.tasks}
    assert served == constants(JobType), "the workers serve exactly the job types the constants name"
    assert job_types <= served, f"job types in the diagrams that no worker serves: {job_types - served}"


def headers_named(key: str) -> dict[str, str]:
    """`diagram#task id` -> the value of its task header `key`, for every task of the diagrams."""
    return {
        f"{diagram.name}#{task.get('id')}": header.get("value", "")
        for diagram in DIAGRAMS
        for task in ET.parse(diagram).getroot().iter()
        for header in task.findall("bpmn:extensionElements/zeebe:taskHeaders/zeebe:header", NS)
        if header.get("key") == key
    }


@pytest.mark.parametrize("config", JURISDICTIONS, ids=lambda path: path.name)
def test_every_notification_event_of_the_diagrams_is_configured(config: Path) -> None:
    events = load_notification_policy(config).events
    used = headers_named(TaskHeader.NOTIFICATION_EVENT)
    unknown = sorted(f"{where}: {event}" for where, event in used.items() if event not in events)
    assert used and not unknown, f"notify tasks whose event {config.name}/notifications.toml lacks: {unknown}"


@pytest.mark.parametrize("config", JURISDICTIONS, ids=lambda path: path.name)
def test_every_schedule_of_the_diagrams_is_configured(config: Path) -> None:
    schedules = load_deadline_policy(config).schedules
    used = headers_named(TaskHeader.SCHEDULE)
    unknown = sorted(f"{where}: {name}" for where, name in used.items() if name not in schedules)
    assert not unknown, f"schedule tasks whose schedule {config.name}/deadlines.toml lacks: {unknown}"
