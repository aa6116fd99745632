"""Context functions: reading, adding and merging entries."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..scope import Run
from ..values import feel_value
from .registry import builtin


@builtin("get value(context: context, key: string)")
def get_value(run: Run, context: Mapping[str, Any], key: str) -> Any:
    return feel_value(context.get(key))


@builtin("get value(context: context, keys: list)")
def get_nested_value(run: Run, context: Mapping[str, Any], keys: list[Any]) -> Any:
    value: Any = context
    for key in keys:
        if not isinstance(value, Mapping) or type(key) is not str:
            return None
        value = feel_value(value.get(key))
    return value if keys else None


@builtin("get entries(context: context)")
def get_entries(run: Run, context: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [{"key": key, "value": feel_value(value)} for key, value in context.items()]


@builtin("context put(context: context, key: string, value: any)")
def context_put(run: Run, context: Mapping[str, Any], key: str, value: Any) -> dict[str, Any]:
    return {**context, key: value}


@builtin("context put(context: context, keys: list, value: any)")
def context_put_nested(run: Run, context: Mapping[str, Any], keys: list[Any], value: Any) -> Any:
    if not keys or any(type(key) is not str for key in keys):
        run.warn("context put() needs a non-empty list of string keys")
        return None
    head, *rest = keys
    if not rest:
        return {**context, head: value}
    nested = feel_value(context.get(head))
    return {
        **context,
        head: context_put_nested(run, nested if isinstance(nested, Mapping) else {}, rest, value),
    }


@builtin("context merge(contexts: list)")
def context_merge(run: Run, contexts: list[Any]) -> dict[str, Any] | None:
    merged: dict[str, Any] = {}
    for raw in contexts:
        context = feel_value(raw)
        if not isinstance(context, Mapping):
            run.warn("context merge() needs a list of contexts")
            return None
        merged.update(context)
    return merged


@builtin("context(entries: list)")
def context_of(run: Run, entries: list[Any]) -> dict[str, Any] | None:
    result: dict[str, Any] = {}
    for raw in entries:
        entry = feel_value(raw)
        if not isinstance(entry, Mapping) or type(entry.get("key")) is not str or "value" not in entry:
            run.warn("context() needs a list of contexts with 'key' and 'value' entries")
            return None
        result[entry["key"]] = entry["value"]
    return result
