"""The diagrams and the workers agree: every job type a diagram creates is one the workers serve,
the workers serve exactly the job types of the constants, and every element id the constants name
exists. (Some job types wait for the diagrams of the processes issue to use them.)"""

import xml.etree.ElementTree as ET
from pathlib import Path

from ledger_support import open_test_ledger

from workers.app import create_worker
from workers.ids import HotlineTicket, JobType, ProcessId
from workers.policy import load_hotline_policy
from workers.settings import Settings, create_channel

ROOT = Path(__file__).resolve().parents[3]
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "zeebe": "http://camunda.org/schema/zeebe/1.0"}
DIAGRAM = ROOT / "bpmn" / f"{ProcessId.HOTLINE_TICKET}.bpmn"


def constants(namespace: type) -> set[str]:
    return {value for name, value in vars(namespace).items() if name.isupper()}


def test_the_file_holds_the_process_it_is_named_after() -> None:
    [process] = ET.parse(DIAGRAM).getroot().findall("bpmn:process", NS)
    assert process.get("id") == ProcessId.HOTLINE_TICKET


def test_every_named_element_id_exists() -> None:
    ids = {element.get("id") for element in ET.parse(DIAGRAM).getroot().iter()}
    assert constants(HotlineTicket) <= ids


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
