"""An upstream platform that speaks HTTP and JSON, configured by `config/upstream.toml`.

Errors are split by what the caller should do: `UpstreamUnavailable` (connection refused, timeout,
5xx, a response that is not the JSON promised) is retried with backoff; `UpstreamRefused` (4xx)
carries the server's message for a person, because sending the same request again will not help.
"""

from collections.abc import Collection, Mapping
from types import TracebackType
from typing import Any, Self
from zoneinfo import ZoneInfo

import httpx
from pydantic import SecretStr

from workers.upstream.adapter import (
    Answer,
    Fetched,
    Receipt,
    Rejected,
    UpstreamItem,
    UpstreamRefused,
    UpstreamUnavailable,
    accept,
)
from workers.upstream_policy import Endpoint, HttpJsonPlatform

_MISSING = object()
# Enough of a refusal's body to explain it, not a whole error page.
_MESSAGE_CHARS = 500


def _at(document: object, path: str) -> object:
    """The value at dotted `path` in `document`, or `_MISSING`."""
    if not path:
        return document
    value = document
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return _MISSING
        value = value[part]
    return value


def _put(document: dict[str, Any], path: str, value: object) -> None:
    *parents, last = path.split(".")
    for part in parents:
        document = document.setdefault(part, {})
    document[last] = value


class HttpJsonUpstream:
    """`UpstreamPlatform` over HTTP/JSON. Use as an async context manager, or call `aclose`."""

    def __init__(
        self,
        key: str,
        policy: HttpJsonPlatform,
        categories: Collection[str],
        token: SecretStr | None = None,
    ) -> None:
        self._key = key
        self._policy = policy
        self._categories = frozenset(categories)
        self._timezone = ZoneInfo(policy.timezone)
        headers = {"Accept": "application/json"}
        if token is not None:
            scheme = f"{policy.auth_scheme} " if policy.auth_scheme else ""
            headers[policy.auth_header] = scheme + token.get_secret_value()
        self._client = httpx.AsyncClient(
            headers=headers,
            timeout=httpx.Timeout(policy.timeout_s, connect=policy.connect_timeout_s),
            # A redirect to a login page is not an answer; it shows up as a refusal instead.
            follow_redirects=False,
        )

    @property
    def name(self) -> str:
        return self._key

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch_new(self) -> Fetched:
        body = await self._call("fetch_new", self._policy.endpoints.fetch_new)
        listed = _at(body, self._policy.items_path)
        if not isinstance(listed, list):
            where = self._policy.items_path or "the response"
            raise UpstreamUnavailable(self._key, "fetch_new", f"{where} is not a JSON list of items")
        items: list[UpstreamItem] = []
        rejected: list[Rejected] = []
        for raw in listed:
            outcome = self._parse(raw)
            if isinstance(outcome, UpstreamItem):
                items.append(outcome)
            else:
                rejected.append(outcome)
        return Fetched(items=tuple(items), rejected=tuple(rejected))

    async def acknowledge(self, upstream_id: str) -> None:
        await self._call("acknowledge", self._policy.endpoints.acknowledge, upstream_id)

    async def post_answer(self, upstream_id: str, answer: Answer) -> Receipt:
        names = self._policy.answer_fields
        payload: dict[str, Any] = {}
        _put(payload, names.text, answer.text)
        _put(payload, names.answered_at, answer.answered_at.isoformat())
        _put(payload, names.unit, answer.unit)
        if names.upstream_id is not None:
            _put(payload, names.upstream_id, upstream_id)
        headers = {}
        if self._policy.idempotency_header:
            headers[self._policy.idempotency_header] = answer.key
        body = await self._call(
            "post_answer", self._policy.endpoints.post_answer, upstream_id, payload, headers
        )
        receipt = _MISSING if names.receipt_id is None else _at(body, names.receipt_id)
        receipt_id = None if receipt is _MISSING or receipt is None else str(receipt)
        return Receipt(upstream_id=upstream_id, receipt_id=receipt_id, raw=body)

    def _parse(self, raw: object) -> UpstreamItem | Rejected:
        if not isinstance(raw, Mapping):
            return Rejected(upstream_id=None, raw=raw, reasons=("is not a JSON object",))
        fields: dict[str, object] = {}
        for ours, theirs in self._policy.fields.model_dump().items():
            value = _MISSING if theirs is None else _at(raw, theirs)
            if value is not _MISSING:
                fields[ours] = value
        category = fields.get("category")
        if isinstance(category, str):
            fields["category"] = self._policy.categories.get(category.strip(), category)
        return accept(self._key, fields, raw, self._categories, self._timezone)

    async def _call(
        self,
        endpoint: str,
        where: Endpoint,
        upstream_id: str | None = None,
        payload: object = None,
        headers: Mapping[str, str] | None = None,
    ) -> object:
        path = where.path if upstream_id is None else where.path.format(upstream_id=upstream_id)
        url = self._policy.base_url + path
        try:
            response = await self._client.request(where.method, url, json=payload, headers=headers)
        except httpx.TimeoutException as error:
            raise UpstreamUnavailable(self._key, endpoint, f"timed out: {type(error).__name__}") from error
        except httpx.TransportError as error:
            raise UpstreamUnavailable(self._key, endpoint, f"{type(error).__name__}: {error}") from error
        if response.status_code >= 500:
            raise UpstreamUnavailable(
                self._key, endpoint, f"server error {response.status_code}: {_message(response)}"
            )
        if response.status_code >= 300:
            raise UpstreamRefused(self._key, endpoint, response.status_code, _message(response))
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError as error:
            raise UpstreamUnavailable(self._key, endpoint, "the response is not JSON") from error


def _message(response: httpx.Response) -> str:
    """The server's own explanation: a JSON `message`/`error`/`detail` field, else the text."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, Mapping):
        for key in ("message", "error", "detail", "msg"):
            if isinstance(body.get(key), str):
                return str(body[key])[:_MESSAGE_CHARS]
    return response.text[:_MESSAGE_CHARS] or response.reason_phrase
