"""Declaring built-in functions and binding call arguments to their parameters.

A built-in is declared with a FEEL-like signature string, e.g.
``substring(string: string, start position: number, length?: number)``: ``?`` marks an optional
parameter, ``...`` one that takes the remaining arguments, and ``|`` separates accepted types.
Arguments are checked against the declared types before the implementation runs, so each
implementation may trust its argument types.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..names import MULTI_WORD_FUNCTIONS
from ..scope import Run
from ..values import FeelFunction, feel_value, type_name

Implementation = Callable[..., Any]

_SIGNATURE_RE = re.compile(r"(?P<name>[a-z ]+)\((?P<parameters>.*)\)")
_KNOWN_MULTI_WORD = {" ".join(words) for words in MULTI_WORD_FUNCTIONS}


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    types: frozenset[str]
    optional: bool
    variadic: bool

    def accepts(self, value: Any) -> bool:
        return "any" in self.types or type_name(value) in self.types


@dataclass(frozen=True, slots=True)
class Signature:
    parameters: tuple[Parameter, ...]
    implementation: Implementation

    def bind(self, positional: list[Any] | None, named: dict[str, Any] | None) -> list[Any] | None:
        """Arguments in parameter order, or ``None`` when the call does not fit this signature."""
        parameters = self.parameters
        if named is not None:
            if not set(named) <= {p.name for p in parameters}:
                return None
            bound: list[Any] = []
            for parameter in parameters:
                if parameter.name in named:
                    value = named[parameter.name]
                    if parameter.variadic:
                        bound.extend(value if type(value) is list else [value])
                    else:
                        bound.append(value)
                elif parameter.optional or parameter.variadic:
                    break
                else:
                    return None
            return bound
        arguments = positional or []
        required = sum(1 for p in parameters if not p.optional and not p.variadic)
        if len(arguments) < required:
            return None
        if len(arguments) > len(parameters) and not (parameters and parameters[-1].variadic):
            return None
        return list(arguments)

    def parameter_at(self, index: int) -> Parameter:
        return self.parameters[min(index, len(self.parameters) - 1)]


class Builtin(FeelFunction):
    __slots__ = ("name", "signatures")

    def __init__(self, name: str) -> None:
        self.name = name
        self.signatures: list[Signature] = []

    @property
    def parameters(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.signatures[0].parameters)

    def invoke(self, run: Run, positional: list[Any] | None, named: dict[str, Any] | None) -> Any:
        count = len(named) if named is not None else len(positional or [])
        mismatch: str | None = None
        for signature in self.signatures:
            arguments = signature.bind(positional, named)
            if arguments is None:
                continue
            arguments = [feel_value(argument) for argument in arguments]
            problem = self._type_problem(signature, arguments)
            if problem is None:
                return signature.implementation(run, *arguments)
            mismatch = mismatch or problem
        if mismatch is not None:
            run.warn(mismatch)
        else:
            run.warn(f"no function found with name '{self.name}' and {count} parameters")
        return None

    def _type_problem(self, signature: Signature, arguments: list[Any]) -> str | None:
        for index, argument in enumerate(arguments):
            parameter = signature.parameter_at(index)
            if not parameter.accepts(argument):
                expected = " or ".join(sorted(parameter.types))
                return (
                    f"expected {expected} but found {type_name(argument)} for parameter "
                    f"'{parameter.name}' of function '{self.name}'"
                )
        return None


BUILTINS: dict[str, Builtin] = {}


def builtin(signature: str) -> Callable[[Implementation], Implementation]:
    """Register the decorated function as (one overload of) a built-in with this signature."""
    match = _SIGNATURE_RE.fullmatch(signature)
    if match is None:
        raise ValueError(f"malformed built-in signature: {signature}")
    name = match["name"]
    if " " in name and name not in _KNOWN_MULTI_WORD:
        # The parser reads a name with spaces only if names.py lists it.
        raise ValueError(f"built-in '{name}' is missing from names.py")
    parameters = tuple(
        _parse_parameter(text.strip()) for text in match["parameters"].split(",") if text.strip()
    )

    def register(implementation: Implementation) -> Implementation:
        BUILTINS.setdefault(name, Builtin(name)).signatures.append(Signature(parameters, implementation))
        return implementation

    return register


def _parse_parameter(text: str) -> Parameter:
    name, _, types = text.partition(":")
    name = name.strip()
    variadic = name.endswith("...")
    name = name.removesuffix("...")
    optional = name.endswith("?")
    name = name.removesuffix("?")
    accepted = frozenset(t.strip() for t in types.split("|")) if types.strip() else frozenset({"any"})
    return Parameter(name, accepted, optional, variadic)
