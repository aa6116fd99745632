"""A pyzeebe job as the worker hands it to a handler, for calling handlers directly in unit tests."""

import types
from typing import Any

from pyzeebe import Job, ZeebeTaskRouter


def job(key: int, job_type: str, headers: dict[str, str], variables: dict[str, Any]) -> Job:
    return Job(
        key=key,
        type=job_type,
        process_instance_key=9001,
        bpmn_process_id="hotline-ticket",
        process_definition_version=1,
        process_definition_key=1,
        element_id="Task",
        element_instance_key=1,
        custom_headers=types.MappingProxyType(headers),
        worker="test",
        retries=3,
        deadline=0,
        variables=types.MappingProxyType(variables),
    )


async def call_with_job(
    router: ZeebeTaskRouter, key: int, job_type: str, headers: dict[str, str], **variables: Any
) -> Any:
    """What the worker does with a job: fetch the variables the handler names, and run it."""
    task = router.get_task(job_type)
    fetched = {name: value for name, value in variables.items() if name in task.config.variables_to_fetch}
    return await task.original_function(job(key, job_type, headers, variables), **fetched)
