"""`config/upstream.toml`: the upstream platforms the centre takes items from, on which days, and
how long to wait after one was unavailable.

The circular asks the centre to log in to the provincial hotline system and the online-message
platform at least twice every working day (seed 000); the times are the upstream-fetch diagram's
timer. Which platforms exist, how they are reached (HTTP/JSON or a mailbox), and their field names
differ from province to province, so they are policy a process owner edits, and a mistake names the
file, the key and the problem at start-up.
"""

import ipaddress
import re
import string
from pathlib import Path
from typing import Annotated, Any, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails, InitErrorDetails

from workers.classification_policy import CLASSIFICATION_POLICY_FILE, load_classification_policy
from workers.policy import PolicyError, Text, load_policy

UPSTREAM_POLICY_FILE = "upstream.toml"


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


PathTemplate = Annotated[Text, AfterValidator(_path)]
# A dotted path into a JSON object ("citizen.phone"); empty means the object itself.
JsonPath = Annotated[str, Field(strict=True, pattern=r"^([^.\s]+(\.[^.\s]+)*)?$")]
Seconds = Annotated[float, Field(gt=0, le=300)]
Port = Annotated[int, Field(strict=True, gt=0, lt=65536)]
Zone = Annotated[Text, AfterValidator(_zone)]
# Which process an item from the platform starts: a 12345 work order, or an online message.
Process = Literal["hotline-ticket", "online-message"]
# How a mail connection is protected: TLS from the start, STARTTLS, or not at all (local only).
Security = Literal["ssl", "starttls", "none"]


def _host(text: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9.:\[\]-]+", text):
        raise ValueError(f"must be a host name or address without scheme or port, got {text!r}")
    return text


def _address(text: str) -> str:
    if not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+", text):
        raise ValueError(f"must be a mail address such as hotline@example.gov.cn, got {text!r}")
    return text


def _brackets(text: str) -> str:
    if len(text) != 2 or text[0] == text[1]:
        raise ValueError(f"must be an opening and a closing bracket such as 【】, got {text!r}")
    return text


def _local(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


Host = Annotated[Text, AfterValidator(_host)]
MailAddress = Annotated[Text, AfterValidator(_address)]
Brackets = Annotated[Text, AfterValidator(_brackets)]


class _Policy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Schedule(_Policy):
    # When the fetches happen is the upstream-fetch diagram's timer; this only says on which days.
    working_days_only: bool = True


class Retry(_Policy):
    """How long to wait before fetching again after a platform was unavailable: `backoff_s`, doubled
    on every further failure up to `max_backoff_s`."""

    backoff_s: Annotated[int, Field(strict=True, gt=0)] = 60
    max_backoff_s: Annotated[int, Field(strict=True, gt=0)] = 1800

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.max_backoff_s < self.backoff_s:
            raise ValueError(
                f"max_backoff_s: must be at least backoff_s ({self.backoff_s}), got {self.max_backoff_s}"
            )
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
    process: Process = "hotline-ticket"
    base_url: Annotated[Text, AfterValidator(_base_url)]
    # The header that carries the token, and what precedes it ("Bearer", or "" for the bare token).
    # The token itself is a secret and comes from the environment, never from this file.
    auth_header: Text = "Authorization"
    auth_scheme: str = "Bearer"
    connect_timeout_s: Seconds = 5.0
    timeout_s: Seconds = 30.0
    # The zone of date-times the platform sends without an offset.
    timezone: Zone = "Asia/Shanghai"
    endpoints: Endpoints
    # Where the list of items is in the fetch response; empty when the response is the list.
    items_path: JsonPath = ""
    fields: ItemFields
    answer_fields: AnswerFields
    # The header that carries an answer's key, so that a platform given the same answer twice (a
    # job retried after its answer arrived) keeps one; "" for a platform that refuses unknown headers.
    idempotency_header: str = "Idempotency-Key"
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


class EmailPlatform(_Policy):
    """A platform that assigns items by mail to a mailbox the centre reads over IMAP, and takes the
    answers as replies over SMTP."""

    kind: Literal["email"]
    name: Text
    enabled: bool = False
    process: Process = "hotline-ticket"
    imap_host: Host
    imap_port: Port = 993
    imap_security: Security = "ssl"
    # The login of both IMAP and SMTP. Its password is a secret and comes from the environment.
    username: Text
    # Where new items arrive, and where they are moved once acknowledged: whatever is left in
    # `mailbox` is new. Names use the server's hierarchy separator.
    mailbox: Text = "INBOX"
    processed_mailbox: Text
    smtp_host: Host
    smtp_port: Port = 465
    smtp_security: Security = "ssl"
    # The sender of the answers.
    from_address: MailAddress
    timeout_s: Seconds = 30.0
    # The zone of Date headers that do not say theirs (-0000).
    timezone: Zone = "Asia/Shanghai"
    # The category is the tag that opens the subject, in one of these pairs of brackets:
    # "【投诉】路灯不亮" is a 投诉 titled 路灯不亮.
    subject_tags: Annotated[tuple[Brackets, ...], Field(min_length=1)] = ("【】", "[]", "［］")
    # The platform's tags → Minsheng's categories (config/classification.toml); tags not listed are
    # taken as they are and must then be Minsheng's own.
    categories: dict[Text, Text] = {}
    # The category of a mail whose subject has no tag; none quarantines it as missing its category.
    default_category: Text | None = None

    @model_validator(mode="after")
    def _plain_only_locally(self) -> Self:
        # A password sent in the clear is acceptable only on this machine (a relay, a test server).
        for protocol in ("imap", "smtp"):
            host = getattr(self, f"{protocol}_host")
            if getattr(self, f"{protocol}_security") == "none" and not _local(host):
                raise ValueError(
                    f'{protocol}_security: "none" sends the password in the clear and is only allowed '
                    f'for localhost, not {host!r}; use "ssl" or "starttls"'
                )
        return self


Platform = Annotated[HttpJsonPlatform | EmailPlatform, Field(discriminator="kind")]
PlatformKey = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
_KINDS = ("http-json", "email")


class UpstreamPolicy(_Policy):
    schedule: Schedule = Schedule()
    retry: Retry = Retry()
    platforms: dict[PlatformKey, Platform] = {}

    @field_validator("platforms", mode="wrap")
    @classmethod
    def _errors_at_their_keys(cls, value: object, handler: ValidatorFunctionWrapHandler) -> Any:
        # pydantic puts the kind into the location ("provincial-hotline.http-json.base_url"); the
        # person fixing the file looks for the key as written in it.
        try:
            return handler(value)
        except ValidationError as error:
            raise ValidationError.from_exception_data(
                error.title, [_at_key(detail) for detail in error.errors()]
            ) from None


def _at_key(detail: ErrorDetails) -> InitErrorDetails:
    loc = detail["loc"]
    context = detail.get("ctx") or {}
    kinds = " or ".join(repr(kind) for kind in _KINDS)
    if detail["type"] == "union_tag_invalid":
        return {
            "type": "literal_error",
            "loc": (*loc, "kind"),
            "input": context["tag"],
            "ctx": {"expected": kinds},
        }
    if detail["type"] == "union_tag_not_found":
        return {"type": "missing", "loc": (*loc, "kind"), "input": detail["input"]}
    if len(loc) > 1 and loc[1] in _KINDS:
        loc = loc[:1] + loc[2:]
    return {"type": detail["type"], "loc": loc, "input": detail["input"], "ctx": context}


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
    ] + [
        f"{path}: platforms.{key}.default_category: {platform.default_category!r} is not a category "
        f"of {CLASSIFICATION_POLICY_FILE} (known: {', '.join(sorted(known))})"
        for key, platform in policy.platforms.items()
        if isinstance(platform, EmailPlatform)
        and platform.default_category is not None
        and platform.default_category not in known
    ]
    if wrong:
        raise PolicyError("\n".join(wrong))
    return policy


def known_categories(config_dir: Path) -> frozenset[str]:
    """The categories an upstream item may have: those the classifier chooses among."""
    return frozenset(load_classification_policy(config_dir).categories.cues)
