"""Reading a seed knowledge base (`data/knowledge/entries.jsonl`): one JSON object a line, each a
whole entry, validated before anything is written, so that a mistake names the file, the line and
the key instead of leaving half a knowledge base in the ledger."""

import json
from collections.abc import Collection
from pathlib import Path

from pydantic import AwareDatetime, ValidationError, ValidationInfo, field_validator, model_validator

from workers.knowledge.store import EntryText
from workers.policy import Text, _describe, _Policy

DEFAULT_SEED_FILE = Path("data/knowledge/entries.jsonl")


class SeedError(ValueError):
    """A seed file that cannot be read or does not validate; one line per problem."""


class SeedEntry(_Policy):
    question: Text
    answer: Text
    topic: Text
    unit: Text
    policy_basis: Text | None = None
    # Without an offset a time would be read in whatever zone the loader runs in.
    valid_from: AwareDatetime
    valid_until: AwareDatetime | None = None

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, unit: str, info: ValidationInfo) -> str:
        units = (info.context or {}).get("units")
        if units is not None and unit not in units:
            raise ValueError("is not in the unit directory ([units] of classification.toml)")
        return unit

    @model_validator(mode="after")
    def _valid_until_after_valid_from(self) -> "SeedEntry":
        if self.valid_until is not None and self.valid_until <= self.valid_from:
            raise ValueError("valid_until must be later than valid_from")
        return self

    def entry_text(self) -> EntryText:
        return EntryText(
            question=self.question,
            answer=self.answer,
            topic=self.topic,
            unit=self.unit,
            valid_from=self.valid_from,
            valid_until=self.valid_until,
            policy_basis=self.policy_basis,
        )


def read_seed(path: Path, units: Collection[str] | None = None) -> list[EntryText]:
    """The entries of the seed file at `path`, in order; with `units`, each entry's owning unit must
    be one of them. Raises `SeedError` naming every bad line and key, and any question given twice."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise SeedError(f"{path}: cannot read: {error.strerror}") from error
    entries: list[EntryText] = []
    problems: list[str] = []
    first_line: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}, line {number}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(f"{where}: not valid JSON: {error.msg} (column {error.colno})")
            continue
        if not isinstance(data, dict):
            problems.append(f"{where}: must be a JSON object")
            continue
        try:
            entry = SeedEntry.model_validate(data, context={"units": units})
        except ValidationError as error:
            problems.extend(f"{where}: {_describe(detail)}" for detail in error.errors())
            continue
        if entry.question in first_line:
            problems.append(f"{where}: question: the same question as line {first_line[entry.question]}")
            continue
        first_line[entry.question] = number
        entries.append(entry.entry_text())
    if problems:
        raise SeedError("\n".join(problems))
    return entries
