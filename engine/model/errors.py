"""Problems found while parsing a deployed resource, reported all at once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NoReturn


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a resource; `element_id` is None for file-level problems."""

    element_id: str | None
    message: str

    def describe(self, resource_name: str) -> str:
        if self.element_id is None:
            return f"{resource_name}: {self.message}"
        return f"{resource_name}: element '{self.element_id}': {self.message}"


class ModelError(Exception):
    """A resource that cannot be deployed; `str()` gives one line per problem."""

    def __init__(self, resource_name: str, problems: Iterable[Problem]) -> None:
        self.resource_name = resource_name
        self.problems = list(problems)
        super().__init__(self.resource_name, self.problems)

    def __str__(self) -> str:
        return "\n".join(problem.describe(self.resource_name) for problem in self.problems)


class ProblemCollector:
    """Gathers every problem of one resource, so that a deployment reports them all together."""

    def __init__(self, resource_name: str) -> None:
        self.resource_name = resource_name
        self.problems: list[Problem] = []

    def add(self, element_id: str | None, message: str) -> None:
        self.problems.append(Problem(element_id, message))

    def fail(self, element_id: str | None, message: str) -> NoReturn:
        """Report a problem that leaves nothing further to check."""
        self.add(element_id, message)
        raise ModelError(self.resource_name, self.problems)

    def raise_if_any(self) -> None:
        if self.problems:
            raise ModelError(self.resource_name, self.problems)
