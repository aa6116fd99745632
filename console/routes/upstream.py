"""The upstream platforms' quarantine (上级平台隔离区): items a platform assigned that could not start
a process (no id, no content, an unknown category...), kept with every reason and the platform's
own JSON until a person has dealt with them on the platform or by registering the appeal by hand,
and marks them so (who and when are recorded; workers/upstream/store.py)."""

from __future__ import annotations

import asyncio
import json
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from console.auth import Allowed, ConsoleDep, CsrfDep, Principal, audit
from console.pages import render
from console.policy import Permission
from workers.upstream.store import QuarantineNotFound, UpstreamStore
from workers.upstream_policy import load_upstream_policy

router = APIRouter()

Viewer = Annotated[Principal, Depends(Allowed(Permission.UPSTREAM))]
Resolver = Annotated[Principal, Depends(Allowed(Permission.UPSTREAM_RESOLVE))]
ItemId = Annotated[int, PathParam(ge=1, le=2**62)]

PAGE_SIZE = 20
RESOLVE_QUARANTINE = "resolve-quarantine"


@cache
def platform_names(config_dir: Path) -> dict[str, str]:
    """Each platform's Chinese name by its key: the policy file is read once, as the workers do."""
    return {key: platform.name for key, platform in load_upstream_policy(config_dir).platforms.items()}


def pretty(raw: object) -> str:
    """The platform's item as it sent it, indented for reading; Chinese shown as Chinese."""
    return raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False, indent=2, sort_keys=True)


@router.get("/upstream", response_class=HTMLResponse)
async def quarantine_page(
    request: Request,
    console: ConsoleDep,
    user: Viewer,
    show: Literal["unresolved", "all"] = "unresolved",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    notice: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    store = UpstreamStore(console.cases.engine, console.clock)
    unresolved_only = show == "unresolved"
    items = await asyncio.to_thread(
        store.quarantined, PAGE_SIZE, (page - 1) * PAGE_SIZE, unresolved_only=unresolved_only
    )
    total = await asyncio.to_thread(store.quarantined_count, unresolved_only=unresolved_only)
    platforms = await asyncio.to_thread(platform_names, console.settings.config_dir)
    return render(
        request,
        user,
        "upstream.html",
        items=items,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        show=show,
        notice=notice,
        platforms=platforms,
        pretty=pretty,
        may_resolve=user.may(Permission.UPSTREAM_RESOLVE),
    )


@router.post("/upstream/{item_id}/resolve")
async def resolve(
    request: Request, console: ConsoleDep, user: Resolver, _csrf: CsrfDep, item_id: ItemId
) -> Response:
    store = UpstreamStore(console.cases.engine, console.clock)
    try:
        item = await asyncio.to_thread(store.resolve_quarantined, item_id, user.username)
    except QuarantineNotFound:
        raise HTTPException(404, f"隔离区没有编号为 {item_id} 的条目") from None
    audit(console, request, user, RESOLVE_QUARANTINE, f"{item.platform}/{item.upstream_id or item.id}")
    return RedirectResponse(f"/upstream?notice=已将隔离条目 {item_id} 标记为已处理", status_code=303)
