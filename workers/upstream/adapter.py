"""The interface of an upstream platform: one that assigns items to the city and takes its answers.

The provincial hotline system and the online-message platform (seed 000, seed 001 ㈧) are outside
systems. Whatever they send is checked here, and an item that does not fit (a missing field, an
unknown category, a malformed date) comes back as `Rejected` with its reasons instead of raising:
the caller keeps it in a quarantine list, so nothing is dropped and nothing starts half-filled.
"""

import hashlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, Protocol
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import ErrorDetails

from workers.validation import problem


class UpstreamError(Exception):
    """A platform call that did not do what was asked."""


class UpstreamUnavailable(UpstreamError):
    """The platform could not be reached or failed (connection refused, timeout, 5xx, a garbled
    response): worth retrying later with backoff."""

    def __init__(self, platform: str, endpoint: str, detail: str) -> None:
        super().__init__(f"upstream platform {platform}: {endpoint}: unavailable: {detail}")
        self.platform = platform
        self.endpoint = endpoint
        self.detail = detail


class UpstreamRefused(UpstreamError):
    """The platform answered and refused the request (4xx): retrying the same request will not help,
    a person must look at `message`. `status` is the refusal's number where the protocol has one
    (HTTP, SMTP); IMAP refuses with NO or BAD and no number."""

    def __init__(self, platform: str, endpoint: str, status: int | None, message: str) -> None:
        code = "" if status is None else f" ({status})"
        super().__init__(f"upstream platform {platform}: {endpoint}: refused{code}: {message}")
        self.platform = platform
        self.endpoint = endpoint
        self.status = status
        self.message = message


def _stripped(text: str) -> str:
    if not text.strip():
        raise ValueError("must not be blank")
    return text.strip()


Text = Annotated[str, Field(strict=True), AfterValidator(_stripped)]


def _optional_text(value: object) -> object:
    # Platforms send an absent phone as "" and a phone as a number; neither should quarantine an item.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        return value.strip() or None
    return value


OptionalText = Annotated[str | None, Field(strict=True), BeforeValidator(_optional_text)]


class UpstreamItem(BaseModel):
    """An item assigned to the city, in Minsheng's names. `raw` is what the platform sent, kept
    whole for the ledger and for questions about what exactly arrived."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    upstream_id: Text
    platform: Text
    received_at: AwareDatetime
    title: Text
    content: Text
    category: Text
    appellant_name: OptionalText = None
    appellant_phone: OptionalText = None
    appellant_address: OptionalText = None
    raw: Mapping[str, Any]

    @field_validator("upstream_id", mode="before")
    @classmethod
    def _id_as_text(cls, value: object) -> object:
        # Platforms number their items; the id is compared as text either way.
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("received_at", mode="before")
    @classmethod
    def _local_time(cls, value: object, info: ValidationInfo) -> object:
        # Platforms often send local time without an offset; it is the platform's zone, not UTC.
        zone = (info.context or {}).get("timezone")
        if isinstance(value, str) and isinstance(zone, ZoneInfo):
            try:
                parsed = datetime.fromisoformat(value)
            except ValueError:
                raise ValueError(f"is not a date-time: {value!r}") from None
            return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone)
        return value

    @field_validator("category")
    @classmethod
    def _known_category(cls, value: str, info: ValidationInfo) -> str:
        known = (info.context or {}).get("categories")
        if known is not None and value not in known:
            raise ValueError(f"unknown category {value!r} (known: {', '.join(sorted(known))})")
        return value


@dataclass(frozen=True)
class Rejected:
    """An item that cannot start a process, with every reason; `upstream_id` is None when the item
    did not even carry one."""

    upstream_id: str | None
    raw: object
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Fetched:
    """One fetch: accepted items and rejected ones, in the order the platform sent them. Duplicates
    are kept: deduplicating by upstream id is the caller's, against what it already started."""

    items: tuple[UpstreamItem, ...] = ()
    rejected: tuple[Rejected, ...] = ()


@dataclass(frozen=True)
class Answer:
    """The government's reviewed reply to an item. `key` names this answer to this item (see
    `answer_key`): a platform that receives it twice, from a job retried after its answer arrived,
    can tell it is the same answer."""

    text: str
    answered_at: datetime
    unit: str
    key: str


def answer_key(platform: str, upstream_id: str, text: str, unit: str) -> str:
    """The same for the same answer by the same unit to the same item, whenever it is posted; a
    second, different answer (after the appellant was unsatisfied) has another."""
    parts = (platform, upstream_id, unit, text)
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class Receipt:
    """The platform's confirmation of an answer; `receipt_id` when it hands one out."""

    upstream_id: str
    receipt_id: str | None
    raw: object = field(default=None, compare=False)


class UpstreamPlatform(Protocol):
    """A platform that assigns items to the city and receives its answers."""

    @property
    def name(self) -> str: ...

    async def fetch_new(self) -> Fetched:
        """Items the platform has not seen acknowledged; raises UpstreamUnavailable or UpstreamRefused."""
        ...

    async def acknowledge(self, upstream_id: str) -> None:
        """Tell the platform the item is taken, so it stops offering it."""
        ...

    async def post_answer(self, upstream_id: str, answer: Answer) -> Receipt: ...


_WORDING = {
    "missing": "is required",
    "string_type": "must be text",
    "datetime_parsing": "is not a date-time",
    "datetime_type": "is not a date-time",
    "datetime_from_date_parsing": "is not a date-time",
    "timezone_aware": "has no time zone",
}


def accept(
    platform: str,
    fields: Mapping[str, object],
    raw: object,
    categories: Collection[str],
    timezone: ZoneInfo | None = None,
) -> UpstreamItem | Rejected:
    """Validate `fields` (already in Minsheng's names; absent means missing) into an item, or
    collect every problem into a `Rejected` so the whole item can be quarantined at once."""
    data = {key: value for key, value in fields.items() if value is not None}
    data["platform"] = platform
    data["raw"] = raw if isinstance(raw, Mapping) else {}
    try:
        return UpstreamItem.model_validate(data, context={"categories": categories, "timezone": timezone})
    except ValidationError as error:
        reasons = tuple(_reason(detail) for detail in error.errors(include_url=False))
    upstream_id = fields.get("upstream_id")
    shown = None if upstream_id is None or isinstance(upstream_id, bool) else str(upstream_id)
    return Rejected(upstream_id=shown, raw=raw, reasons=reasons)


def _reason(detail: ErrorDetails) -> str:
    key = ".".join(str(part) for part in detail["loc"])
    what = problem(detail, _WORDING)
    if detail["type"] in ("datetime_parsing", "datetime_type", "datetime_from_date_parsing"):
        what = f"{what}: {detail['input']!r}"
    return f"{key}: {what}" if key else what
