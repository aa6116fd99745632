"""Variables, live and of ended instances (`/variables`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Body, Depends, Query

from engine.api import filters as f
from engine.api import schemas as s
from engine.api.routes import camunda_router
from engine.api.services import Services, services

router = camunda_router(prefix="/variables", tags=["Variable"])
Deps = Annotated[Services, Depends(services)]


@router.post("/search", response_model=s.SearchResult[s.VariableSearchItem])
async def search_variables(
    deps: Deps,
    query: Annotated[s.VariableSearch | None, Body()] = None,
    truncateValues: Annotated[bool, Query()] = True,
) -> s.SearchResult[s.VariableSearchItem]:
    return await deps.queries.search_variables(query or s.VariableSearch(), truncateValues)


@router.get("/{variableKey}", response_model=s.Variable)
async def get_variable(variableKey: str, deps: Deps) -> s.Variable:
    return await deps.queries.variable(f.parse_key(variableKey, "variableKey"))
