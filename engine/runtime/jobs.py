"""Jobs: the work an element hands to a worker, and their record values."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from engine.runtime.context import Context
from engine.runtime.entities import ElementInstance, Job, JobState, Kind
from engine.runtime.records import ValueType


def job_value(job: Job) -> dict[str, Any]:
    return {
        "type": job.type,
        "worker": job.worker,
        "retries": job.retries,
        "deadline": job.deadline,
        "errorMessage": job.error_message,
        "errorCode": job.error_code,
        "customHeaders": job.custom_headers,
        "elementId": job.element_id,
        "elementInstanceKey": job.element_instance_key,
        "processInstanceKey": job.process_instance_key,
        "bpmnProcessId": job.bpmn_process_id,
        "processDefinitionKey": job.process_definition_key,
        "processDefinitionVersion": job.version,
    }


def store(ctx: Context, job: Job, intent: str) -> Job:
    ctx.layer.put(Kind.JOB, job.key, job)
    ctx.record(ValueType.JOB, intent, job.key, job_value(job), job.process_instance_key)
    if job.state is JobState.ACTIVATABLE:
        ctx.effects.activatable_job_types.add(job.type)
    return job


def create(
    ctx: Context, instance: ElementInstance, job_type: str, retries: int, headers: dict[str, str]
) -> Job:
    job = Job(
        key=ctx.new_key(),
        type=job_type,
        state=JobState.ACTIVATABLE,
        retries=retries,
        process_instance_key=instance.process_instance_key,
        element_instance_key=instance.key,
        element_id=instance.element_id,
        bpmn_process_id=instance.bpmn_process_id,
        process_definition_key=instance.process_definition_key,
        version=instance.version,
        custom_headers=headers,
        created_at=ctx.now,
    )
    return store(ctx, job, "CREATED")


def cancel(ctx: Context, job_key: int) -> None:
    job: Job | None = ctx.layer.get(Kind.JOB, job_key)
    if job is None:
        return
    ctx.layer.delete(Kind.JOB, job_key)
    ctx.record(ValueType.JOB, "CANCELED", job.key, job_value(job), job.process_instance_key)


def make_activatable(ctx: Context, job: Job, intent: str) -> Job:
    return store(ctx, replace(job, state=JobState.ACTIVATABLE, worker="", deadline=-1, retry_at=-1), intent)
