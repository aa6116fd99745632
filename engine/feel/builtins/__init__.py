"""The built-in function library; importing the family modules registers their functions."""

from . import boolean, contexts, conversion, lists, numeric, ranges, strings, temporal
from .registry import BUILTINS, Builtin

__all__ = [
    "BUILTINS",
    "Builtin",
    "boolean",
    "contexts",
    "conversion",
    "lists",
    "numeric",
    "ranges",
    "strings",
    "temporal",
]
