"""Taking in one platform's new items: each accepted item starts its process once, and is then
acknowledged so the platform stops offering it; each rejected item is quarantined for a person.

Order matters for what survives a crash. The item's row is claimed first, the process started,
the row marked started, and only then is the item acknowledged upstream: an item whose start was
cut short is still unacknowledged, so the platform offers it again and the next fetch starts it;
one started but not acknowledged is offered again, acknowledged by the next fetch and not started
twice. An item another fetch holds the claim of is left to that fetch, acknowledgement included.
"""

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from workers.ids import ProcessId
from workers.upstream.adapter import UpstreamItem, UpstreamPlatform
from workers.upstream.store import UpstreamStore

# Starts process `process id` with `variables`; returns the instance key. In the workers it is
# pyzeebe's ZeebeClient.run_process.
Starter = Callable[[str, dict[str, Any]], Awaitable[int]]

# The variables that tie an instance to its item, which the diagrams' answer step reads.
UPSTREAM_PLATFORM = "upstreamPlatform"
UPSTREAM_ID = "upstreamId"


@dataclass(frozen=True, slots=True)
class IntakeCounts:
    """Of one fetch: `fetched` items offered (accepted and rejected), `started` processes,
    `duplicates` offers that started or kept nothing new (an item already started or being started
    by another fetch, offered twice in the fetch, or already in quarantine), `quarantined` items
    newly kept for a person."""

    fetched: int = 0
    started: int = 0
    duplicates: int = 0
    quarantined: int = 0


def start_variables(process: str, item: UpstreamItem) -> dict[str, Any]:
    """The start variables the console's intake gives `process` (console/intake.py), from `item`."""
    appellant = {
        key: value
        for key, value in (
            ("name", item.appellant_name),
            ("phone", item.appellant_phone),
            ("address", item.appellant_address),
        )
        if value is not None
    }
    variables: dict[str, Any] = {
        "title": item.title,
        "content": item.content,
        "receivedAt": item.received_at.isoformat(),
        "appellant": appellant,
        UPSTREAM_PLATFORM: item.platform,
        UPSTREAM_ID: item.upstream_id,
    }
    if process == ProcessId.ONLINE_MESSAGE:
        # Assigned by a platform above: its report goes upward (the diagram's 上级交办 branch).
        variables |= {"source": "网上留言", "fromAbove": True}
    return variables


async def take_in(
    platform: UpstreamPlatform, process: str, store: UpstreamStore, start: Starter
) -> IntakeCounts:
    """Fetch `platform`'s new items and start `process` for each new one. Raises the platform's
    UpstreamUnavailable / UpstreamRefused (of the fetch or of an acknowledgement) and the engine's
    errors; what was done before stays done, and the next call picks up the rest."""
    fetched = await platform.fetch_new()
    token = str(uuid.uuid4())
    started = duplicates = quarantined = 0
    for rejected in fetched.rejected:
        if await asyncio.to_thread(store.quarantine, platform.name, rejected):
            quarantined += 1
        else:
            duplicates += 1
    acknowledged: set[str] = set()
    for item in fetched.items:
        claim = await asyncio.to_thread(store.claim, platform.name, item.upstream_id, token)
        if claim.started:
            duplicates += 1
        elif claim.claim_token != token:
            duplicates += 1
            continue
        else:
            try:
                key = await start(process, start_variables(process, item))
            except BaseException:
                await asyncio.to_thread(store.release, platform.name, item.upstream_id, token)
                raise
            await asyncio.to_thread(store.mark_started, platform.name, item.upstream_id, key)
            started += 1
        # An item offered again was not taken as acknowledged, whatever we recorded: say so again,
        # once a fetch, or the platform keeps offering it.
        if item.upstream_id not in acknowledged:
            await platform.acknowledge(item.upstream_id)
            await asyncio.to_thread(store.mark_acknowledged, platform.name, item.upstream_id)
            acknowledged.add(item.upstream_id)
    return IntakeCounts(
        fetched=len(fetched.items) + len(fetched.rejected),
        started=started,
        duplicates=duplicates,
        quarantined=quarantined,
    )
