"""The console's roles, read from `config/console.toml` and validated at start-up."""

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Self

from pydantic import Field, field_validator, model_validator

from console.intake import CHANNELS
from workers.policy import Text, _Policy, load_policy

CONSOLE_POLICY_FILE = "console.toml"
UNIT_PLACEHOLDER = "{unit}"


class Permission(StrEnum):
    INTAKE = "intake"
    TASKS = "tasks"
    CASES_ALL = "cases.all"
    CASES_UNIT = "cases.unit"
    INSTANCES = "instances"
    INSTANCES_OPERATE = "instances.operate"
    DASHBOARDS = "dashboards"
    REPORTS = "reports"
    USERS = "users"
    KNOWLEDGE = "knowledge"
    KNOWLEDGE_SUBMIT = "knowledge.submit"
    UPSTREAM = "upstream"
    UPSTREAM_RESOLVE = "upstream.resolve"


class RolePolicy(_Policy):
    title: Text
    groups: list[Text]
    ledger_role: Text
    permissions: Annotated[list[Permission], Field(min_length=1)]
    # The intake channels (console/intake.py) the role registers, with the intake permission: the
    # hotline's operators register calls, not a leader's receptions.
    channels: tuple[Text, ...] = ()

    @field_validator("channels")
    @classmethod
    def _channels_known(cls, channels: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [channel for channel in channels if channel not in CHANNELS]
        if unknown:
            raise ValueError(f"names unknown intake channels {unknown}, known are {sorted(CHANNELS)}")
        return channels

    @model_validator(mode="after")
    def _channels_with_intake(self) -> Self:
        if Permission.INTAKE in self.permissions and not self.channels:
            raise ValueError(
                "channels: a role with the intake permission must name the channels it registers"
            )
        if self.channels and Permission.INTAKE not in self.permissions:
            raise ValueError("channels: only a role with the intake permission registers channels")
        return self

    def registers(self, channel: str) -> bool:
        """Whether a user of this role may register an appeal of `channel` (start its process)."""
        return Permission.INTAKE in self.permissions and channel in self.channels

    @property
    def per_unit(self) -> bool:
        """Whether a user of this role belongs to a handling unit (and must name one)."""
        return Permission.CASES_UNIT in self.permissions or any(
            UNIT_PLACEHOLDER in group for group in self.groups
        )

    def groups_of(self, unit: str | None) -> tuple[str, ...]:
        """The candidate groups a user of this role (of `unit`) works on."""
        if unit is None:
            return tuple(group for group in self.groups if UNIT_PLACEHOLDER not in group)
        return tuple(group.replace(UNIT_PLACEHOLDER, unit) for group in self.groups)


class ConsolePolicy(_Policy):
    roles: Annotated[dict[Text, RolePolicy], Field(min_length=1)]


def load_console_policy(config_dir: Path) -> ConsolePolicy:
    return load_policy(config_dir / CONSOLE_POLICY_FILE, ConsolePolicy)
