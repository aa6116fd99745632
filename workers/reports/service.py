"""Compile and publish a bulletin in one call, for the worker and the command line alike."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from workers.ledger.database import open_engine
from workers.report_policy import ReportPolicy
from workers.reports.bulletin import Bulletin, compile_bulletin
from workers.reports.periods import Period, PeriodError, custom_period, parse_period, previous_period
from workers.reports.publish import Published, publish
from workers.reports.ranking import Placing

_CACHE_KIB = 256 * 1024


@dataclass(frozen=True)
class BulletinRequest:
    period: Period
    # None: every channel.
    channels: frozenset[str] | None = None


def bulletin_request(
    kind: str,
    of: str | None = None,
    first: date | None = None,
    last: date | None = None,
    channels: frozenset[str] | None = None,
    today: date | None = None,
) -> BulletinRequest:
    """A period of `kind` written `of` (`2026-10`), days `first` to `last` for a custom one, or
    the previous full period before `today` when neither is given (a timer-started bulletin)."""
    if first is not None or last is not None:
        if first is None or last is None:
            raise PeriodError("a custom period needs both its first and its last day")
        return BulletinRequest(custom_period(first, last), channels)
    if of is not None:
        return BulletinRequest(parse_period(kind, of), channels)
    if today is None:
        raise PeriodError(f"which {kind} period? none was given")
    return BulletinRequest(previous_period(kind, today), channels)


def open_reader(url: str) -> Engine:
    """An engine that only reads the ledger. On SQLite the ledger's own engine opens every
    transaction with `BEGIN IMMEDIATE`, which would hold the write lock, and every worker, for
    the seconds a bulletin takes; a deferred BEGIN reads one WAL snapshot and locks nothing."""
    if make_url(url).get_backend_name() != "sqlite":
        return open_engine(url)
    engine = create_engine(url, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA query_only=ON")
        # Joins look up cases by key all over the file: SQLite's default 2 MB page cache would
        # read most pages several times over a million cases.
        dbapi_connection.execute(f"PRAGMA cache_size=-{_CACHE_KIB}")

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")

    return engine


def make_bulletin(
    engine: Engine, policy: ReportPolicy, request: BulletinRequest, out_dir: Path, font: Path, now: datetime
) -> tuple[Bulletin, Published]:
    bulletin = compile_bulletin(engine, policy, request.period, now, request.channels)
    return bulletin, publish(bulletin, out_dir, font, now)


def _placings(placings: tuple[Placing, ...]) -> list[dict[str, Any]]:
    return [{"unit": p.unit, "place": p.place, "score": p.score} for p in placings]


def outcome(bulletin: Bulletin, published: Published) -> dict[str, Any]:
    """What a process (and `minsheng report --json`) gets back: where the files are, the ranking,
    and each channel section's 合计 row."""
    files: Mapping[str, Any] = {
        "directory": str(published.directory),
        "html": str(published.html),
        "workbook": str(published.workbook),
        "charts": [str(path) for path in published.charts],
    }
    appeals = bulletin.counts_appeals
    ranking = {"top": _placings(bulletin.ranking.top), "bottom": _placings(bulletin.ranking.bottom)}
    return {
        "bulletinPeriod": {
            "kind": str(bulletin.period.kind),
            "label": bulletin.period.label,
            "first": bulletin.period.first.isoformat(),
            "last": bulletin.period.last.isoformat(),
        },
        "bulletinFiles": files,
        # A bulletin of communication channels only counts no appeals and ranks no unit: null, so
        # that the publication's message prints no empty ranking.
        "bulletinReceived": bulletin.total.counts["received"] if appeals else None,
        "bulletinChannels": [
            {"channel": section.channel, "label": section.policy.label, "total": dict(section.total.values)}
            for section in bulletin.channels
        ],
        "ranking": ranking if appeals else None,
    }
