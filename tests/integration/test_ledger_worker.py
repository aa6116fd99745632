"""The ledger's router in a real pyzeebe worker on the embedded engine: a job whose first delivery
wrote to the ledger but never completed (the worker died, or its completion was lost) times out,
is delivered again, and the ledger records it once."""

import json
import types
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from ledger_support import open_test_ledger
from pyzeebe import Job, ZeebeClient, ZeebeTaskRouter, ZeebeWorker, create_insecure_channel
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub
from sqlalchemy import func, select

from engine.testing.handle import EngineHandle
from workers import ledger_tasks
from workers.ids import JobType, TaskHeader
from workers.ledger import models
from workers.ledger.masking import Viewer
from workers.ledger.service import Ledger
from workers.settings import Settings

PROCESS_ID = "hotline-ticket"
LEASE_MS = 1_000
DIAGRAM = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="Definitions" targetNamespace="http://minsheng">
  <bpmn:process id="{PROCESS_ID}" isExecutable="true">
    <bpmn:startEvent id="Start"/>
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="RegisterCaseTask"/>
    <bpmn:serviceTask id="RegisterCaseTask" name="登记">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="{JobType.LEDGER_REGISTER}"/>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="F2" sourceRef="RegisterCaseTask" targetRef="RecordDispatchTask"/>
    <bpmn:serviceTask id="RecordDispatchTask" name="派单">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="{JobType.LEDGER_RECORD}"/>
        <zeebe:taskHeaders>
          <zeebe:header key="{TaskHeader.LEDGER_EVENT}" value="transition"/>
          <zeebe:header key="status" value="dispatched"/>
        </zeebe:taskHeaders>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="F3" sourceRef="RecordDispatchTask" targetRef="End"/>
    <bpmn:endEvent id="End"/>
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture
def ledger(database_url: str, tmp_path: Path) -> Iterator[Ledger]:
    # `database_url`'s SQLite file is the engine's; the ledger has a file of its own, as in production.
    url = f"sqlite:///{tmp_path / 'ledger.db'}" if database_url.startswith("sqlite") else database_url
    ledger = open_test_ledger(url)
    yield ledger
    ledger.close()


@pytest.fixture
async def gateway(engine: EngineHandle) -> AsyncIterator[GatewayStub]:
    channel = create_insecure_channel(engine.address)
    yield GatewayStub(channel)
    await channel.close()


def as_job(activated: pb.ActivatedJob) -> Job:
    """The job as pyzeebe hands it to a handler."""
    return Job(
        key=activated.key,
        type=activated.type,
        process_instance_key=activated.processInstanceKey,
        bpmn_process_id=activated.bpmnProcessId,
        process_definition_version=activated.processDefinitionVersion,
        process_definition_key=activated.processDefinitionKey,
        element_id=activated.elementId,
        element_instance_key=activated.elementInstanceKey,
        custom_headers=types.MappingProxyType(json.loads(activated.customHeaders)),
        worker=activated.worker,
        retries=activated.retries,
        deadline=activated.deadline,
        variables=types.MappingProxyType(json.loads(activated.variables)),
    )


async def deliver_without_completing(
    gateway: GatewayStub, router: ZeebeTaskRouter, job_type: str
) -> tuple[int, dict[str, Any]]:
    """A first delivery whose worker runs the handler but never completes the job."""
    task = router.get_task(job_type)
    request = pb.ActivateJobsRequest(
        type=job_type,
        worker="lost-worker",
        timeout=LEASE_MS,
        maxJobsToActivate=1,
        fetchVariable=list(task.config.variables_to_fetch),
        requestTimeout=5_000,
    )
    async for response in gateway.ActivateJobs(request, timeout=15):
        if response.jobs:
            job = as_job(response.jobs[0])
            return job.key, await task.original_function(job, **job.variables)
    raise AssertionError(f"no {job_type} job was activated")


def count(ledger: Ledger, model: type[models.Base]) -> int:
    with ledger._engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_redelivered_job_writes_no_second_ledger_row(
    engine: EngineHandle,
    client: ZeebeClient,
    gateway: GatewayStub,
    ledger: Ledger,
    deploy: Callable[..., Any],
    new_worker: Callable[[], ZeebeWorker],
    start_worker: Callable[[ZeebeWorker], None],
) -> None:
    await deploy(("ledger.bpmn", DIAGRAM))
    router = ledger_tasks.create_router(ledger, Settings().task_options())
    appellant = {"name": "张三", "phone": "13812345678", "address": "北京市朝阳区建国路88号"}
    instance = await client.run_process(PROCESS_ID, {"appellant": appellant, "content": "楼下KTV噪音扰民"})
    key = instance.process_instance_key

    register_key, first = await deliver_without_completing(gateway, router, JobType.LEDGER_REGISTER)
    engine.increase_time(LEASE_MS + 1)  # the lease runs out: the engine offers the job again

    worker = new_worker()
    worker.include_router(router)
    start_worker(worker)
    await engine.is_completed(key)
    await engine.has_variable(key, "caseNumber", first["caseNumber"])

    assert count(ledger, models.Case) == 1
    assert count(ledger, models.StatusTransition) == 2  # received, dispatched
    with ledger._engine.connect() as connection:
        receipts = connection.execute(select(models.JobReceipt.job_key, models.JobReceipt.kind)).all()
    assert (register_key, "register") in receipts and len(receipts) == 2
    case = ledger.view_case(first["caseNumber"], Viewer("handling-unit"))
    assert (case.status, case.process_instance_key, case.appellant.phone) == (
        "dispatched",
        key,
        "138****5678",
    )


async def test_a_redelivered_record_job_writes_no_second_row(
    engine: EngineHandle,
    client: ZeebeClient,
    gateway: GatewayStub,
    ledger: Ledger,
    deploy: Callable[..., Any],
    new_worker: Callable[[], ZeebeWorker],
    start_worker: Callable[[ZeebeWorker], None],
) -> None:
    await deploy(("ledger.bpmn", DIAGRAM))
    router = ledger_tasks.create_router(ledger, Settings().task_options())
    instance = await client.run_process(PROCESS_ID, {"content": "x"})
    register_key, registered = await deliver_without_completing(gateway, router, JobType.LEDGER_REGISTER)
    await gateway.CompleteJob(pb.CompleteJobRequest(jobKey=register_key, variables=json.dumps(registered)))

    await deliver_without_completing(gateway, router, JobType.LEDGER_RECORD)
    engine.increase_time(LEASE_MS + 1)
    worker = new_worker()
    worker.include_router(router)
    start_worker(worker)
    await engine.is_completed(instance.process_instance_key)
    assert count(ledger, models.StatusTransition) == 2
