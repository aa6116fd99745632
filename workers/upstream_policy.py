"""`config/upstream.toml`: the upstream platforms the centre takes items from, and when.

The circular asks the centre to log in to the provincial hotline system and the online-message
platform at least twice every working day (seed 000). Which platforms exist, their endpoints and
their field names differ from province to province, so they are policy a process owner edits, and a
mistake names the file, the key and the problem at start-up.
"""

import re
import string
from pathlib import Path
from typing import Annotated, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from workers.classification_policy import CLASSIFICATION_POLICY_FILE, load_classification_policy
from workers.policy import PolicyError, Text, load_policy

UPSTREAM_POLICY_FILE = "upstream.toml"


def _clock_time(text: str) -> str:
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", text):
        raise ValueError(f"must be a time of day written HH:MM, got {text!r}")
    return text


def _base_url(text: str) -> str:
    if not re.match(r"https?://[^/\s]+", text):
        raise ValueError(f"must be an http:// or https:// address, got {text!r}")
    return text.rstrip("/")


def _zone(text: str) -> str:
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"is not a time zone name such as Asia/Shanghai, got {text!r}") from None
    return text


def _placeholders(template: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as error:
        raise ValueError(f"is not a valid path template: {error}") from None


def _path(text: str) -> str:
    if not text.startswith("/"):
        raise ValueError(f"must start with / (it is appended to base_url), got {text!r}")
    unknown = _placeholders(text) - {"upstream_id"}
    if unknown:
        raise ValueError(f"may only use the placeholder {{upstream_id}}, got {', '.join(sorted(unknown))}")
    return text


ClockTime = Annotated[Text, AfterValidator(_clock_time)]
PathTemplate = Annotated[Text, AfterValidator(_path)]
# A dotted path into a JSON object ("citizen.phone"); empty means the object itself.
JsonPath = Annotated[str, Field(strict=True, pattern=r"^([^.\s]+(\.[^.\s]+)*)?$")]
Seconds = Annotated[float, Field(gt=0, le=300)]


class _Policy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Schedule(_Policy):
    fetch_times: tuple[ClockTime, ...]
    working_days_only: bool = True

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if len(self.fetch_times) < 2:
            raise ValueError("fetch_times: seed 000 asks for at least two fetches every working day")
        if list(self.fetch_times) != sorted(set(self.fetch_times)):
            raise ValueError("fetch_times: must be in increasing order without repeats")
        return self


class Endpoint(_Policy):
    method: Literal["GET", "POST", "PUT"]
    path: PathTemplate


class Endpoints(_Policy):
    fetch_new: Endpoint
    acknowledge: Endpoint
    post_answer: Endpoint

    @model_validator(mode="after")
    def _item_paths(self) -> Self:
        # Fetching has no item yet; acknowledging sends no body, so its path must say which item.
        if "upstream_id" in _placeholders(self.fetch_new.path):
            raise ValueError("fetch_new.path: cannot contain {upstream_id}")
        if "upstream_id" not in _placeholders(self.acknowledge.path):
            raise ValueError("acknowledge.path: must contain {upstream_id}")
        if self.post_answer.method == "GET":
            raise ValueError("post_answer.method: must be POST or PUT, since the answer is sent as a body")
        return self


class ItemFields(_Policy):
    """Where each of Minsheng's fields is in the platform's item (dotted paths)."""

    upstream_id: Annotated[JsonPath, Field(min_length=1)]
    received_at: Annotated[JsonPath, Field(min_length=1)]
    title: Annotated[JsonPath, Field(min_length=1)]
    content: Annotated[JsonPath, Field(min_length=1)]
    category: Annotated[JsonPath, Field(min_length=1)]
    appellant_name: JsonPath | None = None
    appellant_phone: JsonPath | None = None
    appellant_address: JsonPath | None = None


class AnswerFields(_Policy):
    """The platform's names for the answer's parts, and where its receipt number comes back."""

    text: Annotated[JsonPath, Field(min_length=1)]
    answered_at: Annotated[JsonPath, Field(min_length=1)]
    unit: Annotated[JsonPath, Field(min_length=1)]
    # Sent along so a platform whose answer path has no {upstream_id} knows which item it is.
    upstream_id: JsonPath | None = None
    receipt_id: JsonPath | None = None

    @model_validator(mode="after")
    def _distinct(self) -> Self:
        # Two parts written to one place (or one inside another) would overwrite each other.
        sent = [path for path in (self.text, self.answered_at, self.unit, self.upstream_id) if path]
        for index, path in enumerate(sent):
            for other in sent[index + 1 :]:
                if path == other or other.startswith(path + ".") or path.startswith(other + "."):
                    raise ValueError(f"{path!r} and {other!r} overlap: each part needs its own place")
        return self


class HttpJsonPlatform(_Policy):
    kind: Literal["http-json"]
    # The platform's name in Chinese, as the console shows it.
    name: Text
    # Off until a jurisdiction has its real address and token: nothing is fetched from a disabled one.
    enabled: bool = False
    base_url: Annotated[Text, AfterValidator(_base_url)]
    # The header that carries the token, and what precedes it ("Bearer", or "" for the bare token).
    # The token itself is a secret and comes from the environment, never from this file.
    auth_header: Text = "Authorization"
    auth_scheme: str = "Bearer"
    connect_timeout_s: Seconds = 5.0
    timeout_s: Seconds = 30.0
    # The zone of date-times the platform sends without an offset.
    timezone: Annotated[Text, AfterValidator(_zone)] = "Asia/Shanghai"
    endpoints: Endpoints
    # Where the list of items is in the fetch response; empty when the response is the list.
    items_path: JsonPath = ""
    fields: ItemFields
    answer_fields: AnswerFields
    # The platform's category names → Minsheng's (config/classification.toml); names not listed
    # are taken as they are and must then be Minsheng's own.
    categories: dict[Text, Text] = {}

    @model_validator(mode="after")
    def _answer_names_its_item(self) -> Self:
        if (
            "upstream_id" not in _placeholders(self.endpoints.post_answer.path)
            and not self.answer_fields.upstream_id
        ):
            raise ValueError(
                "endpoints.post_answer.path: must contain {upstream_id}, or answer_fields.upstream_id "
                "must say where the item's id goes in the answer"
            )
        return self


class UpstreamPolicy(_Policy):
    schedule: Schedule
    platforms: dict[Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")], HttpJsonPlatform] = {}


def load_upstream_policy(config_dir: Path) -> UpstreamPolicy:
    """Load `upstream.toml` and check its category names against `classification.toml`'s."""
    path = config_dir / UPSTREAM_POLICY_FILE
    policy = load_policy(path, UpstreamPolicy)
    known = known_categories(config_dir)
    wrong = [
        f"{path}: platforms.{key}.categories.{theirs}: {ours!r} is not a category of "
        f"{CLASSIFICATION_POLICY_FILE} (known: {', '.join(sorted(known))})"
        for key, platform in policy.platforms.items()
        for theirs, ours in platform.categories.items()
        if ours not in known
    ]
    if wrong:
        raise PolicyError("\n".join(wrong))
    return policy


def known_categories(config_dir: Path) -> frozenset[str]:
    """The categories an upstream item may have: those the classifier chooses among."""
    return frozenset(load_classification_policy(config_dir).categories.cues)
