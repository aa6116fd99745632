"""`config/receptions.toml`: who receives visitors, and how often.

The leaders and the frequencies of their reception days [seed 003 §十.2(4)] are one jurisdiction's
policy, so they are data validated at start-up like every policy file (see `workers.policy`): a
leader of an unknown rank or a period that does not divide the year stops the workers with the
file and the key named.
"""

from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, Field, model_validator

from workers.policy import Text, _Policy, load_policy

RECEPTION_POLICY_FILE = "receptions.toml"
MONTHS_A_YEAR = 12

Rank = Literal["principal", "deputy", "department-head"]


def _divides_the_year(months: int) -> int:
    if months <= 0 or MONTHS_A_YEAR % months:
        raise ValueError(f"must divide 12 (1, 2, 3, 4, 6 or 12), got {months}")
    return months


Months = Annotated[int, Field(strict=True), AfterValidator(_divides_the_year)]


class RankPolicy(_Policy):
    label: Text
    reception_every_months: Months


class VisitPolicy(_Policy):
    # Case-carrying visits and appointments a year; spread evenly, so it divides 12 too.
    per_year: Months


class LeaderPolicy(_Policy):
    rank: Rank
    unit: Text | None = None


class ReceptionPolicy(_Policy):
    ranks: dict[Rank, RankPolicy]
    visits: VisitPolicy
    leaders: Annotated[dict[Text, LeaderPolicy], Field(min_length=1)]

    @model_validator(mode="after")
    def _check_ranks(self) -> Self:
        missing = sorted({leader.rank for leader in self.leaders.values()} - self.ranks.keys())
        if missing:
            raise ValueError(f"ranks: no frequency for the rank of a leader: {', '.join(missing)}")
        return self

    @property
    def visit_every_months(self) -> int:
        return MONTHS_A_YEAR // self.visits.per_year


def load_reception_policy(config_dir: Path) -> ReceptionPolicy:
    return load_policy(config_dir / RECEPTION_POLICY_FILE, ReceptionPolicy)
