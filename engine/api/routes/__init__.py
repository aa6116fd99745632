"""One router per resource family of the /v2 API."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute


class CamundaRoute(APIRoute):
    """A route answering as Camunda's REST gateway does: a field without a value is left out.

    Camunda's OpenAPI description declares such fields optional but not nullable (`endDate` of a
    running instance, `assignee` of an unassigned task, ...), so `null` would not validate against it.
    Values inside free-form objects (variables, form schemas) are kept as they are, nulls included.
    """

    def __init__(self, path: str, endpoint: Any, **kwargs: Any) -> None:
        kwargs["response_model_exclude_none"] = True
        super().__init__(path, endpoint, **kwargs)


def camunda_router(prefix: str = "", *, tags: list[str]) -> APIRouter:
    return APIRouter(prefix=prefix, tags=list(tags), route_class=CamundaRoute)
