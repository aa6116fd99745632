"""Calling deployed decisions: from a business rule task (`zeebe:calledDecision`) or the
EvaluateDecision RPC. The evaluation itself is the pure `engine.runtime.decisions`; this module
finds the decision, feeds it the clock and records what was decided."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from engine.runtime.context import Context
from engine.runtime.decisions import DecisionEvaluationFailure, DecisionResult, evaluate_decision
from engine.runtime.entities import DecisionDefinition, Kind
from engine.runtime.expressions import EvaluationFailure
from engine.runtime.records import ValueType

CALLED_DECISION_ERROR = "CALLED_DECISION_ERROR"
DECISION_EVALUATION_ERROR = "DECISION_EVALUATION_ERROR"


def latest_decision(ctx: Context, decision_id: str) -> DecisionDefinition | None:
    versions: list[DecisionDefinition] = ctx.layer.find(Kind.DECISION, "decision_id", decision_id)
    return max(versions, key=lambda d: d.version) if versions else None


def evaluate(
    ctx: Context,
    definition: DecisionDefinition,
    variables: Mapping[str, Any],
    process_instance_key: int | None,
) -> DecisionResult:
    """Evaluate and record; a failure is recorded too and raised as DecisionEvaluationFailure."""
    drg = ctx.models.decisions(definition.drg_key)
    now = datetime.fromtimestamp(ctx.now / 1000, UTC)
    value: dict[str, Any] = {
        "decisionKey": definition.key,
        "decisionId": definition.decision_id,
        "decisionVersion": definition.version,
        "decisionRequirementsKey": definition.drg_key,
    }
    try:
        result = evaluate_decision(drg, definition.decision_id, variables, now=now)
    except DecisionEvaluationFailure as failure:
        value |= {"failedDecisionId": failure.failed_decision_id, "evaluationFailureMessage": failure.message}
        ctx.record(ValueType.DECISION_EVALUATION, "FAILED", ctx.new_key(), value, process_instance_key)
        raise
    value["decisionOutput"] = result.decision_output
    ctx.record(ValueType.DECISION_EVALUATION, "EVALUATED", ctx.new_key(), value, process_instance_key)
    return result


def call_for_task(
    ctx: Context, decision_id: str, variables: Mapping[str, Any], process_instance_key: int
) -> Any:
    """The output of the latest version of `decision_id`, or an EvaluationFailure for an incident."""
    definition = latest_decision(ctx, decision_id)
    if definition is None:
        raise EvaluationFailure(
            f"Expected to evaluate decision '{decision_id}', but no decision found for id '{decision_id}'",
            CALLED_DECISION_ERROR,
        )
    try:
        return evaluate(ctx, definition, variables, process_instance_key).decision_output
    except DecisionEvaluationFailure as failure:
        raise EvaluationFailure(failure.message, DECISION_EVALUATION_ERROR) from None
