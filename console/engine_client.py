"""The console's only way to the engine: Camunda 8's `/v2` REST API, on the embedded engine or on a
Camunda 8 cluster alike.

Credentials are the ones the workers use: Minsheng's static engine token, or OAuth2 client
credentials (Self-Managed with Identity, or SaaS), whose access token is fetched and renewed here.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from workers.settings import Settings

# Renew an access token this long before it expires, so no request goes out with a stale one.
TOKEN_MARGIN_S = 30.0
TIMEOUT_S = 10.0
# What Camunda SaaS's token endpoint issues tokens for, when no audience is set.
SAAS_AUDIENCE = "zeebe.camunda.io"


class EngineError(Exception):
    """The engine answered with an error (or did not answer): its status and readable detail."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail


class EngineClient:
    def __init__(self, settings: Settings, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._settings = settings
        self._http = httpx.AsyncClient(
            base_url=settings.console_rest_url.rstrip("/"), timeout=TIMEOUT_S, transport=transport
        )
        self._token: tuple[str, float] | None = None
        self._token_lock = asyncio.Lock()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def get(self, path: str) -> Any:
        return await self.request("GET", path)

    async def post(self, path: str, body: Any = None) -> Any:
        return await self.request("POST", path, body)

    async def search(self, resource: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """`POST /<resource>/search` with `body` (filter, sort, page): `{"items": [...], "page": {...}}`."""
        result: dict[str, Any] = await self.request("POST", f"/{resource}/search", body or {})
        return result

    async def text(self, path: str) -> str:
        response = await self._send("GET", path, None)
        return response.text

    async def request(self, method: str, path: str, body: Any = None) -> Any:
        response = await self._send(method, path, body)
        if response.status_code == 204 or not response.content:
            return None
        return response.json()

    async def _send(self, method: str, path: str, body: Any) -> httpx.Response:
        headers = await self._auth_headers()
        try:
            response = await self._http.request(method, path, json=body, headers=headers)
        except httpx.HTTPError as error:
            raise EngineError(
                503, f"流程引擎无法连接（{self._settings.console_rest_url}）：{error}"
            ) from error
        if response.status_code >= 400:
            raise EngineError(response.status_code, _problem(response))
        return response

    async def _auth_headers(self) -> dict[str, str]:
        settings = self._settings
        if settings.engine_token is not None:
            return {"Authorization": f"Bearer {settings.engine_token.get_secret_value()}"}
        if settings.zeebe_client_id is None or settings.zeebe_client_secret is None:
            return {}
        async with self._token_lock:
            if self._token is None or self._token[1] - TOKEN_MARGIN_S < time.monotonic():
                self._token = await self._fetch_token()
            return {"Authorization": f"Bearer {self._token[0]}"}

    async def _fetch_token(self) -> tuple[str, float]:
        settings = self._settings
        assert settings.zeebe_client_id is not None and settings.zeebe_client_secret is not None
        url = settings.zeebe_authorization_server_url or "https://login.cloud.camunda.io/oauth/token"
        form = {
            "grant_type": "client_credentials",
            "client_id": settings.zeebe_client_id,
            "client_secret": settings.zeebe_client_secret.get_secret_value(),
        }
        audience = settings.zeebe_token_audience or (SAAS_AUDIENCE if settings.camunda_cluster_id else None)
        if audience:
            form["audience"] = audience
        try:
            response = await self._http.post(url, data=form)
        except httpx.HTTPError as error:
            raise EngineError(503, f"无法获取访问令牌（{url}）：{error}") from error
        if response.status_code != 200:
            raise EngineError(response.status_code, f"无法获取访问令牌（{url}）：{_problem(response)}")
        token = response.json()
        return token["access_token"], time.monotonic() + float(token.get("expires_in", 300))


def _problem(response: httpx.Response) -> str:
    """The readable part of an error answer: Camunda's problem detail, else the body's start."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:300] or response.reason_phrase
    if isinstance(body, dict):
        return str(body.get("detail") or body.get("title") or body)[:300]
    return str(body)[:300]
