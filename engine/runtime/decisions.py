"""Evaluating deployed DMN decisions, as Zeebe (with dmn-scala) does: a pure function of its inputs.

`evaluate_decision` gives the decision's output in Zeebe's shape and the audit of every decision it
evaluated (required decisions first), which the engine records and the `EvaluateDecision` RPC
returns. Outputs are JSON values, ready to become process variables.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from engine import feel
from engine.model.dmn import (
    Aggregation,
    Decision,
    DecisionRequirements,
    DecisionTable,
    DecisionType,
    HitPolicy,
    Rule,
)


@dataclass(frozen=True, slots=True)
class EvaluatedInput:
    input_id: str
    input_name: str | None
    input_value: Any


@dataclass(frozen=True, slots=True)
class EvaluatedOutput:
    output_id: str
    output_name: str
    output_value: Any


@dataclass(frozen=True, slots=True)
class MatchedRule:
    rule_id: str
    rule_index: int
    evaluated_outputs: tuple[EvaluatedOutput, ...]


@dataclass(frozen=True, slots=True)
class EvaluatedDecision:
    decision_id: str
    decision_name: str | None
    decision_type: DecisionType
    decision_output: Any
    """None for the decision that failed, which has no output."""
    evaluated_inputs: tuple[EvaluatedInput, ...]
    matched_rules: tuple[MatchedRule, ...]


@dataclass(frozen=True, slots=True)
class DecisionResult:
    decision_id: str
    decision_output: Any
    evaluated_decisions: tuple[EvaluatedDecision, ...]
    warnings: tuple[str, ...]


class DecisionEvaluationFailure(Exception):
    """The decision has no result; the message (naming the decision) becomes the incident's."""

    def __init__(
        self,
        message: str,
        decision_id: str,
        failed_decision_id: str,
        evaluated_decisions: tuple[EvaluatedDecision, ...],
        warnings: tuple[str, ...],
    ) -> None:
        super().__init__(message)
        self.message = message
        self.decision_id = decision_id
        self.failed_decision_id = failed_decision_id
        self.evaluated_decisions = evaluated_decisions
        self.warnings = warnings


def evaluate_decision(
    drg: DecisionRequirements,
    decision_id: str,
    variables: Mapping[str, Any],
    *,
    now: datetime | None = None,
) -> DecisionResult:
    """Evaluate `decision_id` of `drg` against JSON `variables`; raises `DecisionEvaluationFailure`."""
    evaluation = _Evaluation(drg, variables, now)
    decision = drg.decision(decision_id)
    try:
        if decision is None:
            raise _Failure(decision_id, f"no decision found for id '{decision_id}'")
        output = evaluation.decide(decision)
    except _Failure as failure:
        reason = failure.reason
        if failure.decision_id != decision_id:
            reason = f"its required decision '{failure.decision_id}' failed: {reason}"
        raise DecisionEvaluationFailure(
            f"Expected to evaluate decision '{decision_id}', but {reason}",
            decision_id,
            failure.decision_id,
            tuple(evaluation.evaluated),
            tuple(dict.fromkeys(evaluation.warnings)),
        ) from None
    return DecisionResult(
        decision_id,
        feel.to_json(output),
        tuple(evaluation.evaluated),
        tuple(dict.fromkeys(evaluation.warnings)),
    )


class _Failure(Exception):
    def __init__(self, decision_id: str, reason: str) -> None:
        super().__init__(reason)
        self.decision_id = decision_id
        self.reason = reason


# A decision's variable typeRef, checked like dmn-scala does; other typeRefs are not checked.
_TYPE_CHECKS = {
    type_ref: feel.compile(f"value instance of {feel_type}")
    for type_ref, feel_type in {
        "string": "string",
        "number": "number",
        "boolean": "boolean",
        "date": "date",
        "time": "time",
        "dateTime": "date and time",
        "dayTimeDuration": "days and time duration",
        "yearMonthDuration": "years and months duration",
    }.items()
}
_AGGREGATES = {
    Aggregation.SUM: feel.compile("sum(values)"),
    Aggregation.MIN: feel.compile("min(values)"),
    Aggregation.MAX: feel.compile("max(values)"),
}


def _describe(value: Any) -> str:
    return json.dumps(feel.to_json(value), ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class _Hit:
    """A matched rule and the values of its output entries, by output name."""

    rule: Rule
    outputs: dict[str, Any]


class _Evaluation:
    def __init__(self, drg: DecisionRequirements, variables: Mapping[str, Any], now: datetime | None) -> None:
        self.drg = drg
        self.variables = variables
        self.now = now
        self.evaluated: list[EvaluatedDecision] = []
        self.warnings: list[str] = []

    def decide(self, decision: Decision) -> Any:
        # Each decision sees the caller's variables plus the results of its own required decisions;
        # like dmn-scala, a decision required twice is evaluated (and audited) twice.
        context = dict(self.variables)
        for required_id in decision.required_decisions:
            required = self.drg.decision(required_id)
            # The parser guarantees that required decisions exist; this keeps the types honest.
            if required is None:
                raise _Failure(decision.id, f"no decision found for id '{required_id}'")
            context[required.result_name] = self.decide(required)

        inputs: list[EvaluatedInput] = []
        hits: list[_Hit] = []
        try:
            if isinstance(decision.logic, DecisionTable):
                output = self.decision_table(decision.id, decision.logic, context, inputs, hits)
            else:
                evaluation = decision.logic.expression.evaluate_detailed(context, now=self.now)
                self.warn(decision.id, "literal expression", evaluation.warnings)
                output = evaluation.value
            self.check_type(decision, output)
        except _Failure:
            self.record(decision, None, inputs, hits)
            raise
        self.record(decision, feel.to_json(output), inputs, hits)
        return output

    def record(self, decision: Decision, output: Any, inputs: list[EvaluatedInput], hits: list[_Hit]) -> None:
        outputs = decision.logic.outputs if isinstance(decision.logic, DecisionTable) else ()
        matched = tuple(
            MatchedRule(
                hit.rule.id,
                hit.rule.index,
                tuple(
                    EvaluatedOutput(item.id, item.name, feel.to_json(hit.outputs[item.name]))
                    for item in outputs
                ),
            )
            for hit in hits
        )
        self.evaluated.append(
            EvaluatedDecision(
                decision.id, decision.name, decision.decision_type, output, tuple(inputs), matched
            )
        )

    def check_type(self, decision: Decision, output: Any) -> None:
        type_ref = (decision.result_type or "").removeprefix("feel:")
        check = _TYPE_CHECKS.get(type_ref)
        if output is not None and check is not None and check.evaluate({"value": output}) is not True:
            raise _Failure(
                decision.id, f"its result {_describe(output)} is not a '{type_ref}', the type of its variable"
            )

    def warn(self, decision_id: str, where: str, warnings: list[str]) -> None:
        self.warnings.extend(f"decision '{decision_id}', {where}: {warning}" for warning in warnings)

    def decision_table(
        self,
        decision_id: str,
        table: DecisionTable,
        context: dict[str, Any],
        inputs: list[EvaluatedInput],
        hits: list[_Hit],
    ) -> Any:
        values = []
        for item in table.inputs:
            evaluation = item.expression.evaluate_detailed(context, now=self.now)
            self.warn(decision_id, f"input '{item.label or item.id}'", evaluation.warnings)
            values.append(evaluation.value)
            inputs.append(EvaluatedInput(item.id, item.label, feel.to_json(evaluation.value)))

        matched = [rule for rule in table.rules if self.matches(decision_id, rule, values, context)]
        if table.hit_policy is HitPolicy.FIRST:
            matched = matched[:1]
        for rule in matched:
            outputs = {}
            for output, entry in zip(table.outputs, rule.output_entries, strict=True):
                value = None
                if entry is not None:
                    evaluation = entry.evaluate_detailed(context, now=self.now)
                    self.warn(decision_id, f"rule '{rule.id}', output '{output.name}'", evaluation.warnings)
                    value = evaluation.value
                outputs[output.name] = value
            hits.append(_Hit(rule, outputs))
        if not hits:
            return self.default_output(decision_id, table, context)
        return _apply_hit_policy(decision_id, table, hits)

    def matches(self, decision_id: str, rule: Rule, values: list[Any], context: dict[str, Any]) -> bool:
        for position, (entry, value) in enumerate(zip(rule.input_entries, values, strict=True), start=1):
            if entry is None:
                continue
            evaluation = entry.matches_detailed(value, context, now=self.now)
            self.warn(decision_id, f"rule '{rule.id}', input entry {position}", evaluation.warnings)
            if evaluation.value is not True:
                return False
        return True

    def default_output(self, decision_id: str, table: DecisionTable, context: dict[str, Any]) -> Any:
        """With no rule matched, dmn-scala answers the default output entries, else null (any hit policy)."""
        defaults = {}
        for output in table.outputs:
            if output.default_output is not None:
                evaluation = output.default_output.evaluate_detailed(context, now=self.now)
                self.warn(decision_id, f"default output '{output.name}'", evaluation.warnings)
                defaults[output.name] = evaluation.value
        if not defaults:
            return None
        return next(iter(defaults.values())) if len(defaults) == 1 else defaults


def _apply_hit_policy(decision_id: str, table: DecisionTable, hits: list[_Hit]) -> Any:
    policy = table.hit_policy
    if policy is HitPolicy.UNIQUE and len(hits) > 1:
        rules = ", ".join(f"'{hit.rule.id}'" for hit in hits)
        raise _Failure(
            decision_id, f"rules {rules} match, and hit policy UNIQUE allows one matching rule at most"
        )
    if policy is HitPolicy.ANY:
        distinct: list[dict[str, Any]] = []
        for hit in hits:
            if hit.outputs not in distinct:
                distinct.append(hit.outputs)
        if len(distinct) > 1:
            found = ", ".join(_describe(_value_of(table, outputs)) for outputs in distinct)
            raise _Failure(
                decision_id,
                f"the matching rules give different outputs ({found}), which hit policy ANY forbids",
            )
    if policy in (HitPolicy.PRIORITY, HitPolicy.OUTPUT_ORDER):
        hits = sorted(hits, key=lambda hit: _priority(table, hit))
    if policy.single_hit:
        return _value_of(table, hits[0].outputs)
    if table.aggregation is None:
        return [_value_of(table, hit.outputs) for hit in hits]
    if table.aggregation is Aggregation.COUNT:
        return Decimal(len(hits))
    values = [_value_of(table, hit.outputs) for hit in hits]
    for hit, value in zip(hits, values, strict=True):
        if not isinstance(value, Decimal):
            raise _Failure(
                decision_id,
                f"rule '{hit.rule.id}' gives {_describe(value)}, "
                f"and the COLLECT {table.aggregation} aggregation needs numbers",
            )
    return _AGGREGATES[table.aggregation].evaluate({"values": values})


def _value_of(table: DecisionTable, outputs: dict[str, Any]) -> Any:
    """A rule's result: the value of a single output, else a context of all outputs."""
    return outputs[table.outputs[0].name] if len(table.outputs) == 1 else outputs


def _priority(table: DecisionTable, hit: _Hit) -> tuple[int, ...]:
    """Output values are listed in decreasing priority; a value not listed ranks after all listed ones."""
    ranks = []
    for output in table.outputs:
        value = hit.outputs[output.name]
        listed = output.output_values
        ranks.append(next((rank for rank, item in enumerate(listed) if item == value), len(listed)))
    return tuple(ranks)
