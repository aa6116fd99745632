"""Jobs: search, and changing retries and timeout (`/jobs`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Body, Depends, Response

from engine.api import filters as f
from engine.api import schemas as s
from engine.api.problems import bad_request
from engine.api.routes import camunda_router
from engine.api.services import Services, services
from engine.runtime import commands
from engine.runtime.context import Context

router = camunda_router(prefix="/jobs", tags=["Job"])
Deps = Annotated[Services, Depends(services)]


@router.post("/search", response_model=s.SearchResult[s.Job])
async def search_jobs(
    deps: Deps, query: Annotated[s.JobSearch | None, Body()] = None
) -> s.SearchResult[s.Job]:
    return await deps.queries.search_jobs(query or s.JobSearch())


@router.patch("/{jobKey}", status_code=204, response_class=Response)
async def update_job(jobKey: str, body: s.JobUpdate, deps: Deps) -> Response:
    key = f.parse_key(jobKey, "jobKey")
    changes = body.changeset
    if changes.retries is None and changes.timeout is None:
        raise bad_request("At least one of [retries, timeout] is required")

    # One command, so that a refused timeout leaves the retries unchanged too.
    def update(ctx: Context) -> None:
        if changes.retries is not None:
            commands.update_job_retries(ctx, key, changes.retries)
        if changes.timeout is not None:
            commands.update_job_timeout(ctx, key, changes.timeout)

    await deps.engine.execute(update)
    return Response(status_code=204)
