"""Evaluating decisions the way Zeebe does: result shapes, hit policies, unary tests, required decisions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from dmn_document import document, literal_decision, load, table_decision

from engine.model.dmn import DecisionRequirements, DecisionType, parse_dmn
from engine.runtime.decisions import (
    DecisionEvaluationFailure,
    EvaluatedDecision,
    EvaluatedInput,
    EvaluatedOutput,
    MatchedRule,
    evaluate_decision,
)

APPEAL_POLICY = load("appeal-policy.dmn")
HIT_POLICIES = load("hit-policies.dmn")
REQUIRED_CHAIN = load("required-chain.dmn")
UNARY_TESTS = load("unary-tests.dmn")


@pytest.mark.parametrize(
    ("category", "days"),
    [("咨询", 2), ("建议", 2), ("求助", 20), ("投诉", 20), ("举报", 20), ("表扬", None)],
)
def test_time_limit_by_appeal_category(category: str, days: int | None) -> None:
    result = evaluate_decision(APPEAL_POLICY, "TimeLimitDecision", {"category": category})
    assert result.decision_output == days


@pytest.mark.parametrize(
    ("content", "category", "unit"),
    [
        ("小区夜间施工噪音扰民", "投诉", "区生态环境局"),
        ("工地拖欠工资三个月", "求助", "区人力资源和社会保障局"),
        ("建议公司按时发放，不要欠薪", "建议", "区政务服务中心"),
        ("超市出售过期食品", "举报", "区市场监督管理局"),
        ("咨询食品经营许可证办理流程", "咨询", "区政务服务中心"),
        ("路灯不亮", "求助", "区政务服务中心"),
    ],
)
def test_lead_unit_routing_takes_the_first_matching_rule(content: str, category: str, unit: str) -> None:
    result = evaluate_decision(APPEAL_POLICY, "LeadUnitDecision", {"content": content, "category": category})
    assert result.decision_output == unit


def test_handling_plan_records_every_decision_it_evaluated() -> None:
    result = evaluate_decision(
        APPEAL_POLICY, "HandlingPlanDecision", {"category": "投诉", "content": "超市出售过期食品"}
    )
    assert result.decision_id == "HandlingPlanDecision"
    assert result.decision_output == {
        "timeLimitDays": 20,
        "leadUnit": "区市场监督管理局",
        "needsReview": True,
    }
    assert result.warnings == ()
    assert result.evaluated_decisions == (
        EvaluatedDecision(
            decision_id="TimeLimitDecision",
            decision_name="办理时限（工作日）",
            decision_type=DecisionType.DECISION_TABLE,
            decision_output=20,
            evaluated_inputs=(EvaluatedInput("Input_1", "诉求类别", "投诉"),),
            matched_rules=(
                MatchedRule("DecisionRule_1m8ld0e", 2, (EvaluatedOutput("Output_1", "timeLimitDays", 20),)),
            ),
        ),
        EvaluatedDecision(
            decision_id="LeadUnitDecision",
            decision_name="主办单位",
            decision_type=DecisionType.DECISION_TABLE,
            decision_output="区市场监督管理局",
            evaluated_inputs=(
                EvaluatedInput("InputClause_0d3h2k1", "诉求内容", "超市出售过期食品"),
                EvaluatedInput("InputClause_1x7w3pn", "诉求类别", "投诉"),
            ),
            matched_rules=(
                MatchedRule(
                    "DecisionRule_0food03",
                    3,
                    (EvaluatedOutput("OutputClause_0f8b2ma", "leadUnit", "区市场监督管理局"),),
                ),
            ),
        ),
        EvaluatedDecision(
            decision_id="HandlingPlanDecision",
            decision_name="办理方案",
            decision_type=DecisionType.LITERAL_EXPRESSION,
            decision_output={"timeLimitDays": 20, "leadUnit": "区市场监督管理局", "needsReview": True},
            evaluated_inputs=(),
            matched_rules=(),
        ),
    )


SCORES = (95, 70, 10, None)


@pytest.mark.parametrize(
    ("decision_id", "outputs"),
    [
        # Single hit: one value, null without a match.
        ("UniqueLevel", ["high", "medium", "low", None]),
        ("FirstLevel", ["high", "medium", "low", "low"]),
        ("PriorityLevel", ["high", "medium", "low", "low"]),
        ("PriorityUnlisted", ["medium", "medium", "other", "other"]),
        # Multiple hits: a list even for one match, null (as in Zeebe) without a match.
        ("CollectLevels", [["high", "medium", "low"], ["medium", "low"], ["low"], ["low"]]),
        ("RuleOrderLevels", [["high", "medium"], ["medium"], ["low"], None]),
        ("OutputOrderLevels", [["high", "medium", "low"], ["medium", "low"], ["low"], ["low"]]),
        ("CollectSum", [60, 30, 10, 10]),
        ("CollectMin", [10, 10, 10, 10]),
        ("CollectMax", [30, 20, 10, 10]),
        ("CollectCount", [3, 2, 1, 1]),
        # Several outputs: a context per rule.
        (
            "Grading",
            [
                {"level": "high", "days": None},
                {"level": "high", "days": None},
                {"level": "low", "days": 10},
                None,
            ],
        ),
        (
            "GradingAll",
            [
                [{"level": "high", "days": 30}, {"level": "low", "days": 9.5}],
                [{"level": "low", "days": 7}],
                [{"level": "low", "days": 1}],
                [{"level": "low", "days": None}],
            ],
        ),
    ],
)
def test_hit_policies(decision_id: str, outputs: list[Any]) -> None:
    for score, expected in zip(SCORES, outputs, strict=True):
        result = evaluate_decision(HIT_POLICIES, decision_id, {"score": score})
        assert result.decision_output == expected, f"{decision_id} with score {score}"


def test_any_with_equal_outputs_reports_every_matching_rule() -> None:
    assert evaluate_decision(HIT_POLICIES, "AnyLevel", {"score": 70}).decision_output == "pass"
    assert evaluate_decision(HIT_POLICIES, "AnyLevel", {"score": 10}).decision_output is None
    result = evaluate_decision(HIT_POLICIES, "AnyLevel", {"score": 92})
    assert result.decision_output == "pass"
    assert [rule.rule_id for rule in result.evaluated_decisions[0].matched_rules] == [
        "AnyLevel_Pass",
        "AnyLevel_AlsoPass",
    ]


def test_first_reports_only_the_first_matching_rule() -> None:
    result = evaluate_decision(HIT_POLICIES, "FirstLevel", {"score": 95})
    assert [(rule.rule_id, rule.rule_index) for rule in result.evaluated_decisions[0].matched_rules] == [
        ("FirstLevel_High", 1)
    ]


def test_output_order_sorts_by_the_output_values_not_by_the_rules() -> None:
    result = evaluate_decision(HIT_POLICIES, "OutputOrderLevels", {"score": 95})
    assert [rule.rule_index for rule in result.evaluated_decisions[0].matched_rules] == [1, 2, 3]
    assert result.decision_output == ["high", "medium", "low"]


def failure_of(
    drg: DecisionRequirements, decision_id: str, variables: dict[str, Any]
) -> DecisionEvaluationFailure:
    with pytest.raises(DecisionEvaluationFailure) as caught:
        evaluate_decision(drg, decision_id, variables)
    return caught.value


@pytest.mark.parametrize(
    ("decision_id", "score", "message"),
    [
        (
            "UniqueOverlapping",
            90,
            "Expected to evaluate decision 'UniqueOverlapping', but rules 'UniqueOverlapping_Pass',"
            " 'UniqueOverlapping_Good' match, and hit policy UNIQUE allows one matching rule at most",
        ),
        (
            "AnyLevel",
            97,
            "Expected to evaluate decision 'AnyLevel', but the matching rules give different outputs"
            ' ("pass", "excellent"), which hit policy ANY forbids',
        ),
        (
            "CollectSumText",
            1,
            "Expected to evaluate decision 'CollectSumText', but rule 'CollectSumText_Any' gives \"ten\","
            " and the COLLECT SUM aggregation needs numbers",
        ),
    ],
)
def test_hit_policy_violations_fail(decision_id: str, score: int, message: str) -> None:
    failure = failure_of(HIT_POLICIES, decision_id, {"score": score})
    assert str(failure) == failure.message == message
    assert (failure.decision_id, failure.failed_decision_id) == (decision_id, decision_id)
    [evaluated] = failure.evaluated_decisions
    assert evaluated.decision_id == decision_id and evaluated.decision_output is None
    assert [(item.input_name, item.input_value) for item in evaluated.evaluated_inputs] == [("分数", score)]
    assert len(evaluated.matched_rules) >= 1


def matching_rules(**variables: Any) -> list[str]:
    output = evaluate_decision(UNARY_TESTS, "MatchingRules", {"limit": 5, **variables}).decision_output
    assert isinstance(output, list)
    return output


@pytest.mark.parametrize(
    ("variables", "rules"),
    [
        ({"category": "咨询", "amount": 50, "receivedOn": "2025-12-31"}, ["any", "range", "empty cells"]),
        (
            {"category": "投诉", "amount": 600, "receivedOn": "2026-03-01"},
            ["any", "list", "not range", "not category", "comparison", "question mark", "date"],
        ),
        ({"category": "举报", "amount": 3}, ["any", "list", "not range", "not category", "variable"]),
        ({"category": "建议", "amount": 100}, ["any", "range", "not category"]),
        ({"category": "求助", "amount": 9.99}, ["any", "not range", "not category"]),
    ],
)
def test_unary_tests(variables: dict[str, Any], rules: list[str]) -> None:
    assert matching_rules(**variables) == rules


def test_a_missing_input_matches_only_dashes_and_empty_cells_and_warns() -> None:
    result = evaluate_decision(UNARY_TESTS, "MatchingRules", {"category": "咨询"})
    assert result.decision_output == ["any", "empty cells"]
    assert result.evaluated_decisions[0].evaluated_inputs[1] == EvaluatedInput("Input_0005", "金额", None)
    assert "decision 'MatchingRules', input '金额': no variable found for name 'amount'" in result.warnings
    assert (
        "decision 'MatchingRules', rule 'Rule_Variable', input entry 2: no variable found for name 'limit'"
        in (result.warnings)
    )


def test_required_decision_chain_reads_results_under_variable_names() -> None:
    result = evaluate_decision(
        REQUIRED_CHAIN, "FinalDays", {"category": "投诉", "extended": True, "maxDays": 25}
    )
    assert result.decision_output == 25
    assert [(item.decision_id, item.decision_output) for item in result.evaluated_decisions] == [
        ("BaseDays", 20),
        ("ExtraDays", 10),
        ("TotalDays", 30),
        ("FinalDays", 25),
    ]
    consult = evaluate_decision(
        REQUIRED_CHAIN, "FinalDays", {"category": "咨询", "extended": False, "maxDays": 25}
    )
    assert consult.decision_output == 2


def test_a_failing_required_decision_fails_its_dependants() -> None:
    failure = failure_of(REQUIRED_CHAIN, "NeedsOverlapping", {"category": "投诉"})
    assert failure.message == (
        "Expected to evaluate decision 'NeedsOverlapping', but its required decision 'OverlappingDays'"
        " failed: rules 'Overlapping_Any', 'Overlapping_Complaint' match, and hit policy UNIQUE allows"
        " one matching rule at most"
    )
    assert (failure.decision_id, failure.failed_decision_id) == ("NeedsOverlapping", "OverlappingDays")
    assert [(item.decision_id, item.decision_output) for item in failure.evaluated_decisions] == [
        ("BaseDays", 20),
        ("OverlappingDays", None),
    ]
    assert evaluate_decision(REQUIRED_CHAIN, "NeedsOverlapping", {"category": "咨询"}).decision_output == 40


def test_a_result_that_is_not_of_the_variable_type_fails() -> None:
    failure = failure_of(REQUIRED_CHAIN, "WronglyTyped", {})
    assert failure.message == (
        "Expected to evaluate decision 'WronglyTyped', but its result \"二十\" is not a 'number',"
        " the type of its variable"
    )


def test_an_unknown_decision() -> None:
    failure = failure_of(REQUIRED_CHAIN, "Nothing", {})
    assert (
        failure.message == "Expected to evaluate decision 'Nothing', but no decision found for id 'Nothing'"
    )
    assert failure.evaluated_decisions == ()


def test_literal_expressions_read_variables_and_the_clock() -> None:
    drg = parse_dmn(
        "literal.dmn",
        document(literal_decision("Due", "{today: string(today()), appeal: appeal.title, missing: nothing}")),
    )
    now = datetime(2026, 10, 1, 9, 30, tzinfo=UTC)
    result = evaluate_decision(drg, "Due", {"appeal": {"title": "路灯不亮"}}, now=now)
    assert result.decision_output == {"today": "2026-10-01", "appeal": "路灯不亮", "missing": None}
    assert result.warnings == ("decision 'Due', literal expression: no variable found for name 'nothing'",)
    assert result.evaluated_decisions[0].decision_type is DecisionType.LITERAL_EXPRESSION


def test_default_output_entries_answer_when_no_rule_matches() -> None:
    body = table_decision("D", [(['"a"'], ['"x"', "1"])], outputs=("name", "count")).replace(
        'name="count" typeRef="string" />',
        'name="count" typeRef="string">'
        '<defaultOutputEntry id="Default"><text>0</text></defaultOutputEntry></output>',
    )
    drg = parse_dmn("default.dmn", document(body))
    assert evaluate_decision(drg, "D", {"score": "b"}).decision_output == 0
    assert evaluate_decision(drg, "D", {"score": "a"}).decision_output == {"name": "x", "count": 1}


def test_evaluation_leaves_the_variables_untouched() -> None:
    variables = {"category": "投诉", "extended": False, "maxDays": 10}
    evaluate_decision(REQUIRED_CHAIN, "FinalDays", variables)
    assert variables == {"category": "投诉", "extended": False, "maxDays": 10}
