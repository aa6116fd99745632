"""Helpers the process scenarios share: Beijing wall-clock times and the engine's clock, a process
started at a given time, what the ledger recorded and posted, instants from due dates, a channel's
section of the bulletin, a 12345 ticket received and dispatched, and the steps of a sequential
multi-instance user task (领导批示, 审核签发) completed one after another."""

from __future__ import annotations

import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from process_support import REPOSITORY
from pyzeebe import ZeebeClient

from engine.runtime.entities import UserTask
from engine.testing.handle import EngineHandle
from workers.ids import HotlineTicket, ProcessId, ReviewChain, UnitHandling
from workers.ledger.masking import Viewer
from workers.ledger.service import CaseView, Ledger
from workers.report_policy import load_report_policy
from workers.reports.bulletin import ChannelSection, compile_bulletin
from workers.reports.periods import parse_period
from workers.reports.service import open_reader

SHANGHAI = ZoneInfo("Asia/Shanghai")
SUPERVISION = Viewer(role="supervision")
CENTRE = Viewer(role="hotline-centre")
LEADERS = Viewer(role="leaders")


def local(text: str) -> datetime:
    """A wall-clock time in Asia/Shanghai, e.g. "2026-09-25 10:00"."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def instant(text: str | None) -> datetime:
    """A date-time as an instant: the embedded engine writes due dates with the offset they were
    given, Camunda's /v2 in UTC."""
    assert text is not None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def move_to(engine: EngineHandle, moment: datetime) -> None:
    """Set the engine's clock, which is the workers' clock, to `moment`."""
    engine.set_time(int(moment.timestamp() * 1000))


async def after(engine: EngineHandle, moment: datetime) -> None:
    """Move the clock to `moment` and wait until the engine has done what fell due by then."""
    move_to(engine, moment)
    await engine.wait_until_idle()


async def start(
    engine: EngineHandle,
    client: ZeebeClient,
    process_id: str,
    at: datetime,
    variables: dict[str, Any],
    waiting_at: str | None = None,
) -> int:
    """Start `process_id` received at `at` (the clock put there first); its key, once at `waiting_at`."""
    move_to(engine, at)
    started = await client.run_process(process_id, {"receivedAt": at.isoformat(), **variables})
    key = started.process_instance_key
    if waiting_at is not None:
        await engine.is_waiting_at(key, waiting_at)
    return key


def unit(name: str) -> Viewer:
    """A handling unit (承办单位) reading the ledger."""
    return Viewer(role="handling-unit", unit=name)


def case_of(ledger: Ledger, engine: EngineHandle, key: int, viewer: Viewer = SUPERVISION) -> CaseView:
    """The ledger's case of process instance `key`, as `viewer` sees it."""
    return ledger.view_case(engine.instance(key).variables["caseNumber"], viewer)


def history(case: CaseView, kind: str) -> list[dict[str, Any]]:
    """The fields of the case's history entries of `kind`, oldest first, each with its `recorded_at`."""
    return [
        {**entry.fields, "recorded_at": entry.recorded_at} for entry in case.history if entry.kind == kind
    ]


def activities(case: CaseView, name: str) -> list[dict[str, Any]]:
    """The fields of the case's recorded activities called `name`, oldest first."""
    return [entry for entry in history(case, "activity") if entry["activity"] == name]


def statuses(case: CaseView) -> list[str]:
    """The statuses the case went through, in order."""
    return [entry["to_status"] for entry in history(case, "transition")]


def subjects(ledger: Ledger, viewer: Viewer) -> list[str]:
    """The subjects of `viewer`'s inbox, newest first."""
    return [message.subject for message in ledger.inbox(viewer)]


def notices(ledger: Ledger, unit_name: str, subject_prefix: str, case_number: str | None = None) -> list[str]:
    """The bodies of the notices whose subject starts with `subject_prefix` (【派单】, 【督办】...) in
    `unit_name`'s inbox, of `case_number` only when it is given."""
    return [
        message.body
        for message in ledger.inbox(unit(unit_name))
        if message.subject.startswith(subject_prefix) and case_number in (None, message.case_number)
    ]


def dispatch_notices(ledger: Ledger, unit_name: str, case_number: str | None = None) -> list[str]:
    """The bodies of the dispatch notices (【派单】) in `unit_name`'s inbox."""
    return notices(ledger, unit_name, "【派单】", case_number)


def channel_section(tmp_path: Path, channel: str, period: tuple[str, str], at: datetime) -> ChannelSection:
    """`channel`'s section of the bulletin of `period` compiled at `at` from the `workers` ledger."""
    reader = open_reader(f"sqlite:///{tmp_path / 'ledger.db'}")
    try:
        bulletin = compile_bulletin(
            reader, load_report_policy(REPOSITORY / "config"), parse_period(*period), at, frozenset({channel})
        )
    finally:
        reader.dispose()
    [section] = bulletin.channels
    return section


def section_rows(section: ChannelSection) -> dict[str, dict[str, Any]]:
    """A channel section's figures by indicator, by row: each unit or person, and the total (合计)."""
    return {row.name: dict(row.values) for row in (*section.rows, section.total)}


def configured_chain(name: str) -> list[dict[str, str]]:
    """The reviewers of review chain `name` in the shipped config/review_chains.toml."""
    with (REPOSITORY / "config" / "review_chains.toml").open("rb") as file:
        return list(tomllib.load(file)["chains"][name]["reviewers"])


async def receive_ticket(
    engine: EngineHandle, client: ZeebeClient, appeal: dict[str, Any], at: str = "2026-09-25 10:00"
) -> int:
    """A 12345 appeal reaches the front desk (前台受理) at `at`, Friday 25 September 2026 by default;
    its process instance key."""
    move_to(engine, local(at))
    started = await client.run_process(ProcessId.HOTLINE_TICKET, appeal)
    await engine.is_waiting_at(started.process_instance_key, HotlineTicket.INTAKE)
    return started.process_instance_key


async def dispatch_ticket(engine: EngineHandle, key: int, **changes: Any) -> dict[str, Any]:
    """The front desk cannot answer at once and dispatches the ticket as classified (or with
    `changes`); the ticket's variables once the unit has it to sign for."""
    variables = engine.instance(key).variables
    form = {
        "intakeAction": "dispatch",
        "category": variables["category"],
        "leadUnit": variables["leadUnit"],
        "coUnits": variables["coUnits"],
        **changes,
    }
    await engine.complete_user_task(key, HotlineTicket.INTAKE, form)
    await engine.user_task_at(key, UnitHandling.SIGN_FOR)
    return engine.instance(key).variables


class Steps:
    """Completes the steps of a sequential multi-instance user task one after another: each call
    waits (polling, with a limit) for a step not completed before."""

    def __init__(self, engine: EngineHandle, key: int, element_id: str = ReviewChain.REVIEW_STEPS) -> None:
        self.engine, self.key, self.element_id = engine, key, element_id
        self.done: set[int] = set()

    async def complete(self, **variables: Any) -> tuple[str, ...]:
        """Complete the next step with `variables`; its candidate groups."""

        async def next_step() -> UserTask | None:
            task = await self.engine.user_task_at(self.key, self.element_id)
            return task if task.key not in self.done else None

        never = f"the next step of {self.element_id} was never created"
        task = await self.engine.poll(next_step, lambda: never)
        self.done.add(task.key)
        await self.engine.driver.complete_user_task(task.key, variables)
        return task.candidate_groups
