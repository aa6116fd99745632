"""BPMN errors: ThrowError caught by error boundary events, uncaught errors, error end events."""

from __future__ import annotations

import grpc
from diagrams import Diagram, activate_one, complete, create, no_job, rejected, variables_of
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

from engine.testing.handle import EngineHandle


def guarded(
    process_id: str, *, code: str | None = "REJECTED", catch_all: bool = False, outputs=()
) -> Diagram:
    """start → task(check) → done; errors from `check` go to `rejected` (and `fallback` for catch-all)."""
    diagram = Diagram(process_id).start().task("check", "check").end("done").chain("start", "check", "done")
    if code is not None:
        diagram.error_boundary("OnRejected", "check", code, outputs=outputs).end("rejected")
        diagram.chain("OnRejected", "rejected")
    if catch_all:
        diagram.error_boundary("OnAnyError", "check").end("fallback").chain("OnAnyError", "fallback")
    return diagram


async def throw(
    gateway: GatewayStub, job_key: int, code: str, message: str = "", variables: str = "{}"
) -> None:
    await gateway.ThrowError(
        pb.ThrowErrorRequest(jobKey=job_key, errorCode=code, errorMessage=message, variables=variables)
    )


async def test_a_matching_boundary_catches_the_error_and_gets_its_variables(
    engine: EngineHandle, gateway: GatewayStub, deploy
) -> None:
    await deploy(guarded("caught").file())
    instance = await create(gateway, "caught")
    job = await activate_one(gateway, "check")
    await throw(gateway, job.key, "REJECTED", "not our jurisdiction", '{"reason": "jurisdiction"}')
    view = await engine.is_completed(instance)
    assert "rejected" in view.passed and "done" not in view.passed, (
        f"the error must take the boundary path to 'rejected', passed {view.passed}"
    )
    assert "check" in view.terminated, (
        f"the task must be terminated by the boundary event, got {view.terminated}"
    )
    assert view.variables.get("reason") == "jurisdiction", (
        f"the error's variables must reach the process, got {view.variables}"
    )
    await rejected(
        complete(gateway, job.key), grpc.StatusCode.NOT_FOUND, "completing the job after its error"
    )


async def test_the_boundary_output_mapping_shapes_the_error_variables(
    engine: EngineHandle, gateway: GatewayStub, deploy
) -> None:
    await deploy(guarded("mapped", outputs=[('="rejected: " + reason', "outcome")]).file())
    instance = await create(gateway, "mapped")
    job = await activate_one(gateway, "check")
    await throw(gateway, job.key, "REJECTED", variables='{"reason": "duplicate"}')
    view = await engine.is_completed(instance)
    assert view.variables.get("outcome") == "rejected: duplicate", (
        f"the boundary's output mapping must see the error variables, got {view.variables}"
    )
    assert "reason" not in view.variables, (
        "with an output mapping only its result is merged, but 'reason' reached the process: "
        f"{view.variables}"
    )


async def test_a_catch_all_boundary_catches_any_code(
    engine: EngineHandle, gateway: GatewayStub, deploy
) -> None:
    await deploy(guarded("catch-all", code=None, catch_all=True).file())
    instance = await create(gateway, "catch-all")
    job = await activate_one(gateway, "check")
    await throw(gateway, job.key, "WHATEVER")
    view = await engine.is_completed(instance)
    assert "fallback" in view.passed, (
        f"a boundary without error code must catch any error, passed {view.passed}"
    )


async def test_a_matching_code_wins_over_the_catch_all(
    engine: EngineHandle, gateway: GatewayStub, deploy
) -> None:
    await deploy(guarded("both", catch_all=True).file())
    specific = await create(gateway, "both")
    job = await activate_one(gateway, "check")
    await throw(gateway, job.key, "REJECTED")
    view = await engine.is_completed(specific)
    assert "rejected" in view.passed and "fallback" not in view.passed, (
        f"the boundary with the matching code must win over the catch-all, passed {view.passed}"
    )
    other = await create(gateway, "both")
    job = await activate_one(gateway, "check")
    await throw(gateway, job.key, "OTHER")
    view = await engine.is_completed(other)
    assert "fallback" in view.passed and "rejected" not in view.passed, (
        f"an unmatched code must go to the catch-all, passed {view.passed}"
    )


async def test_an_uncaught_error_raises_an_incident_naming_the_code(
    engine: EngineHandle, gateway: GatewayStub, deploy
) -> None:
    await deploy(guarded("uncaught").file())
    instance = await create(gateway, "uncaught")
    job = await activate_one(gateway, "check")
    await throw(gateway, job.key, "NOT_CAUGHT", "nobody listens")
    view = await engine.has_incident(instance, "UNHANDLED_ERROR_EVENT")
    [incident] = view.incidents.values()
    assert "NOT_CAUGHT" in incident.error_message, (
        f"the incident must name the error code: {incident.error_message}"
    )
    assert incident.element_id == "check", f"the incident must be at the task, got {incident.element_id}"
    await no_job(gateway, "check", "the job whose error was not caught is not activatable")
    assert view.state == "ACTIVE", f"the instance must stay active under the incident, it is {view.state}"


async def test_an_error_end_event_without_catcher_raises_an_incident(
    engine: EngineHandle, gateway: GatewayStub, deploy
) -> None:
    diagram = Diagram("error-end").start().error_end("fail", "GIVE_UP").chain("start", "fail")
    await deploy(diagram.file())
    instance = await create(gateway, "error-end")
    view = await engine.has_incident(instance, "UNHANDLED_ERROR_EVENT")
    [incident] = view.incidents.values()
    assert incident.element_id == "fail" and "GIVE_UP" in incident.error_message, (
        f"the incident must be at the error end event and name the code, got {incident}"
    )


async def test_throw_error_needs_a_code(gateway: GatewayStub, deploy) -> None:
    await deploy(guarded("codeless").file())
    await create(gateway, "codeless")
    job = await activate_one(gateway, "check")
    await rejected(
        gateway.ThrowError(pb.ThrowErrorRequest(jobKey=job.key, errorCode="")),
        grpc.StatusCode.INVALID_ARGUMENT,
        "ThrowError with an empty error code",
    )
    await rejected(
        gateway.ThrowError(pb.ThrowErrorRequest(jobKey=job.key, errorCode="REJECTED", variables="nope")),
        grpc.StatusCode.INVALID_ARGUMENT,
        "ThrowError with malformed variables",
    )
    assert variables_of(job) == {}, "nothing else happened to the job"
