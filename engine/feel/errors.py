"""Exceptions raised by the FEEL package.

Only syntax problems raise: evaluation problems become null plus a warning, the way
Camunda's engine treats them, so a bad variable never aborts a process instance.
"""

from __future__ import annotations


class FeelError(Exception):
    """Base class of every exception this package raises on purpose."""


class FeelSyntaxError(FeelError):
    """The source text is not a FEEL expression (or not a list of unary tests)."""

    def __init__(self, source: str, position: int, expected: str, found: str) -> None:
        self.source = source
        # Positions are 0-based offsets internally; the message speaks 1-based like editors do.
        self.position = position
        self.expected = expected
        self.found = found
        line, column = line_and_column(source, position)
        super().__init__(f"line {line}, column {column}: expected {expected} but found {found}")

    @property
    def line(self) -> int:
        return line_and_column(self.source, self.position)[0]

    @property
    def column(self) -> int:
        return line_and_column(self.source, self.position)[1]


def line_and_column(source: str, position: int) -> tuple[int, int]:
    before = source[:position]
    line = before.count("\n") + 1
    column = position - (before.rfind("\n") + 1) + 1
    return line, column
