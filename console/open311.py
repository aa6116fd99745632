"""Open311 GeoReport v2 for outside portals: how its service requests map to Minsheng's hotline
tickets and back. Pure functions over the policy (`config/open311.toml`), the form a portal posts,
the query it sends and the ledger's cases; `console/routes/open311.py` does the I/O.

A request becomes a `hotline-ticket` instance; its token is the instance's key, and its
service_request_id is the case number the ledger gives it. What a portal reads back never holds
the appellant's personal data: addresses up to their district, coordinates rounded, confidential
cases not at all.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal, Self
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, StringConstraints, model_validator

from workers.classification_policy import ClassificationPolicy, load_classification_policy
from workers.ids import ProcessId
from workers.ledger.masking import mask_address
from workers.policy import HotlinePolicy, PolicyError, Text, _Policy, load_hotline_policy, load_policy

OPEN311_POLICY_FILE = "open311.toml"
# Comma-separated; each outside portal gets its own key.
# The process every request starts, and what it names as the request's source.
PROCESS_ID = ProcessId.HOTLINE_TICKET
SOURCE = "open311"

# The spec's limits on what a portal posts.
MAX_DESCRIPTION = 4000
MAX_ADDRESS = 200
MAX_NAME = 50
MAX_URL = 1000
TITLE_SUMMARY = 20

# Mainland mobile numbers and landlines with their area code, after spaces, dashes and +86 are dropped.
PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}\d{7,8})$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
SENTENCE_END = re.compile(r"[。！？!?；;\n]")


class ServicePolicy(_Policy):
    code: Annotated[str, StringConstraints(strict=True, pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]
    category: Text
    description: Text


class Open311Policy(_Policy):
    group: Text
    channels: Annotated[list[Text], Field(min_length=1)]
    coordinate_decimals: Annotated[int, Field(strict=True, ge=0, le=6)]
    max_requests: Annotated[int, Field(strict=True, ge=1)]
    max_days: Annotated[int, Field(strict=True, ge=1)]
    closed_statuses: list[Text]
    services: Annotated[list[ServicePolicy], Field(min_length=1)]
    status_notes: Annotated[dict[Text, Text], Field(default_factory=dict)]

    @model_validator(mode="after")
    def _unique(self) -> Self:
        for attribute in ("code", "category"):
            seen: set[str] = set()
            for index, service in enumerate(self.services):
                value = getattr(service, attribute)
                if value in seen:
                    raise ValueError(f'services.{index}.{attribute}: "{value}" is given twice')
                seen.add(value)
        return self


def load_open311_policy(config_dir: Path, hotline: HotlinePolicy) -> Open311Policy:
    policy = load_policy(config_dir / OPEN311_POLICY_FILE, Open311Policy)
    unknown = [
        f'{config_dir / OPEN311_POLICY_FILE}: services.{index}.category: "{service.category}" is not a '
        f"category of hotline.toml (known: {', '.join(hotline.categories)})"
        for index, service in enumerate(policy.services)
        if service.category not in hotline.categories
    ]
    if unknown:
        raise PolicyError("\n".join(unknown))
    return policy


@dataclass(frozen=True)
class Catalogue:
    """Everything the mapping reads: the Open311 policy and the jurisdiction's categories and units."""

    policy: Open311Policy
    # Working days to handle a request, by category (hotline.toml).
    limits: Mapping[str, int]
    # Strong cues by category (classification.toml): what services.json offers as keywords.
    keywords: Mapping[str, tuple[str, ...]]
    # Full names of the handling units by their short name (classification.toml [units]).
    unit_names: Mapping[str, str]
    timezone: ZoneInfo

    @classmethod
    def of(
        cls,
        policy: Open311Policy,
        hotline: HotlinePolicy,
        classification: ClassificationPolicy,
        timezone: ZoneInfo,
    ) -> Catalogue:
        return cls(
            policy=policy,
            limits={name: category.limit_working_days for name, category in hotline.categories.items()},
            keywords={name: tuple(cues.strong) for name, cues in classification.categories.cues.items()},
            unit_names={short: unit.name for short, unit in classification.units.items()},
            timezone=timezone,
        )

    def service(self, code: str) -> ServicePolicy | None:
        return next((service for service in self.policy.services if service.code == code), None)

    def service_of_category(self, category: str | None) -> ServicePolicy | None:
        return next((service for service in self.policy.services if service.category == category), None)


class Open311Error(Exception):
    """What the spec answers with an error array: the HTTP status and a description."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description

    def body(self) -> list[dict[str, Any]]:
        return [{"code": self.status, "description": self.description}]


def load_catalogue(config_dir: Path, timezone: ZoneInfo) -> Catalogue:
    """The services of `config_dir`'s policy files; a mistake in them stops the console at start-up."""
    hotline = load_hotline_policy(config_dir)
    return Catalogue.of(
        load_open311_policy(config_dir, hotline), hotline, load_classification_policy(config_dir), timezone
    )


# --------------------------------------------------------------------------------------------- keys


def api_keys(setting: SecretStr | None) -> frozenset[str]:
    """The portals' keys (MINSHENG_OPEN311_API_KEYS); none configured means every POST is refused."""
    listed = "" if setting is None else setting.get_secret_value()
    return frozenset(key.strip() for key in listed.split(",") if key.strip())


def key_is_valid(given: str | None, keys: frozenset[str]) -> bool:
    if not given:
        return False
    # Compared in constant time, so that a key cannot be guessed from how fast it is refused.
    return any(hmac.compare_digest(given.encode(), key.encode()) for key in keys)


# ----------------------------------------------------------------------------------------- services


def service_list(catalogue: Catalogue) -> list[dict[str, Any]]:
    return [
        {
            "service_code": service.code,
            "service_name": service.category,
            "description": f"{service.description}办理时限{catalogue.limits[service.category]}个工作日。",
            "metadata": False,
            "type": "realtime",
            "keywords": ",".join(catalogue.keywords.get(service.category, ())),
            "group": catalogue.policy.group,
        }
        for service in catalogue.policy.services
    ]


# ------------------------------------------------------------------------------------ a new request


@dataclass(frozen=True)
class NewRequest:
    service: ServicePolicy
    description: str
    latitude: float | None
    longitude: float | None
    address: str | None
    name: str | None
    phone: str | None
    email: str | None
    media_url: str | None


def parse_new_request(form: Mapping[str, str], catalogue: Catalogue) -> NewRequest:
    """The request a portal posted (form-encoded as the spec has it), or the first problem with it."""

    def text(key: str, limit: int) -> str | None:
        value = (form.get(key) or "").strip()
        if len(value) > limit:
            raise Open311Error(400, f"{key} 过长：最多 {limit} 个字符")
        return value or None

    code = text("service_code", 40)
    if code is None:
        raise Open311Error(400, "缺少 service_code（服务类别）")
    service = catalogue.service(code)
    if service is None:
        raise Open311Error(400, f"service_code 不存在：{code}（见 services.json）")
    description = text("description", MAX_DESCRIPTION)
    if description is None:
        raise Open311Error(400, "缺少 description（诉求内容）")
    latitude, longitude = _coordinates(text("lat", 40), text("long", 40))
    address = text("address_string", MAX_ADDRESS)
    if latitude is None and address is None:
        raise Open311Error(400, "缺少位置：请提供 lat 和 long，或 address_string（不支持 address_id）")
    last_name, first_name = text("last_name", MAX_NAME), text("first_name", MAX_NAME)
    # Chinese names read surname first.
    name = "".join(part for part in (last_name, first_name) if part) or None
    phone = text("phone", 40)
    if phone is not None:
        phone = normal_phone(phone)
        if phone is None:
            raise Open311Error(400, "phone 格式不正确：应为手机号或带区号的固定电话")
    email = text("email", 254)
    if email is not None and not EMAIL.match(email):
        raise Open311Error(400, "email 格式不正确")
    media_url = text("media_url", MAX_URL)
    if media_url is not None and not media_url.startswith(("https://", "http://")):
        raise Open311Error(400, "media_url 应为 http(s) 网址")
    return NewRequest(service, description, latitude, longitude, address, name, phone, email, media_url)


def normal_phone(phone: str) -> str | None:
    """`phone` without spaces, dashes and the country code, or None when it is not a phone number."""
    digits = re.sub(r"[\s\-()]", "", phone)
    digits = re.sub(r"^(\+86|0086)", "", digits)
    return digits if PHONE.match(digits) else None


def _coordinates(lat: str | None, long: str | None) -> tuple[float | None, float | None]:
    if lat is None and long is None:
        return None, None
    if lat is None or long is None:
        raise Open311Error(400, "lat 和 long 须同时提供")
    try:
        latitude, longitude = float(lat), float(long)
    except ValueError:
        raise Open311Error(400, "lat、long 应为十进制经纬度（WGS84）") from None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise Open311Error(400, "lat、long 超出范围")
    return latitude, longitude


def start_variables(request: NewRequest, received_at: datetime) -> dict[str, Any]:
    """The variables the hotline ticket starts with. The chosen service leads the title, so that the
    classifier weighs what the appellant chose along with what they wrote."""
    location = request.address
    if location is None and request.latitude is not None:
        location = f"{request.latitude:.6f},{request.longitude:.6f}"
    appellant = {"name": request.name, "phone": request.phone, "email": request.email, "confidential": False}
    variables: dict[str, Any] = {
        "title": f"{request.service.category}：{summary(request.description)}",
        "content": request.description,
        "appellant": {key: value for key, value in appellant.items() if value is not None},
        "location": location,
        "receivedAt": received_at.isoformat(),
        "source": SOURCE,
        "open311ServiceCode": request.service.code,
        "latitude": request.latitude,
        "longitude": request.longitude,
        "mediaUrl": request.media_url,
    }
    return {key: value for key, value in variables.items() if value is not None}


def summary(text: str, limit: int = TITLE_SUMMARY) -> str:
    """The first sentence of `text`, cut to `limit` characters."""
    first = SENTENCE_END.split(text.strip(), maxsplit=1)[0].strip() or text.strip()
    return first if len(first) <= limit else first[: limit - 1] + "…"


def token_answer(token: str, case_number: str | None) -> list[dict[str, Any]]:
    """GET tokens/{token}: the request id once the ledger numbered the request, else the token alone."""
    if case_number is None:
        return [{"token": token}]
    return [{"service_request_id": case_number, "token": token}]


# ------------------------------------------------------------------------------ requests as they are


@dataclass(frozen=True)
class CaseRecord:
    """What Open311 reads of a ledger case."""

    case_number: str
    channel: str
    title: str | None
    category: str | None
    lead_unit: str | None
    status: str
    location: str | None
    confidential: bool
    received_at: datetime
    updated_at: datetime
    due_at: datetime | None
    archived_at: datetime | None
    process_instance_key: int | None


def is_closed(case: CaseRecord, policy: Open311Policy) -> bool:
    return case.archived_at is not None or case.status in policy.closed_statuses


def is_public(case: CaseRecord, policy: Open311Policy) -> bool:
    """Whether a portal may read `case` at all."""
    return case.channel in policy.channels and not case.confidential


def service_request(
    case: CaseRecord, catalogue: Catalogue, coordinates: tuple[float, float] | None
) -> dict[str, Any]:
    policy = catalogue.policy
    service = catalogue.service_of_category(case.category)
    limit = catalogue.limits.get(case.category or "")
    answer: dict[str, Any] = {
        "service_request_id": case.case_number,
        "status": "closed" if is_closed(case, policy) else "open",
        "status_notes": policy.status_notes.get(case.status),
        "service_name": None if service is None else service.category,
        "service_code": None if service is None else service.code,
        "description": case.title,
        "agency_responsible": (
            None if case.lead_unit is None else catalogue.unit_names.get(case.lead_unit, case.lead_unit)
        ),
        "service_notice": None if limit is None else f"办理时限{limit}个工作日。",
        "requested_datetime": w3c(case.received_at, catalogue.timezone),
        "updated_datetime": w3c(case.updated_at, catalogue.timezone),
        "expected_datetime": None if case.due_at is None else w3c(case.due_at, catalogue.timezone),
        "address": None if case.location is None else mask_address(case.location),
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }
    if coordinates is not None:
        answer["lat"] = round(coordinates[0], policy.coordinate_decimals)
        answer["long"] = round(coordinates[1], policy.coordinate_decimals)
    return answer


def w3c(moment: datetime, timezone: ZoneInfo) -> str:
    return moment.astimezone(timezone).isoformat(timespec="seconds")


# ------------------------------------------------------------------------------------ listing them


@dataclass(frozen=True)
class RequestQuery:
    # When given, these case numbers and nothing else (the spec: they override every other argument).
    numbers: tuple[str, ...]
    categories: tuple[str, ...] | None
    start: datetime
    end: datetime
    status: Literal["open", "closed"] | None
    limit: int


def parse_query(params: Mapping[str, str], catalogue: Catalogue, now: datetime) -> RequestQuery:
    policy = catalogue.policy
    span = timedelta(days=policy.max_days)
    numbers = _list(params.get("service_request_id"))
    if numbers:
        if len(numbers) > policy.max_requests:
            raise Open311Error(400, f"service_request_id 最多 {policy.max_requests} 个")
        return RequestQuery(numbers, None, now - span, now, None, policy.max_requests)
    categories = None
    codes = _list(params.get("service_code"))
    if codes:
        unknown = [code for code in codes if catalogue.service(code) is None]
        if unknown:
            raise Open311Error(400, f"service_code 不存在：{', '.join(unknown)}（见 services.json）")
        categories = tuple(service.category for code in codes if (service := catalogue.service(code)))
    start = _moment(params.get("start_date"), "start_date", catalogue.timezone)
    end = _moment(params.get("end_date"), "end_date", catalogue.timezone)
    if end is None:
        end = now if start is None else min(now, start + span)
    if start is None:
        start = end - span
    if end < start:
        raise Open311Error(400, "end_date 早于 start_date")
    if end - start > span:
        raise Open311Error(400, f"start_date 与 end_date 相隔不得超过 {policy.max_days} 天")
    statuses = set(_list(params.get("status")))
    if statuses - {"open", "closed"}:
        raise Open311Error(400, "status 只能是 open 或 closed")
    status: Literal["open", "closed"] | None = None
    if statuses == {"open"}:
        status = "open"
    elif statuses == {"closed"}:
        status = "closed"
    return RequestQuery((), categories, start, end, status, policy.max_requests)


def _list(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def _moment(value: str | None, name: str, timezone: ZoneInfo) -> datetime | None:
    if not value or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, f"{name} 应为 W3C 日期时间，例如 2026-11-26T09:00:00+08:00") from None
    # A moment without an offset is the jurisdiction's local time.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone)
