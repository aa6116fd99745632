"""String functions.

FEEL counts characters as Unicode code points, which is what Python's ``str`` indexes, so an
emoji counts as one character (unlike Java's UTF-16 ``length()``).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from ..scope import Run
from ..values import feel_value
from .regex import compile_pattern, translate_replacement
from .registry import builtin

_JAVA_TRIMMED = "".join(chr(code) for code in range(33))


@builtin("string length(string: string)")
def string_length(run: Run, text: str) -> Decimal:
    return Decimal(len(text))


@builtin("upper case(string: string)")
def upper_case(run: Run, text: str) -> str:
    return text.upper()


@builtin("lower case(string: string)")
def lower_case(run: Run, text: str) -> str:
    return text.lower()


@builtin("substring(string: string, start position: number, length?: number)")
def substring(run: Run, text: str, start: Decimal, length: Decimal | None = None) -> str | None:
    # Camunda truncates fractional positions; positions count from 1, negative ones from the end.
    begin = int(start)
    index = begin - 1 if begin > 0 else len(text) + begin
    if index < 0 or index > len(text):
        run.warn(f"substring() start position {begin} is outside the string")
        return None
    if length is None:
        return text[index:]
    end = min(index + int(length), len(text))
    if end < index:
        run.warn("substring() length must not be negative")
        return None
    return text[index:end]


@builtin("substring before(string: string, match: string)")
def substring_before(run: Run, text: str, match: str) -> str:
    position = text.find(match)
    return "" if position < 0 else text[:position]


@builtin("substring after(string: string, match: string)")
def substring_after(run: Run, text: str, match: str) -> str:
    position = text.find(match)
    return "" if position < 0 else text[position + len(match) :]


@builtin("contains(string: string, match: string)")
def contains(run: Run, text: str, match: str) -> bool:
    return match in text


@builtin("starts with(string: string, match: string)")
def starts_with(run: Run, text: str, match: str) -> bool:
    return text.startswith(match)


@builtin("ends with(string: string, match: string)")
def ends_with(run: Run, text: str, match: str) -> bool:
    return text.endswith(match)


@builtin("matches(input: string, pattern: string, flags?: string)")
def matches(run: Run, text: str, pattern: str, flags: str | None = None) -> bool | None:
    compiled = compile_pattern(run, pattern, flags)
    return None if compiled is None else compiled.search(text) is not None


@builtin("replace(input: string, pattern: string, replacement: string, flags?: string)")
def replace(run: Run, text: str, pattern: str, replacement: str, flags: str | None = None) -> str | None:
    compiled = compile_pattern(run, pattern, flags)
    if compiled is None:
        return None
    template = translate_replacement(run, replacement)
    if template is None:
        return None
    try:
        return compiled.sub(template, text)
    except (re.error, IndexError) as problem:
        run.warn(f"replace() failed: {problem}")
        return None


@builtin("split(string: string, delimiter: string)")
def split(run: Run, text: str, delimiter: str) -> list[str] | None:
    compiled = compile_pattern(run, delimiter, None)
    if compiled is None:
        return None
    # Java's Pattern.split(text, -1), which Camunda uses: trailing empty parts stay, but a
    # zero-width match at the very start does not produce an empty first part.
    parts: list[str] = []
    last = 0
    for found in compiled.finditer(text):
        if found.end() == 0:
            continue
        parts.append(text[last : found.start()])
        last = found.end()
    parts.append(text[last:])
    return parts


@builtin("extract(string: string, pattern: string)")
def extract(run: Run, text: str, pattern: str) -> list[str] | None:
    compiled = compile_pattern(run, pattern, None)
    if compiled is None:
        return None
    return [found.group(0) for found in compiled.finditer(text)]


@builtin("trim(string: string)")
def trim(run: Run, text: str) -> str:
    # Java's String.trim: strips ASCII control characters and spaces, not other Unicode whitespace.
    return text.strip(_JAVA_TRIMMED)


@builtin("string join(list: list, delimiter?: string|null, prefix?: string|null, suffix?: string|null)")
def string_join(
    run: Run,
    items: list[Any],
    delimiter: str | None = None,
    prefix: str | None = None,
    suffix: str | None = None,
) -> str | None:
    texts: list[str] = []
    for raw in items:
        item = feel_value(raw)
        if item is None:
            continue
        if type(item) is not str:
            run.warn(f"string join() expects a list of strings but found {item!r}")
            return None
        texts.append(item)
    return (prefix or "") + (delimiter or "").join(texts) + (suffix or "")
