"""One router per resource family of the /v2 API."""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from engine.gateway.servicer import check_document, finite_float, refuse_constant
from engine.runtime.errors import Rejection


class CheckedJsonRequest(Request):
    """A request whose JSON body holds only what the engine can store and answer with.

    NaN, infinities, integers beyond Python's digit limit, nesting too deep for the parser, and lone
    surrogates (`"\\ud800"`, which no database can store) are refused with a 400 naming the problem
    (an HTTPException, which FastAPI passes on as it is) instead of failing later as a 500.
    """

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            try:
                # Decoded strictly: json.loads would let UTF-8-encoded surrogates through.
                text = body.decode("utf-8")
            except UnicodeDecodeError as error:
                raise HTTPException(400, f"The request body is not UTF-8 (byte {error.start})") from None
            try:
                document = json.loads(text, parse_constant=refuse_constant, parse_float=finite_float)
            except json.JSONDecodeError:
                raise
            except RecursionError:
                raise HTTPException(400, "The request body is nested too deeply") from None
            except ValueError as error:
                raise HTTPException(400, f"The request body is invalid: {error}") from None
            try:
                check_document(document, "body", text)
                if isinstance(document, dict) and isinstance(document.get("variables"), dict):
                    check_document(document["variables"], "variables")
            except Rejection as rejection:
                raise HTTPException(400, rejection.message) from None
            self._json = document
        return self._json


class CamundaRoute(APIRoute):
    """A route answering as Camunda's REST gateway does: a field without a value is left out.

    Camunda's OpenAPI description declares such fields optional but not nullable (`endDate` of a
    running instance, `assignee` of an unassigned task, ...), so `null` would not validate against it.
    Values inside free-form objects (variables, form schemas) are kept as they are, nulls included.
    """

    def __init__(self, path: str, endpoint: Any, **kwargs: Any) -> None:
        kwargs["response_model_exclude_none"] = True
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def checked(request: Request) -> Response:
            return await handler(CheckedJsonRequest(request.scope, request.receive))

        return checked


def camunda_router(prefix: str = "", *, tags: list[str]) -> APIRouter:
    return APIRouter(prefix=prefix, tags=list(tags), route_class=CamundaRoute)
