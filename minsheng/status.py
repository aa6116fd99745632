"""`minsheng status KEY`: where a process instance stands, read from the embedded engine's log."""

from __future__ import annotations

import json

from engine.store.database import open_database
from engine.store.instance_view import InstanceView, instance_view
from engine.store.repository import Repository


def load_view(database_url: str, process_instance_key: int) -> InstanceView:
    database = open_database(database_url, writer=False)
    try:
        return instance_view(process_instance_key, Repository(database).records_of(process_instance_key))
    finally:
        database.dispose()


def render(view: InstanceView) -> str:
    if view.state == "UNKNOWN":
        return f"process instance {view.key}: not found in the engine's log"
    lines = [
        f"process instance {view.key} of {view.bpmn_process_id}: {view.state}",
        f"  passed:     {' → '.join(view.passed) or '-'}",
        f"  waiting at: {', '.join(view.waiting_at()) or '-'}",
    ]
    if view.terminated:
        lines.append(f"  terminated: {', '.join(view.terminated)}")
    for incident in view.incidents.values():
        where = f"{incident.element_id} ({incident.error_type})"
        lines.append(f"  incident {incident.key} at {where}: {incident.error_message}")
    lines.append("  variables:")
    lines.extend(
        f"    {name} = {json.dumps(value, ensure_ascii=False)}"
        for name, value in sorted(view.variables.items())
    )
    return "\n".join(lines)
