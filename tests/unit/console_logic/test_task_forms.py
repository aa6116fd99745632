"""What the task list reads from a deployed form: the variables it needs, the fields a submission
may set, and the required fields it shows for the data (as form-js decides what it shows)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from console.task_forms import field_names, missing_required, referenced_names, shown_only

FORMS = Path(__file__).resolve().parents[3] / "forms"


def form(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((FORMS / f"{name}.form").read_text(encoding="utf-8"))
    return schema


def test_a_form_reads_its_fields_templates_and_conditions() -> None:
    names = referenced_names(form("sign-for"))
    assert {"caseNumber", "dueAt", "signAction", "readingLeader", "readingOpinion"} <= names
    assert "appellant" in referenced_names(form("reply-draft")), "a FEEL condition's variable is missed"
    assert "accept" not in names, "a string literal in a condition is not a variable"


def test_a_submission_may_set_only_the_form_fields() -> None:
    assert field_names(form("sign-for")) == {"signAction", "readingLeader", "readingOpinion"}


def test_only_variables_a_form_merely_prints_may_be_given_as_people_read_them() -> None:
    assert shown_only(form("sign-for")) == {"caseNumber", "dueAt"}
    schema = {
        "components": [
            {"type": "text", "text": "时限：{{dueAt}}，开始：{{startAt}}"},
            {"type": "text", "text": '{{if late then "已超期" else ""}}'},
            {"type": "textfield", "key": "startAt", "label": "开始时间"},
            {"type": "text", "text": "提醒", "conditional": {"hide": "=remindAt = null"}},
            {"type": "text", "text": "{{remindAt}}"},
        ]
    }
    assert shown_only(schema) == {"dueAt"}, (
        "a variable a field edits (startAt), a condition evaluates (remindAt) or a template computes "
        "with (late) must reach the form as it is"
    )


def test_required_fields_count_only_when_the_form_shows_them() -> None:
    sign_for = form("sign-for")
    assert missing_required(sign_for, {}) == ["签收或退单"], "hidden fields were required"
    assert missing_required(sign_for, {"signAction": "return"}) == []
    blank = {"signAction": "accept", "readingLeader": "  "}
    assert missing_required(sign_for, blank) == ["阅批领导", "阅批意见"]
    complete = {"signAction": "accept", "readingLeader": "王局长", "readingOpinion": "请处理"}
    assert missing_required(sign_for, complete) == []


def test_fields_of_a_group_with_a_path_are_read_under_it() -> None:
    schema = {
        "components": [
            {
                "type": "group",
                "path": "contact",
                "components": [
                    {"type": "textfield", "key": "phone", "label": "电话", "validate": {"required": True}}
                ],
            },
            {
                "type": "textfield",
                "key": "note",
                "label": "备注",
                "validate": {"required": True},
                "conditional": {"hide": "=contact.phone = null"},
            },
        ]
    }
    assert field_names(schema) == {"contact", "note"}
    assert missing_required(schema, {"contact": {}}) == ["电话"]
    assert missing_required(schema, {"contact": {"phone": "110"}}) == ["备注"]


def test_the_front_desk_cites_a_knowledge_base_entry_through_the_intake_form() -> None:
    intake = form("intake")
    assert "knowledgeOptions" in referenced_names(intake), "a select's options (valuesKey) are not sent"
    assert {"knowledgeEntry", "ownAnswer"} <= field_names(intake)
    assert "knowledgeOptions" not in field_names(intake), "the proposals are the process's, not a field"
    citing = {"intakeAction": "knowledge", "category": "咨询"}
    assert missing_required(intake, citing) == ["引用的知识库条目"], "the cited entry is required"
    assert missing_required(intake, {**citing, "knowledgeEntry": "ZS0000001"}) == [], (
        "citing an entry needs no answer of the operator's own nor a unit"
    )
    assert missing_required(intake, {"intakeAction": "answer", "category": "咨询"}) == ["答复内容"]
