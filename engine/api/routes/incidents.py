"""Incidents: search, get, resolve (`/incidents`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Body, Depends, Response

from engine.api import filters as f
from engine.api import schemas as s
from engine.api.routes import camunda_router
from engine.api.services import Services, services
from engine.runtime import commands

router = camunda_router(prefix="/incidents", tags=["Incident"])
Deps = Annotated[Services, Depends(services)]


@router.post("/search", response_model=s.SearchResult[s.Incident])
async def search_incidents(
    deps: Deps, query: Annotated[s.IncidentSearch | None, Body()] = None
) -> s.SearchResult[s.Incident]:
    return await deps.queries.search_incidents(query or s.IncidentSearch())


@router.get("/{incidentKey}", response_model=s.Incident)
async def get_incident(incidentKey: str, deps: Deps) -> s.Incident:
    return await deps.queries.incident(f.parse_key(incidentKey, "incidentKey"))


@router.post("/{incidentKey}/resolution", status_code=204, response_class=Response)
async def resolve_incident(
    incidentKey: str,
    deps: Deps,
    body: Annotated[s.IncidentResolution | None, Body()] = None,
) -> Response:
    key = f.parse_key(incidentKey, "incidentKey")
    await deps.engine.execute(lambda ctx: commands.resolve_incident(ctx, key))
    return Response(status_code=204)
