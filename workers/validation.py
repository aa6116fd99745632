"""Wording of pydantic validation errors for the people who fix settings and policy files."""

from collections.abc import Mapping

from pydantic_core import ErrorDetails


def problem(detail: ErrorDetails, wording: Mapping[str, str] | None = None) -> str:
    """What is wrong, without pydantic's "Value error, " prefix on our own validators' messages;
    `wording` rewords pydantic's messages by error type, formatted with the error's context."""
    context = detail.get("ctx") or {}
    if detail["type"] == "value_error":
        return str(context["error"])
    return (wording or {}).get(detail["type"], detail["msg"]).format(**context)
