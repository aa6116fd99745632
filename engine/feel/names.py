"""Names with spaces that the parser must recognise as one name.

FEEL lets built-in functions and types have names containing spaces and even keywords
(``date and time``); the parser can only tell them from operators by knowing them.
"""

from __future__ import annotations

_FUNCTIONS = (
    "date and time",
    "years and months duration",
    "is defined",
    "get or else",
    "string length",
    "upper case",
    "lower case",
    "substring before",
    "substring after",
    "starts with",
    "ends with",
    "string join",
    "list contains",
    "distinct values",
    "insert before",
    "index of",
    "is empty",
    "round up",
    "round down",
    "round half up",
    "round half down",
    "get value",
    "get entries",
    "context put",
    "context merge",
    "day of week",
    "day of year",
    "week of year",
    "month of year",
    "last day of month",
    "met by",
    "overlaps before",
    "overlaps after",
    "finished by",
    "started by",
)

_TYPES = ("date and time", "days and time duration", "years and months duration")


def _word_sequences(names: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    # Longest first, so that a name is never cut short by a shorter name that it starts with.
    return tuple(sorted((tuple(name.split(" ")) for name in names), key=len, reverse=True))


MULTI_WORD_FUNCTIONS = _word_sequences(_FUNCTIONS)
MULTI_WORD_TYPES = _word_sequences(_TYPES)
