"""`config/review_chains.toml`: who signs off, in order, on a reply or an instruction request.

Which leaders review a draft in the government's name [seed 000 三], who instructs on a sensitive or
an important message [seed 000 二], and who in a unit reviews a reply to a deputy [seed 003 §二.4(3)]
are one jurisdiction's policy (domain.md), so each chain is a list in the file, validated at start-up
like every policy file (see `workers.policy`).

A reviewer's `group` is the candidate group of their review task. It may contain `{unit}`, replaced
by the handling unit's name when the chain is read for a case (`{unit}办公室`), and no other
placeholder.
"""

from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, Field

from workers.policy import Text, _Policy, load_policy

REVIEW_CHAIN_POLICY_FILE = "review_chains.toml"
UNIT_PLACEHOLDER = "{unit}"


def _group(text: str) -> str:
    rest = text.replace(UNIT_PLACEHOLDER, "")
    if "{" in rest or "}" in rest:
        raise ValueError(f"may contain {UNIT_PLACEHOLDER} and no other {{...}}, got {text!r}")
    return text


Group = Annotated[Text, AfterValidator(_group)]


class Reviewer(_Policy):
    # The candidate group of the review task, e.g. "secretary-general" or "{unit}办公室".
    group: Group
    # How forms and the ledger call the reviewer: "秘书长".
    title: Text

    @property
    def needs_unit(self) -> bool:
        return UNIT_PLACEHOLDER in self.group


class ReviewChain(_Policy):
    reviewers: Annotated[tuple[Reviewer, ...], Field(min_length=1)]


class ReviewChainError(ValueError):
    """A chain that a job names but cannot use; the message becomes the job's error."""


class ReviewChainPolicy(_Policy):
    chains: Annotated[dict[Text, ReviewChain], Field(min_length=1)]

    def reviewers(self, name: str, unit: str | None = None) -> tuple[Reviewer, ...]:
        """The chain `name`'s reviewers in order, with `{unit}` replaced by `unit`."""
        chain = self.chains.get(name)
        if chain is None:
            known = ", ".join(self.chains)
            raise ReviewChainError(f"review chain {name!r} is not in {REVIEW_CHAIN_POLICY_FILE} ({known})")
        if unit is not None and not unit.strip():
            unit = None
        if unit is None and any(reviewer.needs_unit for reviewer in chain.reviewers):
            raise ReviewChainError(
                f"review chain {name!r} names groups by {UNIT_PLACEHOLDER}: "
                "the variable unit must name the handling unit"
            )
        return tuple(
            reviewer
            if not reviewer.needs_unit
            else reviewer.model_copy(update={"group": reviewer.group.replace(UNIT_PLACEHOLDER, unit or "")})
            for reviewer in chain.reviewers
        )


def load_review_chain_policy(config_dir: Path) -> ReviewChainPolicy:
    return load_policy(config_dir / REVIEW_CHAIN_POLICY_FILE, ReviewChainPolicy)
