"""Publishing messages (`/messages/publication`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from engine.api import schemas as s
from engine.api.problems import bad_request
from engine.api.routes import camunda_router
from engine.api.services import Services, services
from engine.runtime import commands

router = camunda_router(prefix="/messages", tags=["Message"])
Deps = Annotated[Services, Depends(services)]


@router.post("/publication", response_model=s.MessagePublished)
async def publish_message(body: s.MessagePublication, deps: Deps) -> s.MessagePublished:
    if body.timeToLive < 0:
        raise bad_request(f"The value for timeToLive is '{body.timeToLive}' but must be not negative.")
    if body.timeToLive >= 2**63:
        raise bad_request(f"The value for timeToLive is '{body.timeToLive}' but must be a 64-bit number.")
    if body.tenantId not in (None, "", s.TENANT):
        raise bad_request(
            f"Expected tenant '{s.TENANT}' (multi-tenancy is disabled), but got '{body.tenantId}'"
        )
    variables = body.variables or {}
    key = await deps.engine.execute(
        lambda ctx: commands.publish_message(
            ctx, body.name, body.correlationKey, body.timeToLive, body.messageId or "", variables
        )
    )
    return s.MessagePublished(messageKey=str(key))
