"""Translating XML Schema / XPath regular expressions (FEEL's dialect) to Python's ``re``."""

from __future__ import annotations

import re

from ..scope import Run

_FLAGS = {"i": re.IGNORECASE, "s": re.DOTALL, "m": re.MULTILINE, "x": re.VERBOSE}


def compile_pattern(run: Run, pattern: str, flags: str | None) -> re.Pattern[str] | None:
    options = 0
    for flag in flags or "":
        if flag not in _FLAGS and flag != "q":
            run.warn(f"unknown regular expression flag '{flag}'")
            return None
        options |= _FLAGS.get(flag, 0)
    if "q" in (flags or ""):
        pattern = re.escape(pattern)
    try:
        return re.compile(pattern, options)
    except (re.error, OverflowError, RecursionError) as problem:
        run.warn(f"invalid regular expression '{pattern}': {problem}")
        return None


def translate_replacement(run: Run, replacement: str) -> str | None:
    """FEEL writes groups as ``$1``; Python as ``\\g<1>``. Backslash escapes a ``$`` or ``\\``."""
    parts: list[str] = []
    index = 0
    while index < len(replacement):
        char = replacement[index]
        if char == "\\" and index + 1 < len(replacement) and replacement[index + 1] in "$\\":
            parts.append("\\\\" if replacement[index + 1] == "\\" else "$")
            index += 2
        elif char == "$":
            digits = re.match(r"\d+", replacement[index + 1 :])
            if digits is None:
                run.warn(f"invalid replacement '{replacement}': '$' must be followed by a group number")
                return None
            parts.append(f"\\g<{digits.group(0)}>")
            index += 1 + len(digits.group(0))
        elif char == "\\":
            parts.append("\\\\")
            index += 1
        else:
            parts.append(char)
            index += 1
    return "".join(parts)
