"""Where a case stands for the messages its process waits for (console/messages.py): whether it is
still open, and which messages its process waits for now, read from the engine's active elements.
Shared by the case's page (which shows the forms) and the messages' routes (which check again)."""

from __future__ import annotations

import json
from typing import Any

from console.auth import Principal
from console.context import Console
from console.dashboard import policies
from console.engine_client import EngineError
from console.messages import messages_of_channel
from workers.ledger.service import CaseView

# The active elements read to tell whether the process waits for a message; an instance has far fewer.
ACTIVE_ELEMENTS_LIMIT = 500


def case_is_open(console: Console, view: CaseView) -> bool:
    completed = policies(console.settings.config_dir).report.cases.completed_statuses
    return view.archived_at is None and view.status not in completed


async def active_elements(console: Console, instance_key: int) -> set[str]:
    """The ids of the elements the process instance is in now."""
    found = await console.engine.search(
        "element-instances",
        {
            "filter": {"processInstanceKey": str(instance_key), "state": "ACTIVE"},
            "page": {"limit": ACTIVE_ELEMENTS_LIMIT},
        },
    )
    return {item["elementId"] for item in found["items"]}


async def case_messages(console: Console, user: Principal, view: CaseView) -> list[dict[str, Any]]:
    """The messages the user may send to the case now, for its page: each with whether the process
    waits for it (a form that would be refused says why instead)."""
    offered = messages_of_channel(console.settings.config_dir, view.channel, starts=False)
    key = view.process_instance_key
    if not offered or not user.role.registers(view.channel) or key is None or not case_is_open(console, view):
        return []
    try:
        active = await active_elements(console, key)
    except EngineError:
        # The page still shows the forms; sending one checks again and names the engine's error.
        active = {element for message in offered for element in message.awaited_in}
    return [
        {"message": message, "awaited": any(element in active for element in message.awaited_in)}
        for message in offered
    ]


async def variable_value(console: Console, instance_key: int, name: str) -> Any:
    """The value of the instance's variable `name` (in whichever scope it lives), or None."""
    found = await console.engine.search(
        "variables", {"filter": {"processInstanceKey": str(instance_key), "name": name}, "page": {"limit": 1}}
    )
    if not found["items"]:
        return None
    item = found["items"][0]
    if item.get("isTruncated"):
        item = await console.engine.get(f"/variables/{item['variableKey']}")
    return json.loads(item["value"])
