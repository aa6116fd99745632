"""User tasks for a task list: search, get, assign, unassign, complete, form (`/user-tasks`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Body, Depends, Response

from engine.api import filters as f
from engine.api import schemas as s
from engine.api.routes import camunda_router
from engine.api.routes.process_definitions import form_result
from engine.api.services import Services, services
from engine.runtime import commands

router = camunda_router(prefix="/user-tasks", tags=["User task"])
Deps = Annotated[Services, Depends(services)]


@router.post("/search", response_model=s.SearchResult[s.UserTask])
async def search_user_tasks(
    deps: Deps, query: Annotated[s.UserTaskSearch | None, Body()] = None
) -> s.SearchResult[s.UserTask]:
    return await deps.queries.search_user_tasks(query or s.UserTaskSearch())


@router.get("/{userTaskKey}", response_model=s.UserTask)
async def get_user_task(userTaskKey: str, deps: Deps) -> s.UserTask:
    return await deps.queries.user_task(f.parse_key(userTaskKey, "userTaskKey"))


@router.post("/{userTaskKey}/assignment", status_code=204, response_class=Response)
async def assign_user_task(userTaskKey: str, body: s.UserTaskAssignment, deps: Deps) -> Response:
    key = f.parse_key(userTaskKey, "userTaskKey")
    allow_override = body.allowOverride if body.allowOverride is not None else True
    await deps.engine.execute(lambda ctx: commands.assign_user_task(ctx, key, body.assignee, allow_override))
    return Response(status_code=204)


@router.delete("/{userTaskKey}/assignee", status_code=204, response_class=Response)
async def unassign_user_task(userTaskKey: str, deps: Deps) -> Response:
    key = f.parse_key(userTaskKey, "userTaskKey")
    await deps.engine.execute(lambda ctx: commands.unassign_user_task(ctx, key))
    return Response(status_code=204)


@router.post("/{userTaskKey}/completion", status_code=204, response_class=Response)
async def complete_user_task(
    userTaskKey: str,
    deps: Deps,
    body: Annotated[s.UserTaskCompletion | None, Body()] = None,
) -> Response:
    key = f.parse_key(userTaskKey, "userTaskKey")
    variables = (body.variables if body is not None else None) or {}
    await deps.engine.execute(lambda ctx: commands.complete_user_task(ctx, key, variables))
    return Response(status_code=204)


@router.get(
    "/{userTaskKey}/form",
    response_model=s.FormResult,
    responses={204: {"description": "The user task has no linked form"}},
)
async def get_user_task_form(userTaskKey: str, deps: Deps) -> s.FormResult | Response:
    row = await deps.queries.user_task_row(f.parse_key(userTaskKey, "userTaskKey"))
    form = deps.catalog.form(row.form_key) if row.form_key is not None else None
    if form is None:
        return Response(status_code=204)
    return form_result(form)
