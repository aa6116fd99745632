"""One log line per job outcome, and never the job's variables: they hold appellants' data.

pyzeebe's own exception handler logs the whole job, variables included; ours names the job and
the error only, then fails the job (or throws a business error) as pyzeebe's does.
"""

import logging
import time

from pyzeebe import Job, JobController
from pyzeebe.errors import BusinessError
from pyzeebe.job.job_status import JobStatus

log = logging.getLogger("workers.jobs")

_started: dict[int, float] = {}


class JobFailure(Exception):
    """A failure that tells the engine how to retry: after `retry_back_off_ms` (a platform that is
    down now may be up in a minute), or with `final` not at all, raising an incident with this
    message at once (retrying a refused request cannot help; a person must act)."""

    def __init__(self, message: str, *, retry_back_off_ms: int = 0, final: bool = False) -> None:
        super().__init__(message)
        self.retry_back_off_ms = retry_back_off_ms
        self.final = final


def _describe(job: Job) -> str:
    return f"{job.type} job {job.key} ({job.element_id}, process instance {job.process_instance_key})"


async def started(job: Job) -> Job:
    _started[job.key] = time.monotonic()
    return job


async def finished(job: Job) -> Job:
    began = _started.pop(job.key, None)
    took = f" in {(time.monotonic() - began) * 1000:.0f} ms" if began is not None else ""
    # After decorators run before pyzeebe reports a success, so a job that did not fail is still
    # "running after decorators" here.
    outcome = "completed" if job.status is JobStatus.RunningAfterDecorators else str(job.status.value).lower()
    log.info("%s: %s%s", _describe(job), outcome, took)
    return job


async def failed(error: Exception, job: Job, controller: JobController) -> None:
    if isinstance(error, BusinessError):
        log.info("%s: business error %s: %s", _describe(job), error.error_code, error)
        await controller.set_error_status(str(error), error_code=error.error_code)
        return
    message, back_off_ms = f"{type(error).__name__}: {error}", 0
    if isinstance(error, JobFailure):
        message, back_off_ms = str(error), error.retry_back_off_ms
        if error.final:
            # pyzeebe fails a job with one retry fewer than it has; left one, it has none after.
            object.__setattr__(job, "retries", 1)
    log.warning("%s: failed (%d retries left): %s", _describe(job), max(job.retries - 1, 0), error)
    await controller.set_failure_status(message, retry_back_off_ms=back_off_ms)
