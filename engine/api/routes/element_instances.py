"""Element instances: what a diagram overlay needs (`/element-instances`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Body, Depends

from engine.api import filters as f
from engine.api import schemas as s
from engine.api.routes import camunda_router
from engine.api.services import Services, services

router = camunda_router(prefix="/element-instances", tags=["Element instance"])
Deps = Annotated[Services, Depends(services)]


@router.post("/search", response_model=s.SearchResult[s.ElementInstance])
async def search_element_instances(
    deps: Deps, query: Annotated[s.ElementInstanceSearch | None, Body()] = None
) -> s.SearchResult[s.ElementInstance]:
    return await deps.queries.search_element_instances(query or s.ElementInstanceSearch())


@router.get("/{elementInstanceKey}", response_model=s.ElementInstance)
async def get_element_instance(elementInstanceKey: str, deps: Deps) -> s.ElementInstance:
    return await deps.queries.element_instance(f.parse_key(elementInstanceKey, "elementInstanceKey"))
