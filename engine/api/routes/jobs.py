"""Job search (`/jobs/search`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Body, Depends

from engine.api import schemas as s
from engine.api.routes import camunda_router
from engine.api.services import Services, services

router = camunda_router(prefix="/jobs", tags=["Job"])
Deps = Annotated[Services, Depends(services)]


@router.post("/search", response_model=s.SearchResult[s.Job])
async def search_jobs(
    deps: Deps, query: Annotated[s.JobSearch | None, Body()] = None
) -> s.SearchResult[s.Job]:
    return await deps.queries.search_jobs(query or s.JobSearch())
