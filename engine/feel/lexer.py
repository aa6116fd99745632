"""Split FEEL source text into tokens.

Words are not classified into keywords here: FEEL has names such as ``date and time`` that
contain keywords, so the parser decides what a word means from its position.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .errors import FeelSyntaxError

TokenKind = Literal["number", "string", "name", "op", "eof"]

# Longest operators first so that "**" is not read as two "*".
_OPERATORS = (
    "**",
    "..",
    "<=",
    ">=",
    "!=",
    "->",
    "+",
    "-",
    "*",
    "/",
    "=",
    "<",
    ">",
    ".",
    ",",
    ":",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "@",
)

# Only ASCII digits make numbers; str.isdigit() would also accept "²" and other scripts' digits.
_DIGITS = frozenset("0123456789")

_ESCAPES = {'"': '"', "'": "'", "\\": "\\", "n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}


@dataclass(frozen=True, slots=True)
class Token:
    kind: TokenKind
    text: str
    start: int
    end: int
    # Backtick-quoted names are never keywords, so the parser needs to know how a name was written.
    quoted: bool = False

    def describe(self) -> str:
        if self.kind == "eof":
            return "end of input"
        return f"'{self.text}'" if self.kind != "string" else f'"{self.text}"'


def _is_name_start(char: str) -> bool:
    return char.isalpha() or char in "_?$"


def _is_name_part(char: str) -> bool:
    return char.isalnum() or char in "_$"


def tokenize(source: str) -> list[Token]:
    tokens: list[Token] = []
    length = len(source)
    pos = 0
    while True:
        pos = _skip_blank(source, pos)
        if pos >= length:
            tokens.append(Token("eof", "", length, length))
            return tokens
        char = source[pos]
        if char in _DIGITS or (char == "." and pos + 1 < length and source[pos + 1] in _DIGITS):
            end = _number_end(source, pos)
            tokens.append(Token("number", source[pos:end], pos, end))
            pos = end
        elif char == '"':
            text, end = _read_string(source, pos)
            tokens.append(Token("string", text, pos, end))
            pos = end
        elif char == "`":
            end = source.find("`", pos + 1)
            if end < 0:
                raise FeelSyntaxError(source, pos, "closing '`'", "end of input")
            tokens.append(Token("name", source[pos + 1 : end], pos, end + 1, quoted=True))
            pos = end + 1
        elif _is_name_start(char):
            end = pos + 1
            while end < length and _is_name_part(source[end]):
                end += 1
            tokens.append(Token("name", source[pos:end], pos, end))
            pos = end
        else:
            for operator in _OPERATORS:
                if source.startswith(operator, pos):
                    tokens.append(Token("op", operator, pos, pos + len(operator)))
                    pos += len(operator)
                    break
            else:
                raise FeelSyntaxError(source, pos, "an expression", f"'{char}'")


def _skip_blank(source: str, pos: int) -> int:
    length = len(source)
    while pos < length:
        char = source[pos]
        if char.isspace():
            pos += 1
        elif source.startswith("//", pos):
            newline = source.find("\n", pos)
            pos = length if newline < 0 else newline + 1
        elif source.startswith("/*", pos):
            close = source.find("*/", pos + 2)
            if close < 0:
                raise FeelSyntaxError(source, pos, "'*/' closing the comment", "end of input")
            pos = close + 2
        else:
            break
    return pos


def _number_end(source: str, pos: int) -> int:
    length = len(source)
    end = pos
    while end < length and source[end] in _DIGITS:
        end += 1
    # "1..3" is a range, so a dot followed by another dot is not a decimal point.
    if end + 1 < length and source[end] == "." and source[end + 1] in _DIGITS:
        end += 1
        while end < length and source[end] in _DIGITS:
            end += 1
    return end


def _read_string(source: str, start: int) -> tuple[str, int]:
    parts: list[str] = []
    pos = start + 1
    length = len(source)
    while pos < length:
        char = source[pos]
        if char == '"':
            return "".join(parts), pos + 1
        if char == "\\" and pos + 1 < length:
            follower = source[pos + 1]
            if follower in _ESCAPES:
                parts.append(_ESCAPES[follower])
                pos += 2
                continue
            if follower in "uU":
                decoded, pos = _read_unicode_escape(source, pos)
                parts.append(decoded)
                continue
            # Unknown escapes stay verbatim so that regular expressions such as "\d+" keep working.
            parts.append(char)
            pos += 1
            continue
        parts.append(char)
        pos += 1
    raise FeelSyntaxError(source, start, "closing '\"' of the string", "end of input")


def _read_unicode_escape(source: str, pos: int) -> tuple[str, int]:
    width = 4 if source[pos + 1] == "u" else 6
    digits = source[pos + 2 : pos + 2 + width]
    if len(digits) == width and all(c in "0123456789abcdefABCDEF" for c in digits):
        code = int(digits, 16)
        if code <= 0x10FFFF:
            return chr(code), pos + 2 + width
    # A malformed escape is kept as written rather than rejecting the whole expression.
    return source[pos : pos + 2], pos + 2
