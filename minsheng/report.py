"""`minsheng report`: compile a bulletin from the ledger and write its files, without a process,
as the `minsheng.compile-bulletin` worker would (the ledger in MINSHENG_LEDGER_DATABASE_URL, the
policy in MINSHENG_CONFIG_DIR)."""

import argparse
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from workers.ledger.migrations import migrate
from workers.report_policy import load_report_policy
from workers.reports.periods import PeriodKind
from workers.reports.service import bulletin_request, make_bulletin, open_reader
from workers.settings import load_settings

# The option that names a period of each kind, as people write it.
PERIOD_OPTIONS = {
    PeriodKind.WEEKLY: ("--week", "2026-W41"),
    PeriodKind.MONTHLY: ("--month", "2026-10"),
    PeriodKind.QUARTERLY: ("--quarter", "2026-Q4"),
    PeriodKind.YEARLY: ("--year", "2026"),
}


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "report",
        help="compile a bulletin (通报) for a period and write its charts, HTML and XLSX (no gateway needed)",
        description="Compile the bulletin of a period from the ledger (MINSHENG_LEDGER_DATABASE_URL) with "
        "the policy in MINSHENG_CONFIG_DIR (default: config). Without a period value, the previous full "
        "period.",
    )
    parser.add_argument("--period", required=True, choices=[str(kind) for kind in PeriodKind])
    for kind, (option, example) in PERIOD_OPTIONS.items():
        parser.add_argument(
            option, dest="of", metavar=example.replace("2026", "YYYY"), help=f"a {kind} period"
        )
    parser.add_argument("--from", dest="first", type=date.fromisoformat, metavar="YYYY-MM-DD")
    parser.add_argument("--to", dest="last", type=date.fromisoformat, metavar="YYYY-MM-DD")
    parser.add_argument(
        "--channel",
        action="append",
        dest="channels",
        metavar="PROCESS_ID",
        help="only this channel (repeatable)",
    )
    parser.add_argument(
        "--out", type=Path, help="the folder for the bulletins (default: MINSHENG_REPORT_DIR)"
    )
    parser.set_defaults(run=None)


def report(args: argparse.Namespace, now: datetime | None = None) -> list[str]:
    """The lines `minsheng report` prints: where the files are, and the ranking."""
    settings = load_settings()
    policy = load_report_policy(settings.config_dir)
    moment = now or datetime.now(UTC)
    request = bulletin_request(
        args.period,
        args.of,
        args.first,
        args.last,
        frozenset(args.channels) if args.channels else None,
        today=moment.astimezone(policy.timezone).date(),
    )
    # A ledger that no worker has opened yet gets its tables (and an empty bulletin).
    migrate(settings.ledger_database_url)
    engine = open_reader(settings.ledger_database_url)
    try:
        bulletin, published = make_bulletin(
            engine, policy, request, args.out or settings.report_dir, settings.report_font, moment
        )
    finally:
        engine.dispose()
    received = bulletin.total.counts["received"]
    counted = f"{received} cases" if bulletin.counts_appeals else f"{bulletin.title}, no cases"
    lines = [
        f"bulletin    {bulletin.period.title} ({counted})",
        *(f"section     {s.policy.label} ({_rows(len(s.rows))})" for s in bulletin.channels),
        *(f"no activity {channel.label}" for channel in bulletin.idle_channels),
        f"html        {published.html}",
        f"workbook    {published.workbook}",
        *(f"chart       {path}" for path in published.charts),
    ]
    for side, placings in (("top", bulletin.ranking.top), ("bottom", bulletin.ranking.bottom)):
        lines += [f"{side:<11} {p.place}. {p.unit} {p.score:.2f}" for p in placings]
    return lines


def _rows(count: int) -> str:
    return f"{count} row" if count == 1 else f"{count} rows"
