"""Decisions: a .dmn deploys like a .bpmn, business rule tasks call it, EvaluateDecision answers."""

from __future__ import annotations

import json
from pathlib import Path

from diagrams import Diagram
from pyzeebe import ZeebeClient
from pyzeebe.proto import gateway_pb2 as pb

from engine.testing.handle import EngineHandle

POLICY = (Path(__file__).parents[1] / "unit" / "dmn" / "decisions" / "appeal-policy.dmn").read_bytes()


def decide(decision_id: str) -> Diagram:
    task = (
        '<bpmn:businessRuleTask id="Decide"><bpmn:extensionElements>'
        f'<zeebe:calledDecision decisionId="{decision_id}" resultVariable="limit"/>'
        "</bpmn:extensionElements></bpmn:businessRuleTask>"
    )
    return Diagram("time-limit").start().raw(task).end().chain("start", "Decide", "end")


async def test_a_business_rule_task_takes_the_decision_output(
    engine: EngineHandle, client: ZeebeClient, deploy
) -> None:
    deployed = await deploy(decide("TimeLimitDecision").file(), ("appeal-policy.dmn", POLICY))
    kinds = {type(d).__name__ for d in deployed.deployments}
    assert {"ProcessMetadata", "DecisionMetadata", "DecisionRequirementsMetadata"} <= kinds
    complaint = await client.run_process("time-limit", {"category": "投诉", "content": "噪音"})
    question = await client.run_process("time-limit", {"category": "咨询", "content": "社保"})
    assert (await engine.is_completed(complaint.process_instance_key)).variables["limit"] == 20
    assert (await engine.is_completed(question.process_instance_key)).variables["limit"] == 2


async def test_a_missing_decision_is_an_incident(engine: EngineHandle, client: ZeebeClient, deploy) -> None:
    await deploy(decide("NoSuchDecision").file())
    started = await client.run_process("time-limit", {})
    view = await engine.has_incident(started.process_instance_key, "CALLED_DECISION_ERROR")
    assert "no decision found for id 'NoSuchDecision'" in next(iter(view.incidents.values())).error_message


async def test_evaluate_decision_answers_with_output_and_matched_rules(
    engine: EngineHandle, deploy, gateway
) -> None:
    await deploy(("appeal-policy.dmn", POLICY))
    answer = await gateway.EvaluateDecision(
        pb.EvaluateDecisionRequest(decisionId="TimeLimitDecision", variables=json.dumps({"category": "举报"}))
    )
    assert json.loads(answer.decisionOutput) == 20
    assert answer.failureMessage == ""
    (evaluated,) = answer.evaluatedDecisions
    assert evaluated.decisionId == "TimeLimitDecision" and evaluated.matchedRules
