"""Camunda Forms (the JSON written by Camunda Modeler's form editor) into `Form`."""

from __future__ import annotations

import json
from typing import Any

from engine.model.elements import Form
from engine.model.errors import ProblemCollector


def parse_form(resource_name: str, data: bytes) -> Form:
    """Parse a `.form` file; the whole document is kept as the schema the task list renders."""
    problems = ProblemCollector(resource_name)
    try:
        document: Any = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        problems.fail(None, f"the form is not UTF-8 text (byte {error.start})")
    except json.JSONDecodeError as error:
        problems.fail(None, f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}")
    except RecursionError:
        problems.fail(None, "the form's JSON is nested too deeply")

    if not isinstance(document, dict):
        problems.fail(None, "a form must be a JSON object")

    form_id = document.get("id")
    if not isinstance(form_id, str) or not form_id.strip():
        problems.add(None, "a form must have a non-empty string 'id' (the formId that user tasks link to)")
        form_id = ""
    components = document.get("components")
    if not isinstance(components, list):
        problems.add(None, "a form must have a 'components' list")
    else:
        for index, component in enumerate(components):
            if not isinstance(component, dict):
                problems.add(None, f"component {index} of 'components' must be a JSON object")
    problems.raise_if_any()
    return Form(id=form_id, schema=document)
