"""DMN files as Camunda Modeler writes them into the decision model, and the files Zeebe would refuse."""

from __future__ import annotations

import pytest
from dmn_document import DECISIONS, DMN13, document, literal_decision, load, table_decision

from engine.model import ModelError, Problem
from engine.model.dmn import (
    DMN_NAMESPACES,
    Aggregation,
    DecisionTable,
    DecisionType,
    HitPolicy,
    LiteralExpression,
    parse_dmn,
)


def test_appeal_policy_graph() -> None:
    drg = load("appeal-policy.dmn")
    assert (drg.id, drg.name, drg.namespace) == (
        "AppealPolicy",
        "诉求办理规则",
        "http://camunda.org/schema/1.0/dmn",
    )
    assert [decision.id for decision in drg.decisions] == [
        "HandlingPlanDecision",
        "TimeLimitDecision",
        "LeadUnitDecision",
    ]
    plan = drg.decision("HandlingPlanDecision")
    assert plan is not None
    assert (plan.name, plan.version_tag, plan.decision_type) == (
        "办理方案",
        "2026.1",
        DecisionType.LITERAL_EXPRESSION,
    )
    assert plan.required_decisions == ("TimeLimitDecision", "LeadUnitDecision")
    assert plan.result_name == "handlingPlan"
    assert isinstance(plan.logic, LiteralExpression)
    assert "timeLimitDays: TimeLimitDecision" in plan.logic.expression.source
    assert drg.decision("NoSuchDecision") is None


def test_decision_table_structure() -> None:
    drg = load("appeal-policy.dmn")
    decision = drg.decision("LeadUnitDecision")
    assert decision is not None
    assert (decision.version_tag, decision.required_decisions, decision.result_name) == (
        None,
        (),
        "LeadUnitDecision",
    )
    table = decision.logic
    assert isinstance(table, DecisionTable)
    assert (table.id, table.hit_policy, table.aggregation) == ("DecisionTable_1k2n9sq", HitPolicy.FIRST, None)
    assert [(item.id, item.label, item.expression.source, item.type_ref) for item in table.inputs] == [
        ("InputClause_0d3h2k1", "诉求内容", "content", "string"),
        ("InputClause_1x7w3pn", "诉求类别", "category", "string"),
    ]
    assert table.inputs[0].input_values is None
    category_values = table.inputs[1].input_values
    assert (
        category_values is not None
        and category_values.matches("举报")
        and not category_values.matches("其他")
    )
    assert [(item.id, item.label, item.name, item.type_ref) for item in table.outputs] == [
        ("OutputClause_0f8b2ma", "主办单位", "leadUnit", "string")
    ]
    assert [(rule.id, rule.index) for rule in table.rules] == [
        ("DecisionRule_0noise1", 1),
        ("DecisionRule_1wages2", 2),
        ("DecisionRule_0food03", 3),
        ("DecisionRule_1other4", 4),
    ]
    wages = table.rules[1]
    assert [entry.source for entry in wages.input_entries if entry is not None] == [
        'contains(?, "欠薪") or contains(?, "拖欠工资")',
        '"求助","投诉","举报"',
    ]
    assert [entry.source for entry in wages.output_entries if entry is not None] == [
        '"区人力资源和社会保障局"'
    ]


def test_unique_is_the_default_hit_policy() -> None:
    table = load("appeal-policy.dmn").decisions[1].logic
    assert isinstance(table, DecisionTable) and table.hit_policy is HitPolicy.UNIQUE


def test_every_hit_policy_and_aggregation_is_read() -> None:
    tables = {decision.id: decision.logic for decision in load("hit-policies.dmn").decisions}
    read = {
        decision_id: (table.hit_policy, table.aggregation)
        for decision_id, table in tables.items()
        if isinstance(table, DecisionTable)
    }
    assert read["PriorityLevel"] == (HitPolicy.PRIORITY, None)
    assert read["AnyLevel"] == (HitPolicy.ANY, None)
    assert read["CollectLevels"] == (HitPolicy.COLLECT, None)
    assert read["CollectSum"] == (HitPolicy.COLLECT, Aggregation.SUM)
    assert read["CollectMin"] == (HitPolicy.COLLECT, Aggregation.MIN)
    assert read["CollectMax"] == (HitPolicy.COLLECT, Aggregation.MAX)
    assert read["CollectCount"] == (HitPolicy.COLLECT, Aggregation.COUNT)
    assert read["RuleOrderLevels"] == (HitPolicy.RULE_ORDER, None)
    assert read["OutputOrderLevels"] == (HitPolicy.OUTPUT_ORDER, None)
    assert {policy for policy, _ in read.values()} == set(HitPolicy)


def test_output_values_keep_their_priority_order() -> None:
    table = load("hit-policies.dmn").decision("PriorityLevel")
    assert table is not None and isinstance(table.logic, DecisionTable)
    assert table.logic.outputs[0].output_values == ("high", "medium", "low")


def test_empty_cells_match_anything_and_give_null() -> None:
    unary = load("unary-tests.dmn").decisions[0].logic
    assert isinstance(unary, DecisionTable)
    empty_cells = next(rule for rule in unary.rules if rule.id == "Rule_Empty")
    assert empty_cells.input_entries[1:] == (None, None)
    grading = load("hit-policies.dmn").decision("Grading")
    assert grading is not None and isinstance(grading.logic, DecisionTable)
    assert grading.logic.rules[1].output_entries[1] is None


@pytest.mark.parametrize("namespace", list(DMN_NAMESPACES))
def test_every_dmn_version_namespace_is_read(namespace: str) -> None:
    drg = parse_dmn("greeting.dmn", document(literal_decision("Greeting", '"你好"'), namespace=namespace))
    assert [decision.id for decision in drg.decisions] == ["Greeting"]


def test_an_output_without_name_in_a_single_output_table_is_keyed_by_its_id() -> None:
    body = table_decision("D", [(["-"], ['"x"'])]).replace(' name="result"', "")
    table = parse_dmn("d.dmn", document(body)).decisions[0].logic
    assert isinstance(table, DecisionTable) and table.outputs[0].name == "D_Output1"


def problems_of(data: bytes) -> list[Problem]:
    with pytest.raises(ModelError) as caught:
        parse_dmn("bad.dmn", data)
    return caught.value.problems


def assert_problem(body: str, element_id: str | None, fragment: str) -> None:
    problems = problems_of(document(body))
    matching = [p for p in problems if p.element_id == element_id and fragment in p.message]
    assert matching, f"no problem of {element_id!r} mentioning {fragment!r} in {problems}"


def test_message_names_file_element_and_problem() -> None:
    with pytest.raises(ModelError) as caught:
        parse_dmn(
            "policy.dmn", document(table_decision("D", [(["-"], ['"x"'])], attributes=' hitPolicy="BEST"'))
        )
    assert str(caught.value) == (
        "policy.dmn: element 'Table_D': unknown hit policy 'BEST' (expected one of UNIQUE, FIRST, PRIORITY,"
        " ANY, COLLECT, RULE ORDER, OUTPUT ORDER)"
    )


def test_all_problems_of_a_file_are_reported_together() -> None:
    with pytest.raises(ModelError) as caught:
        parse_dmn("many-problems.dmn", (DECISIONS / "many-problems.dmn").read_bytes())
    assert [(p.element_id, p.message) for p in caught.value.problems] == [
        ("Rule_Dup", "the id is used by 2 elements; ids must be unique in a file"),
        ("Table_Days", "unknown aggregation 'AVERAGE' (expected one of SUM, MIN, MAX, COUNT)"),
        ("Rule_Dup", "the rule has 2 input entries but the table has 1 inputs"),
        (
            "Rule_Dup",
            "input entry 1 '[1..' are not valid FEEL unary tests"
            " (line 1, column 5: expected an expression but found end of input)",
        ),
        ("Plan", "the required decision 'Missing' does not exist in this file"),
    ]
    assert str(caught.value).splitlines()[0] == (
        "many-problems.dmn: element 'Rule_Dup': the id is used by 2 elements; ids must be unique in a file"
    )


def test_unparsable_feel_is_reported_where_it_is() -> None:
    assert_problem(
        literal_decision("D", "1 +"), "D", "the literal expression '1 +' is not a valid FEEL expression"
    )
    assert_problem(
        table_decision("D", [(["-"], ['"x"'])], inputs=("score +",)),
        "D_Input1",
        "the input expression 'score +' is not a valid FEEL expression (line 1",
    )
    assert_problem(
        table_decision("D", [(["[1.."], ['"x"'])]), "D_Rule1", "input entry 1 '[1..' are not valid"
    )
    assert_problem(
        table_decision("D", [(["-"], ['"x'])]), "D_Rule1", "output entry 1 '\"x' is not a valid FEEL"
    )


def test_unparsable_input_and_output_values() -> None:
    table = table_decision("D", [(["-"], ['"x"'])])
    with_input_values = table.replace(
        "</inputExpression>", '</inputExpression><inputValues id="IV"><text>"a",,</text></inputValues>'
    )
    assert_problem(with_input_values, "D_Input1", "the input values '\"a\",,' are not valid FEEL unary tests")
    with_output_values = table.replace(
        'typeRef="string" />',
        'typeRef="string"><outputValues id="OV"><text>high, low</text></outputValues></output>',
    )
    assert_problem(
        with_output_values,
        "D_Output1",
        "the output values 'high, low' must be a comma-separated list of values"
        " (no variable found for name 'high'",
    )


@pytest.mark.parametrize(
    ("rules", "fragment"),
    [
        ([(["-", "-"], ['"x"'])], "the rule has 2 input entries but the table has 1 inputs"),
        ([([], ['"x"'])], "the rule has 0 input entries but the table has 1 inputs"),
        ([(["-"], ['"x"', '"y"'])], "the rule has 2 output entries but the table has 1 outputs"),
    ],
)
def test_a_rule_with_the_wrong_number_of_entries(
    rules: list[tuple[list[str], list[str]]], fragment: str
) -> None:
    assert_problem(table_decision("D", rules), "D_Rule1", fragment)


def test_table_shape_problems() -> None:
    two_outputs = table_decision("D", [(["-"], ['"x"', '"y"'])], outputs=("a", "b"))
    assert_problem(
        two_outputs.replace('aggregation=""', "").replace(
            '<decisionTable id="Table_D"', '<decisionTable id="Table_D" hitPolicy="COLLECT" aggregation="SUM"'
        ),
        "Table_D",
        "a COLLECT aggregation needs a table with exactly one output",
    )
    assert_problem(
        two_outputs.replace(' name="b"', ""), "D_Output2", "each output of a table with several outputs"
    )
    no_outputs = table_decision("D", [(["-"], [])], outputs=())
    assert_problem(no_outputs, "Table_D", "a decision table must have at least one output")
    assert_problem(
        table_decision("D", [(["-"], ['"x"'])]).replace(' id="D_Rule1"', ""),
        "Table_D",
        "rule 1 must have an id",
    )
    assert_problem(
        table_decision("D", [(["-"], ['"x"'])]).replace("<text>score</text>", "<text> </text>"),
        "D_Input1",
        "the input expression must not be empty",
    )


def test_decision_problems() -> None:
    assert_problem(
        '<decision id="D" name="空" />', "D", "a decision must have a decision table or a literal expression"
    )
    assert_problem(
        '<decision name="无编号"><literalExpression><text>1</text></literalExpression></decision>',
        None,
        "decision '无编号' must have an id",
    )
    assert_problem(literal_decision("D", ""), "D", "the literal expression must not be empty")
    assert_problem(
        literal_decision("D", "1").replace(
            "<literalExpression ", '<literalExpression expressionLanguage="javascript" '
        ),
        "D",
        "the literal expression: expression language 'javascript' is not supported, only FEEL",
    )
    assert_problem(
        literal_decision("D", "1").replace(
            "<literalExpression",
            '<knowledgeRequirement id="K"><requiredKnowledge href="#B" /></knowledgeRequirement>'
            "<literalExpression",
        ),
        "D",
        "business knowledge models (knowledge requirements) are not supported",
    )


def test_feel_is_accepted_under_any_of_its_names() -> None:
    body = literal_decision("D", "1").replace(
        "<literalExpression ",
        '<literalExpression expressionLanguage="https://www.omg.org/spec/DMN/20191111/FEEL/" ',
    )
    assert parse_dmn("d.dmn", document(body)).decisions[0].id == "D"


def test_required_decision_problems() -> None:
    assert_problem(
        literal_decision("D", "1", requires=("Missing",)),
        "D",
        "the required decision 'Missing' does not exist",
    )
    assert_problem(
        literal_decision("D", "1", requires=("E",)).replace('href="#E"', 'href="other.dmn#E"')
        + literal_decision("E", "2"),
        "D",
        "required decision reference 'other.dmn#E' must be '#<decision id>' in this file",
    )


def test_a_required_decision_with_problems_of_its_own_still_exists() -> None:
    problems = problems_of(
        document(literal_decision("D", "E", requires=("E",)) + literal_decision("E", "1 +"))
    )
    assert [p.element_id for p in problems] == ["E"]


def test_decision_cycles_are_reported_once_each() -> None:
    body = (
        literal_decision("A", "B", requires=("B",))
        + literal_decision("B", "C", requires=("C",))
        + literal_decision("C", "A", requires=("A",))
        + literal_decision("Self", "Self", requires=("Self",))
        + literal_decision("Outside", "A", requires=("A",))
    )
    assert problems_of(document(body)) == [
        Problem("A", "required decisions form a cycle: A → B → C → A"),
        Problem("Self", "required decisions form a cycle: Self → Self"),
    ]


def test_a_graph_without_decisions() -> None:
    assert problems_of(document("")) == [
        Problem("Definitions_1", "a decision requirements graph must contain at least one decision")
    ]


def test_duplicate_ids_anywhere_in_the_file() -> None:
    body = literal_decision("D", "1") + literal_decision("D", "2")
    assert Problem("D", "the id is used by 2 elements; ids must be unique in a file") in problems_of(
        document(body)
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<definitions", "not well-formed XML at line 1, column 1: unclosed token"),
        (
            b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "y">]><definitions />',
            "DOCTYPE declarations are not allowed",
        ),
        (
            b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" />',
            "not a DMN file: the root element must be a DMN 1.1 to 1.5 'definitions'",
        ),
        (f'<decision xmlns="{DMN13}" id="D" />'.encode(), "not a DMN file"),
    ],
)
def test_files_that_are_not_dmn(data: bytes, message: str) -> None:
    problems = problems_of(data)
    assert len(problems) == 1 and problems[0].element_id is None and message in problems[0].message


def test_definitions_need_an_id() -> None:
    data = document(literal_decision("D", "1")).replace(b' id="Definitions_1"', b"")
    assert problems_of(data) == [
        Problem(None, "the 'definitions' element must have an id (the decision requirements id)")
    ]
