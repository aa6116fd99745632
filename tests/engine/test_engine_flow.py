"""Sequence flow: exclusive gateways and their incidents, parallel fork and join, terminate end
events, implicit ends and several end events."""

from __future__ import annotations

import json

import grpc
from diagrams import Diagram, activate, activate_one, complete, create, no_job, rejected
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

from engine.testing.handle import EngineHandle


def triage(process_id: str, *, default: bool = True) -> Diagram:
    """start → choose → urgent (amount > 100) | normal (amount > 10) | [default] small."""
    diagram = (
        Diagram(process_id)
        .start()
        .exclusive("choose", default="to-small" if default else None)
        .end("urgent")
        .end("normal")
        .chain("start", "choose")
        .flow("choose", "urgent", "=amount > 100", id="to-urgent")
        .flow("choose", "normal", "=amount > 10", id="to-normal")
    )
    if default:
        diagram.end("small").flow("choose", "small", id="to-small")
    return diagram


async def test_the_first_true_condition_or_the_default_flow_is_taken(
    engine: EngineHandle, gateway: GatewayStub, deploy
) -> None:
    await deploy(triage("triage").file())
    for amount, expected_end, expected_flow in [
        (500, "urgent", "to-urgent"),
        (50, "normal", "to-normal"),
        (1, "small", "to-small"),
    ]:
        instance = await create(gateway, "triage", {"amount": amount})
        view = await engine.is_completed(instance)
        assert expected_end in view.passed and expected_flow in view.taken_flows, (
            f"amount {amount} must leave the gateway by {expected_flow} to {expected_end}; "
            f"took {view.taken_flows}, passed {view.passed}"
        )
        ends = {"urgent", "normal", "small"} & set(view.passed)
        assert ends == {expected_end}, f"exactly one branch may be taken for amount {amount}, passed {ends}"


async def test_no_true_condition_and_no_default_raises_a_condition_incident(
    engine: EngineHandle, gateway: GatewayStub, deploy
) -> None:
    await deploy(triage("strict-triage", default=False).file())
    instance = await create(gateway, "strict-triage", {"amount": 5})
    view = await engine.has_incident(instance, "CONDITION_ERROR")
    [incident] = view.incidents.values()
    assert incident.element_id == "choose", f"the incident must be at the gateway, got {incident.element_id}"
    assert "condition" in incident.error_message.lower(), (
        f"the message must explain: {incident.error_message}"
    )
    await gateway.SetVariables(
        pb.SetVariablesRequest(elementInstanceKey=instance, variables='{"amount": 20}', local=False)
    )
    await gateway.ResolveIncident(pb.ResolveIncidentRequest(incidentKey=incident.key))
    view = await engine.is_completed(instance)
    assert "normal" in view.passed, (
        f"after the fix the gateway must take the 'normal' branch, passed {view.passed}"
    )


async def test_a_condition_on_a_missing_variable_expects_a_boolean(
    engine: EngineHandle, gateway: GatewayStub, deploy
) -> None:
    await deploy(triage("missing-var").file())
    instance = await create(gateway, "missing-var", {"other": 1})
    view = await engine.has_incident(instance, "CONDITION_ERROR")
    [incident] = view.incidents.values()
    assert "BOOLEAN" in incident.error_message and "amount > 100" in incident.error_message, (
        "the incident must say the condition 'amount > 100' was expected to be BOOLEAN: "
        f"{incident.error_message}"
    )
    assert view.state == "ACTIVE" and "small" not in view.passed, (
        "a failing condition must not fall through to the default flow"
    )
    await gateway.SetVariables(
        pb.SetVariablesRequest(elementInstanceKey=instance, variables='{"amount": 1000}', local=False)
    )
    await gateway.ResolveIncident(pb.ResolveIncidentRequest(incidentKey=incident.key))
    view = await engine.is_completed(instance)
    assert "urgent" in view.passed and not view.incidents, (
        f"after SetVariables and ResolveIncident the 'urgent' branch must be taken, passed {view.passed}"
    )


async def test_resolve_incident_of_a_resolved_incident_is_not_found(
    engine: EngineHandle, gateway: GatewayStub, deploy
) -> None:
    await deploy(triage("twice").file())
    instance = await create(gateway, "twice", {})
    view = await engine.has_incident(instance, "CONDITION_ERROR")
    [key] = view.incidents
    await gateway.SetVariables(pb.SetVariablesRequest(elementInstanceKey=instance, variables='{"amount": 0}'))
    await gateway.ResolveIncident(pb.ResolveIncidentRequest(incidentKey=key))
    await engine.is_completed(instance)
    await rejected(
        gateway.ResolveIncident(pb.ResolveIncidentRequest(incidentKey=key)),
        grpc.StatusCode.NOT_FOUND,
        "resolving an incident that was already resolved",
    )


def fork_join(process_id: str) -> Diagram:
    """start → fork → (a, b) → join → after → end."""
    return (
        Diagram(process_id)
        .start()
        .parallel("fork")
        .task("a", "branch-a")
        .task("b", "branch-b")
        .parallel("join")
        .task("after", "after-join")
        .end()
        .chain("start", "fork")
        .chain("fork", "a", "join")
        .chain("fork", "b", "join")
        .chain("join", "after", "end")
    )


async def test_parallel_join_waits_for_every_branch(
    engine: EngineHandle, gateway: GatewayStub, deploy
) -> None:
    await deploy(fork_join("fork-join").file())
    instance = await create(gateway, "fork-join")
    job_a = await activate_one(gateway, "branch-a")
    job_b = await activate_one(gateway, "branch-b")
    await complete(gateway, job_a.key, {"fromA": 1})
    await engine.has_passed(instance, "a")
    await no_job(gateway, "after-join", "branch b has not arrived at the join")
    assert "join" not in engine.instance(instance).passed, "the join must wait for branch b"
    await complete(gateway, job_b.key, {"fromB": 2})
    after = await activate(gateway, "after-join", request_timeout_ms=5_000)
    assert len(after) == 1, f"the join must pass exactly once, giving one job after it; got {len(after)}"
    assert json.loads(after[0].variables) == {"fromA": 1, "fromB": 2}, (
        "both branches' variables must be there"
    )
    await complete(gateway, after[0].key)
    view = await engine.is_completed(instance)
    assert view.passed.count("join") == 1 and view.passed.count("end") == 1, (
        f"the join and the end must be passed once each, passed {view.passed}"
    )


async def test_terminate_end_event_ends_the_other_branches(
    engine: EngineHandle, gateway: GatewayStub, deploy
) -> None:
    diagram = (
        Diagram("terminating")
        .start()
        .parallel("fork")
        .task("slow", "slow-branch")
        .task("fast", "fast-branch")
        .end("slow-end")
        .terminate_end("stop-all")
        .chain("start", "fork")
        .chain("fork", "slow", "slow-end")
        .chain("fork", "fast", "stop-all")
    )
    await deploy(diagram.file())
    instance = await create(gateway, "terminating")
    slow = await activate_one(gateway, "slow-branch")
    fast = await activate_one(gateway, "fast-branch")
    await complete(gateway, fast.key)
    view = await engine.is_completed(instance)
    assert "stop-all" in view.passed and "slow" in view.terminated, (
        f"the terminate end event must end the slow branch; passed {view.passed}, "
        f"terminated {view.terminated}"
    )
    assert "slow-end" not in view.passed, "the terminated branch must not continue"
    await rejected(
        complete(gateway, slow.key), grpc.StatusCode.NOT_FOUND, "completing the terminated branch's job"
    )


async def test_an_element_without_outgoing_flow_ends_its_path(
    engine: EngineHandle, gateway: GatewayStub, deploy
) -> None:
    diagram = (
        Diagram("implicit")
        .start()
        .parallel("fork")
        .task("left", "left-work")
        .task("right", "right-work")
        .chain("start", "fork")
        .chain("fork", "left")
        .chain("fork", "right")
    )
    await deploy(diagram.file())
    instance = await create(gateway, "implicit")
    await complete(gateway, (await activate_one(gateway, "left-work")).key)
    await engine.has_passed(instance, "left")
    assert engine.instance(instance).state == "ACTIVE", "the instance must wait for the other path"
    await complete(gateway, (await activate_one(gateway, "right-work")).key)
    await engine.is_completed(instance)


async def test_several_end_events_complete_the_instance_once(
    engine: EngineHandle, gateway: GatewayStub, deploy
) -> None:
    diagram = (
        Diagram("two-ends")
        .start()
        .parallel("fork")
        .end("end-1")
        .task("work", "two-ends-work")
        .end("end-2")
        .chain("start", "fork", "end-1")
        .chain("fork", "work", "end-2")
    )
    await deploy(diagram.file())
    call = gateway.CreateProcessInstanceWithResult(
        pb.CreateProcessInstanceWithResultRequest(
            request=pb.CreateProcessInstanceRequest(bpmnProcessId="two-ends"), requestTimeout=20_000
        ),
        timeout=30,
    )
    job = await activate_one(gateway, "two-ends-work")
    await engine.has_passed(job.processInstanceKey, "end-1")
    assert engine.instance(job.processInstanceKey).state == "ACTIVE", "one end event of two must not end it"
    await complete(gateway, job.key, {"finished": True})
    answer = await call
    assert json.loads(answer.variables) == {"finished": True}, f"unexpected result {answer.variables}"
    view = await engine.is_completed(job.processInstanceKey)
    assert sorted(view.passed.count(end) for end in ("end-1", "end-2")) == [1, 1], f"passed {view.passed}"


async def test_resolving_without_a_fix_raises_the_incident_again(
    engine: EngineHandle, gateway: GatewayStub, deploy
) -> None:
    await deploy(triage("unfixed", default=False).file())
    instance = await create(gateway, "unfixed", {"amount": 1})
    view = await engine.has_incident(instance, "CONDITION_ERROR")
    [first] = view.incidents
    await gateway.ResolveIncident(pb.ResolveIncidentRequest(incidentKey=first))
    view = await engine.wait_until(
        lambda: (lambda v: v if v.incidents and first not in v.incidents else None)(
            engine.instance(instance)
        ),
        lambda: f"expected a new incident to replace {first}, got {engine.instance(instance).incidents}",
    )
    [second] = view.incidents.values()
    assert second.error_type == "CONDITION_ERROR" and second.element_id == "choose", f"got {second}"
