"""Camunda Forms JSON into `Form`."""

from __future__ import annotations

import json

import pytest

from engine.model import Form, ModelError, parse_form

HANDLE_FORM = {
    "id": "handle-form",
    "type": "default",
    "schemaVersion": 16,
    "executionPlatform": "Camunda Cloud",
    "components": [
        {"type": "textarea", "key": "reply", "label": "答复意见", "validate": {"required": True}},
        {
            "type": "select",
            "key": "result",
            "label": "办理结果",
            "values": [{"label": "已办结", "value": "done"}],
        },
    ],
}


def test_form_keeps_its_whole_schema() -> None:
    form = parse_form("handle-form.form", json.dumps(HANDLE_FORM, ensure_ascii=False).encode())
    assert form == Form(id="handle-form", schema=HANDLE_FORM)
    assert form.schema["schemaVersion"] == 16


def test_byte_order_mark_is_accepted() -> None:
    assert parse_form("f.form", b"\xef\xbb\xbf" + json.dumps(HANDLE_FORM).encode()).id == "handle-form"


def problems_of(data: bytes) -> list[str]:
    with pytest.raises(ModelError) as caught:
        parse_form("bad.form", data)
    return str(caught.value).splitlines()


def test_invalid_json_names_line_and_column() -> None:
    assert problems_of(b'{\n  "id": "x",\n  "components": [,]\n}') == [
        "bad.form: invalid JSON at line 3, column 18: Expecting value"
    ]


def test_not_utf8() -> None:
    assert problems_of(b'{"id": "\xff"}') == ["bad.form: the form is not UTF-8 text (byte 8)"]


def test_not_an_object() -> None:
    assert problems_of(b"[]") == ["bad.form: a form must be a JSON object"]


def test_missing_id_and_components_are_both_reported() -> None:
    assert problems_of(b'{"type": "default"}') == [
        "bad.form: a form must have a non-empty string 'id' (the formId that user tasks link to)",
        "bad.form: a form must have a 'components' list",
    ]


def test_components_must_be_objects() -> None:
    assert problems_of(b'{"id": "f", "components": [{"type": "text"}, 3]}') == [
        "bad.form: component 1 of 'components' must be a JSON object"
    ]
