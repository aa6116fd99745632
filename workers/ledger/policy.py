"""`config/ledger.toml`: how cases are numbered and which roles see appellants in the clear."""

from pathlib import Path
from typing import Annotated, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, Field, model_validator

from workers.policy import Text, _Policy, load_policy

LEDGER_POLICY_FILE = "ledger.toml"


def _time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"is not a known time zone: {name}") from None
    return name


def _prefix(prefix: str) -> str:
    # A prefix ending in a digit would run into the year and make numbers ambiguous.
    if not prefix.isascii() or not prefix.isalpha():
        raise ValueError("must be ASCII letters")
    return prefix


class CaseNumberPolicy(_Policy):
    timezone: Annotated[Text, AfterValidator(_time_zone)]
    sequence_digits: int = Field(strict=True, ge=1, le=12)
    prefixes: Annotated[dict[Text, Annotated[Text, AfterValidator(_prefix)]], Field(min_length=1)]

    @model_validator(mode="after")
    def _check_prefixes(self) -> Self:
        if len(set(self.prefixes.values())) != len(self.prefixes):
            raise ValueError("case_numbers.prefixes: two channels must not share a prefix")
        return self


class PrivacyPolicy(_Policy):
    unmasked_roles: frozenset[Text]
    confidential_unmasked_roles: frozenset[Text]

    @model_validator(mode="after")
    def _check_roles(self) -> Self:
        stray = self.confidential_unmasked_roles - self.unmasked_roles
        if stray:
            raise ValueError(
                "privacy.confidential_unmasked_roles: must be among privacy.unmasked_roles, "
                f"got {', '.join(sorted(stray))}"
            )
        return self

    def sees_appellant(self, role: str, confidential: bool) -> bool:
        return role in (self.confidential_unmasked_roles if confidential else self.unmasked_roles)


class LedgerPolicy(_Policy):
    case_numbers: CaseNumberPolicy
    privacy: PrivacyPolicy


def load_ledger_policy(config_dir: Path) -> LedgerPolicy:
    return load_policy(config_dir / LEDGER_POLICY_FILE, LedgerPolicy)
