"""ActivateJobs (long polling, fetchVariable, fields), StreamActivatedJobs, and the life of a job:
timeouts, completion, failure with retries and back-off, incidents and their resolution."""

from __future__ import annotations

import asyncio
import json
import time

import grpc
from diagrams import (
    activate,
    activate_one,
    complete,
    create,
    no_job,
    one_task,
    rejected,
    variables_of,
)
from pyzeebe import ZeebeClient, ZeebeWorker
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

from engine.testing.handle import EngineHandle

# ------------------------------------------------------------------------------------- activation


async def test_max_jobs_to_activate_is_honoured(gateway: GatewayStub, deploy) -> None:
    await deploy(one_task("bulk", "bulk-work").file())
    keys = {await create(gateway, "bulk") for _ in range(3)}
    first = await activate(gateway, "bulk-work", max_jobs=2)
    assert len(first) == 2, f"maxJobsToActivate=2 must activate 2 of 3 jobs, got {len(first)}"
    rest = await activate(gateway, "bulk-work", max_jobs=2)
    assert len(rest) == 1, f"the third job must be left for the next request, got {len(rest)}"
    assert {job.processInstanceKey for job in first + rest} == keys, (
        "each instance's job must be activated once"
    )


async def test_fetch_variables_subset_and_all_visible_at_the_job_scope(gateway: GatewayStub, deploy) -> None:
    diagram = one_task(
        "scoped", "scoped-work", inputs=[("=shadowed + 1", "shadowed"), ('="only here"', "localOnly")]
    )
    await deploy(diagram.file())
    await create(gateway, "scoped", {"shadowed": 1, "root": "r", "other": True})
    job = await activate_one(gateway, "scoped-work", fetch=["shadowed", "root", "missing"])
    assert variables_of(job) == {"shadowed": 2, "root": "r"}, (
        "fetchVariable must return just the named variables that exist, with the task's local input "
        f"shadowing the process variable; got {variables_of(job)}"
    )
    await gateway.FailJob(pb.FailJobRequest(jobKey=job.key, retries=3, variables="{}"))
    again = await activate_one(gateway, "scoped-work")
    assert variables_of(again) == {"shadowed": 2, "root": "r", "other": True, "localOnly": "only here"}, (
        "an empty fetchVariable must return every variable visible at the job's scope, "
        f"got {variables_of(again)}"
    )


async def test_activated_job_fields(engine: EngineHandle, gateway: GatewayStub, deploy) -> None:
    diagram = one_task("fields", "field-work", retries="5", headers={"channel": "12345", "priority": "high"})
    deployed = await deploy(diagram.file())
    instance = await create(gateway, "fields")
    before = engine.now_ms()
    job = await activate_one(gateway, "field-work", worker="clerk-7", timeout_ms=45_000)
    after = engine.now_ms()
    assert json.loads(job.customHeaders) == {"channel": "12345", "priority": "high"}, (
        f"zeebe:taskHeaders must arrive as customHeaders, got {job.customHeaders!r}"
    )
    assert (job.type, job.worker, job.retries) == ("field-work", "clerk-7", 5), (
        f"expected type field-work, worker clerk-7, retries 5; got {job.type}, {job.worker}, {job.retries}"
    )
    assert before + 45_000 <= job.deadline <= after + 45_000, (
        "the deadline must be activation time + timeout (45 s), "
        f"got {job.deadline - before} ms after activation"
    )
    assert (job.processInstanceKey, job.bpmnProcessId, job.elementId) == (instance, "fields", "task")
    assert job.processDefinitionKey == deployed.deployments[0].process_definition_key
    assert job.processDefinitionVersion == 1 and job.elementInstanceKey > 0
    view = engine.instance(instance)
    assert job.elementInstanceKey in view.active, (
        "the job's elementInstanceKey must be the task's instance key"
    )


async def test_custom_headers_are_an_empty_object_without_headers(gateway: GatewayStub, deploy) -> None:
    await deploy(one_task("bare", "bare-work").file())
    await create(gateway, "bare")
    job = await activate_one(gateway, "bare-work")
    assert json.loads(job.customHeaders) == {}, (
        f"customHeaders must be a JSON object, got {job.customHeaders!r}"
    )
    assert json.loads(job.variables) == {}, f"variables must be a JSON object, got {job.variables!r}"


async def test_long_poll_answers_as_soon_as_a_job_appears(gateway: GatewayStub, deploy) -> None:
    await deploy(one_task("late", "late-work").file())
    started = time.monotonic()
    poll = asyncio.ensure_future(activate(gateway, "late-work", request_timeout_ms=30_000))
    # Waiting for an answer that must not come: a bounded wait on the call itself.
    answered, _ = await asyncio.wait({poll}, timeout=0.3)
    assert not answered, f"with no job, ActivateJobs must keep polling, but it answered {poll.result()}"
    instance = await create(gateway, "late")
    jobs = await asyncio.wait_for(poll, 30)
    elapsed = time.monotonic() - started
    assert [job.processInstanceKey for job in jobs] == [instance], (
        f"the new job must be handed out, got {jobs}"
    )
    assert elapsed < 5, f"the long poll must wake when the job appears, but took {elapsed:.1f} s of 30 s"


async def test_long_poll_answers_empty_at_request_timeout(gateway: GatewayStub) -> None:
    started = time.monotonic()
    jobs = await activate(gateway, "nobody-creates-this", request_timeout_ms=400)
    elapsed = time.monotonic() - started
    assert jobs == [], f"no job exists, got {jobs}"
    assert 0.3 <= elapsed < 5, f"the poll must end at its requestTimeout of 0.4 s, took {elapsed:.2f} s"


async def test_invalid_activation_requests(gateway: GatewayStub) -> None:
    for request, what in [
        (pb.ActivateJobsRequest(type="", maxJobsToActivate=1, timeout=1000), "an empty job type"),
        (pb.ActivateJobsRequest(type="t", maxJobsToActivate=0, timeout=1000), "maxJobsToActivate 0"),
        (pb.ActivateJobsRequest(type="t", maxJobsToActivate=1, timeout=0), "a timeout of 0"),
    ]:

        async def call(request: pb.ActivateJobsRequest = request) -> list[pb.ActivateJobsResponse]:
            return [response async for response in gateway.ActivateJobs(request, timeout=10)]

        await rejected(call(), grpc.StatusCode.INVALID_ARGUMENT, f"ActivateJobs with {what}")


async def test_stream_pushes_a_job_created_after_it_opened(gateway: GatewayStub, deploy) -> None:
    await deploy(one_task("pushed", "push-work").file())
    stream = gateway.StreamActivatedJobs(
        pb.StreamActivatedJobsRequest(type="push-work", worker="streamer", timeout=30_000), timeout=30
    )
    try:
        first = asyncio.ensure_future(stream.read())
        pushed, _ = await asyncio.wait({first}, timeout=0.3)
        assert not pushed, "the stream must not push anything before a job exists"
        instance = await create(gateway, "pushed")
        job = await asyncio.wait_for(first, 10)
        assert (job.processInstanceKey, job.worker, job.type) == (instance, "streamer", "push-work"), (
            f"the stream must push the new job activated for its worker, got {job}"
        )
        await complete(gateway, job.key)
        await no_job(gateway, "push-work", "the streamed job was activated and completed")
    finally:
        stream.cancel()


async def test_a_pyzeebe_worker_works_a_job(
    engine: EngineHandle, client: ZeebeClient, deploy, new_worker, start_worker
) -> None:
    await deploy(one_task("greeting", "greet").file())
    worker: ZeebeWorker = new_worker()

    @worker.task(task_type="greet")
    async def greet(name: str) -> dict[str, str]:
        return {"greeting": f"你好, {name}"}

    start_worker(worker)
    created = await client.run_process("greeting", {"name": "王"})
    view = await engine.is_completed(created.process_instance_key)
    assert view.variables["greeting"] == "你好, 王", (
        f"the worker's result must reach the process: {view.variables}"
    )


# ------------------------------------------------------------------------------------ job timeout


async def test_a_timed_out_job_is_activatable_again(
    gateway: GatewayStub, engine: EngineHandle, deploy
) -> None:
    await deploy(one_task("timeout", "slow-work").file())
    await create(gateway, "timeout")
    job = await activate_one(gateway, "slow-work", timeout_ms=60_000, worker="first")
    await no_job(gateway, "slow-work", "the job is activated and its timeout has not passed")
    engine.increase_time(61_000)
    again = await activate_one(gateway, "slow-work", worker="second")
    assert again.key == job.key and again.worker == "second", (
        "after its timeout the same job must be activatable by another worker, "
        f"got {again.key} for {again.worker}"
    )


async def test_update_job_timeout_extends_the_deadline(
    gateway: GatewayStub, engine: EngineHandle, deploy
) -> None:
    await deploy(one_task("extend", "long-work").file())
    await create(gateway, "extend")
    job = await activate_one(gateway, "long-work", timeout_ms=10_000)
    await gateway.UpdateJobTimeout(pb.UpdateJobTimeoutRequest(jobKey=job.key, timeout=120_000))
    engine.increase_time(30_000)
    await no_job(gateway, "long-work", "the timeout was extended to 120 s and only 30 s passed")
    engine.increase_time(100_000)
    again = await activate_one(gateway, "long-work")
    assert again.key == job.key, "after the extended timeout the job must be activatable again"


async def test_update_job_timeout_of_unknown_job_is_not_found(gateway: GatewayStub) -> None:
    await rejected(
        gateway.UpdateJobTimeout(pb.UpdateJobTimeoutRequest(jobKey=424242, timeout=1000)),
        grpc.StatusCode.NOT_FOUND,
        "UpdateJobTimeout of an unknown job",
    )


async def test_a_timeout_beyond_the_last_date_is_refused_and_the_engine_goes_on(
    gateway: GatewayStub, deploy
) -> None:
    await deploy(one_task("far", "far-work").file())
    await create(gateway, "far")
    await rejected(
        gateway.ActivateJobs(
            pb.ActivateJobsRequest(type="far-work", worker="w", timeout=2**62, maxJobsToActivate=1)
        ).read(),
        grpc.StatusCode.INVALID_ARGUMENT,
        "ActivateJobs with a timeout beyond year 9999",
    )
    job = await activate_one(gateway, "far-work", timeout_ms=10_000)
    await rejected(
        gateway.UpdateJobTimeout(pb.UpdateJobTimeoutRequest(jobKey=job.key, timeout=2**63 - 1)),
        grpc.StatusCode.INVALID_ARGUMENT,
        "UpdateJobTimeout beyond year 9999",
    )
    await complete(gateway, job.key)


# ----------------------------------------------------------------------------------- completion


async def test_complete_unknown_or_completed_job_is_not_found(
    engine: EngineHandle, gateway: GatewayStub, deploy
) -> None:
    await rejected(complete(gateway, 313131), grpc.StatusCode.NOT_FOUND, "completing an unknown job")
    await deploy(one_task("once", "once-work").file())
    instance = await create(gateway, "once")
    job = await activate_one(gateway, "once-work")
    await complete(gateway, job.key, {"done": True})
    await engine.is_completed(instance)
    await rejected(complete(gateway, job.key), grpc.StatusCode.NOT_FOUND, "completing a completed job again")


async def test_complete_with_malformed_variables_is_invalid(gateway: GatewayStub, deploy) -> None:
    await deploy(one_task("strict-complete", "strict-work").file())
    await create(gateway, "strict-complete")
    job = await activate_one(gateway, "strict-work")
    await rejected(
        gateway.CompleteJob(pb.CompleteJobRequest(jobKey=job.key, variables="[1]")),
        grpc.StatusCode.INVALID_ARGUMENT,
        "completing a job with a JSON array as variables",
    )
    await complete(gateway, job.key)


# -------------------------------------------------------------------------------------- failure


async def test_fail_with_retries_makes_the_job_activatable_again(gateway: GatewayStub, deploy) -> None:
    await deploy(one_task("flaky", "flaky-work").file())
    await create(gateway, "flaky")
    job = await activate_one(gateway, "flaky-work")
    assert job.retries == 3, f"the default retries are 3, got {job.retries}"
    await gateway.FailJob(pb.FailJobRequest(jobKey=job.key, retries=2, errorMessage="busy"))
    again = await activate_one(gateway, "flaky-work")
    assert (again.key, again.retries) == (job.key, 2), f"expected job {job.key} with 2 retries, got {again}"


async def test_fail_with_back_off_waits_until_the_clock_passes_it(
    gateway: GatewayStub, engine: EngineHandle, deploy
) -> None:
    await deploy(one_task("backoff", "backoff-work").file())
    await create(gateway, "backoff")
    job = await activate_one(gateway, "backoff-work")
    await gateway.FailJob(
        pb.FailJobRequest(jobKey=job.key, retries=1, errorMessage="later", retryBackOff=60_000)
    )
    await no_job(gateway, "backoff-work", "the retry back-off of 60 s has not passed")
    engine.increase_time(30_000)
    await no_job(gateway, "backoff-work", "only 30 s of the 60 s back-off passed")
    engine.increase_time(31_000)
    again = await activate_one(gateway, "backoff-work")
    assert again.key == job.key, "after the back-off the failed job must be activatable again"


async def test_fail_without_retries_raises_an_incident_with_the_message(
    gateway: GatewayStub, engine: EngineHandle, deploy
) -> None:
    await deploy(one_task("doomed", "doomed-work").file())
    instance = await create(gateway, "doomed")
    job = await activate_one(gateway, "doomed-work")
    await gateway.FailJob(pb.FailJobRequest(jobKey=job.key, retries=0, errorMessage="the registry is down"))
    view = await engine.has_incident(instance, "JOB_NO_RETRIES")
    [incident] = view.incidents.values()
    assert incident.error_message == "the registry is down", (
        f"the incident must carry the failure's message, got {incident.error_message!r}"
    )
    assert (incident.element_id, incident.job_key) == ("task", job.key), f"unexpected incident {incident}"
    await no_job(gateway, "doomed-work", "a job without retries is not activatable")


async def test_fail_variables_stay_local_to_the_task(
    gateway: GatewayStub, engine: EngineHandle, deploy
) -> None:
    await deploy(one_task("local-fail", "local-work").file())
    instance = await create(gateway, "local-fail", {"ticket": "T-1"})
    job = await activate_one(gateway, "local-work")
    await gateway.FailJob(
        pb.FailJobRequest(jobKey=job.key, retries=1, errorMessage="x", variables='{"attempt": 1}')
    )
    again = await activate_one(gateway, "local-work")
    assert variables_of(again) == {"ticket": "T-1", "attempt": 1}, (
        f"the failure's variables must be visible to the retried job, got {variables_of(again)}"
    )
    view = engine.instance(instance)
    assert "attempt" not in view.variables, f"FailJob variables must not reach the process: {view.variables}"
    await complete(gateway, again.key)
    view = await engine.is_completed(instance)
    assert view.variables == {"ticket": "T-1"}, (
        f"FailJob variables are local to the task and vanish with it, but the process has {view.variables}"
    )


async def test_update_retries_then_resolve_lets_the_instance_complete(
    gateway: GatewayStub, engine: EngineHandle, deploy
) -> None:
    await deploy(one_task("recover", "recover-work").file())
    instance = await create(gateway, "recover")
    job = await activate_one(gateway, "recover-work")
    await gateway.FailJob(pb.FailJobRequest(jobKey=job.key, retries=0, errorMessage="broken"))
    view = await engine.has_incident(instance, "JOB_NO_RETRIES")
    [incident_key] = view.incidents
    details = await rejected(
        gateway.ResolveIncident(pb.ResolveIncidentRequest(incidentKey=incident_key)),
        grpc.StatusCode.FAILED_PRECONDITION,
        "resolving a job incident while the job has no retries",
    )
    assert str(job.key) in details or "retries" in details, f"the refusal must say why: {details}"
    await rejected(
        gateway.UpdateJobRetries(pb.UpdateJobRetriesRequest(jobKey=job.key, retries=0)),
        grpc.StatusCode.INVALID_ARGUMENT,
        "UpdateJobRetries with 0 retries",
    )
    await gateway.UpdateJobRetries(pb.UpdateJobRetriesRequest(jobKey=job.key, retries=2))
    await no_job(gateway, "recover-work", "updating retries alone does not resolve the incident")
    await gateway.ResolveIncident(pb.ResolveIncidentRequest(incidentKey=incident_key))
    again = await activate_one(gateway, "recover-work")
    assert (again.key, again.retries) == (job.key, 2), f"expected the same job with 2 retries, got {again}"
    assert not engine.instance(instance).incidents, "the incident must be resolved"
    await complete(gateway, again.key)
    await engine.is_completed(instance)


async def test_unknown_keys_are_not_found(gateway: GatewayStub) -> None:
    for call, what in [
        (gateway.ResolveIncident(pb.ResolveIncidentRequest(incidentKey=777)), "ResolveIncident"),
        (gateway.UpdateJobRetries(pb.UpdateJobRetriesRequest(jobKey=777, retries=1)), "UpdateJobRetries"),
        (gateway.FailJob(pb.FailJobRequest(jobKey=777, retries=1)), "FailJob"),
        (gateway.ThrowError(pb.ThrowErrorRequest(jobKey=777, errorCode="E")), "ThrowError"),
    ]:
        await rejected(call, grpc.StatusCode.NOT_FOUND, f"{what} with an unknown key")


async def test_a_pyzeebe_worker_exception_ends_in_an_incident(
    engine: EngineHandle, client: ZeebeClient, deploy, new_worker, start_worker
) -> None:
    await deploy(one_task("crashing", "crash", retries="1").file())
    worker: ZeebeWorker = new_worker()

    @worker.task(task_type="crash")
    async def crash() -> None:
        raise RuntimeError("handler exploded")

    start_worker(worker)
    created = await client.run_process("crashing")
    view = await engine.has_incident(created.process_instance_key, "JOB_NO_RETRIES")
    [incident] = view.incidents.values()
    assert "handler exploded" in incident.error_message, (
        f"pyzeebe's failure message must reach the incident, got {incident.error_message!r}"
    )


async def test_commands_on_a_job_under_incident_are_refused(
    engine: EngineHandle, gateway: GatewayStub, deploy
) -> None:
    await deploy(one_task("stuck", "stuck-work").file())
    instance = await create(gateway, "stuck")
    job = await activate_one(gateway, "stuck-work")
    await gateway.FailJob(pb.FailJobRequest(jobKey=job.key, retries=0, errorMessage="stuck"))
    await engine.has_incident(instance, "JOB_NO_RETRIES")
    await rejected(
        complete(gateway, job.key),
        grpc.StatusCode.FAILED_PRECONDITION,
        "completing a failed job without retries",
    )
    await rejected(
        gateway.UpdateJobTimeout(pb.UpdateJobTimeoutRequest(jobKey=job.key, timeout=1000)),
        grpc.StatusCode.FAILED_PRECONDITION,
        "UpdateJobTimeout of a job that is not activated",
    )


async def test_a_negative_request_timeout_answers_without_waiting(gateway: GatewayStub) -> None:
    started = time.monotonic()
    jobs = await activate(gateway, "nothing-here", request_timeout_ms=-1)
    elapsed = time.monotonic() - started
    assert jobs == [] and elapsed < 2, f"requestTimeout -1 must not long-poll; took {elapsed:.2f} s"
