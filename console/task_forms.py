"""What a deployed Camunda Form (form-js schema) asks of a task's variables.

The task list sends a form only the variables it reads (not the whole instance, whose appellant
data a unit may not see in the clear), accepts from a submission only the fields the form has, and
checks the required fields on the server too, since a client can send anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from engine.feel import FeelSyntaxError
from engine.feel import compile as compile_feel

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TEMPLATE = re.compile(r"{{(.*?)}}", re.DOTALL)
_STRING_LITERAL = re.compile(r'"(?:[^"\\]|\\.)*"')
# A container whose children repeat per list item: their required fields are checked by form-js only.
_REPEATING = frozenset({"dynamiclist"})


def referenced_names(schema: Mapping[str, Any]) -> set[str]:
    """The variable names the form shows, edits or evaluates: field keys, the variables that hold a
    select's options (`valuesKey`), `{{...}}` templates and FEEL expressions (`=...`).
    Over-inclusion is harmless: a name no variable has is simply absent."""
    return field_names(schema) | {name for name, _printed in _mentions(schema)}


def shown_only(schema: Mapping[str, Any]) -> set[str]:
    """The variables the form only prints, each as a bare `{{name}}` in its text, and neither
    edits, offers as options nor evaluates: the console may give these as people read them."""
    mentions = list(_mentions(schema))
    printed = {name for name, only_printed in mentions if only_printed}
    used = {name for name, only_printed in mentions if not only_printed}
    return printed - used - field_names(schema)


def _mentions(schema: Mapping[str, Any]) -> Iterator[tuple[str, bool]]:
    """Every variable name the form's options, texts and expressions mention, with whether that
    mention only prints it (a bare `{{name}}`)."""
    for component, _prefix in _components(schema.get("components", []), ()):
        options = component.get("valuesKey")
        if isinstance(options, str) and _path(options):
            yield _path(options)[0], False
        for text in _strings(component):
            if text.startswith("="):
                yield from ((name, False) for name in _NAME.findall(_STRING_LITERAL.sub("", text[1:])))
            for template in _TEMPLATE.findall(text):
                bare = template.strip()
                if _NAME.fullmatch(bare):
                    yield bare, True
                else:
                    yield from ((name, False) for name in _NAME.findall(_STRING_LITERAL.sub("", template)))


def field_names(schema: Mapping[str, Any]) -> set[str]:
    """The top-level variable names a submission of this form may set."""
    names: set[str] = set()
    for component, prefix in _components(schema.get("components", []), ()):
        key = component.get("key")
        path = (*prefix, *_path(key)) if isinstance(key, str) else ()
        if path:
            names.add(path[0])
        elif component.get("type") in _REPEATING and component.get("path"):
            names.add(_path(str(component["path"]))[0])
    return names


def missing_required(schema: Mapping[str, Any], data: Mapping[str, Any]) -> list[str]:
    """The labels of required fields that `data` leaves empty, among those the form shows for it."""
    missing: list[str] = []
    for component, prefix in _components(schema.get("components", []), (), data=data):
        key = component.get("key")
        if not isinstance(key, str) or not key or component.get("disabled") or component.get("readonly"):
            continue
        if (component.get("validate") or {}).get("required") and _empty(_get(data, (*prefix, *_path(key)))):
            missing.append(str(component.get("label") or key))
    return missing


def _components(
    components: list[Any], prefix: tuple[str, ...], data: Mapping[str, Any] | None = None
) -> Iterator[tuple[dict[str, Any], tuple[str, ...]]]:
    """Every component with the path its key is under; with `data`, only those the form shows."""
    for component in components:
        if not isinstance(component, dict):
            continue
        if data is not None and _hidden(component, data):
            continue
        yield component, prefix
        children = component.get("components")
        if not isinstance(children, list):
            continue
        if component.get("type") in _REPEATING:
            if data is None:
                yield from _components(children, prefix)
            continue
        path = component.get("path")
        yield from _components(children, (*prefix, *_path(path)) if isinstance(path, str) else prefix, data)


def _hidden(component: Mapping[str, Any], data: Mapping[str, Any]) -> bool:
    condition = (component.get("conditional") or {}).get("hide")
    if not isinstance(condition, str) or not condition.startswith("="):
        return False
    try:
        # As form-js: hidden only when the condition is true (null, as with missing data, shows it).
        return compile_feel(condition[1:]).evaluate(data) is True
    except FeelSyntaxError:
        return False


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            # Child components are walked on their own, with their own path.
            if not (isinstance(item, list) and all(isinstance(c, dict) and "type" in c for c in item)):
                yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _path(key: str) -> tuple[str, ...]:
    return tuple(part for part in key.split(".") if part)


def _get(data: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = data
    for part in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or (isinstance(value, str) and not value.strip())
