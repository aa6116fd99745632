"""The console's shared state, reached by every request handler through `request.app.state.console`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi.templating import Jinja2Templates

from console.engine_client import EngineClient
from console.open311 import Catalogue
from console.policy import ConsolePolicy
from console.security import Sessions
from console.store import ConsoleStore
from workers.knowledge.text import KnowledgeSegmenter
from workers.ledger.queries import CaseSearch
from workers.ledger.service import Ledger
from workers.services.calendar import WorkingCalendar
from workers.settings import Settings


@dataclass
class Console:
    settings: Settings
    policy: ConsolePolicy
    store: ConsoleStore
    ledger: Ledger
    engine: EngineClient
    sessions: Sessions
    templates: Jinja2Templates
    clock: Callable[[], datetime]
    # The jurisdiction's time zone and working days (config/deadlines.toml, calendar.toml): dates
    # are shown in local time and deadlines counted down in working days, as the workers count them.
    timezone: ZoneInfo
    calendar: WorkingCalendar
    # The ledger's searches, on the ledger's connections.
    cases: CaseSearch
    # The Open311 services (config/open311.toml with the hotline's categories).
    open311: Catalogue

    def knowledge_segmenter(self) -> KnowledgeSegmenter:
        """The knowledge base's word cutter. The first one loads jieba's dictionary (about a
        second, once per process), which a console that never searches the knowledge base should
        not pay at start-up. Blocking: call it off the event loop."""
        return KnowledgeSegmenter()
