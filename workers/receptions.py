"""Leader receptions (来访接待和下访) [seed 003 §十]: two steps of `bpmn/leader-reception.bpmn`.

- `minsheng.reception.original-leader`: a visitor who comes again is received by the leader of the
  earlier visit, whoever the intake names [seed 003 §十.2(5)三]; the leader is the `actor` of the
  earlier case's `visit-received` activity in the ledger. Variables `repeatOf` (the earlier case
  number) → `receivingLeader`, `leaderRank`.
- `minsheng.reception.plan-month`: the month's reception schedule, checked against
  config/receptions.toml before the petition office publishes it. Variables `scheduleMonth`
  ("2027-01") and `schedule` ([{leader, date, kind}]) → `scheduledDays` (each entry with the
  leader's rank and unit and `occurredAt`) and `duties` (every leader of the policy, with the
  reception days and visits due in the month, which the reports set against the schedule).

The responsible unit's 60-day limit is an ordinary `minsheng.compute-deadline` limit
([limits.leader-reception] in config/deadlines.toml).

A schedule or an earlier case the step cannot use fails the job with a message naming the problem,
which becomes the incident's message once the retries run out.
"""

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pyzeebe import ZeebeTaskRouter

from workers.deadline_policy import load_deadline_policy
from workers.ids import JobType
from workers.ledger.masking import Viewer
from workers.ledger.service import CaseView, Ledger, UnknownCase
from workers.reception_policy import ReceptionPolicy, load_reception_policy
from workers.services.deadlines import iso
from workers.settings import Settings, TaskOptions
from workers.tasks import job_handler

# The activity a reception records, whose actor is the receiving leader (the register per leader).
VISIT_ACTIVITY = "visit-received"
# The petition office keeps the registers, so it reads the earlier case.
PETITION_OFFICE = Viewer(role="petition-office")


class ReceptionError(ValueError):
    """A schedule or an earlier case that the step cannot use; the message becomes the job's error."""


@dataclass(frozen=True)
class Receptions:
    policy: ReceptionPolicy
    # The reception days are dates there; the ledger gets them as instants at their midnight.
    timezone: ZoneInfo


def load_receptions(config_dir: Path) -> Receptions:
    """The reception policy, with the time zone of the jurisdiction's deadlines."""
    return Receptions(load_reception_policy(config_dir), load_deadline_policy(config_dir).timezone)


def original_leader(case: CaseView) -> dict[str, Any]:
    """The leader who received the visit of `case` (the first reception recorded), and their rank."""
    for entry in case.history:
        if entry.kind == "activity" and entry.fields["activity"] == VISIT_ACTIVITY and entry.fields["actor"]:
            return {"receivingLeader": entry.fields["actor"], "leaderRank": entry.fields["data"].get("rank")}
    raise ReceptionError(
        f"case {case.case_number} has no leader's reception on record ({case.channel}): "
        "repeatOf must name an earlier leader-reception case"
    )


class _ScheduleEntry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    leader: str = Field(min_length=1)
    date: date
    kind: Literal["open", "case-carrying", "appointment"] = "open"


def plan_month(receptions: Receptions, month: str, schedule: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The month's published reception days with their leaders' ranks, and what every leader of the
    policy owes in the month: a reception day when one of their periods starts in it, a visit when
    one of the yearly visits' periods does (periods start in January)."""
    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError:
        raise ReceptionError(f"scheduleMonth must be a month written YYYY-MM, got {month!r}") from None
    policy = receptions.policy
    days = []
    for index, raw in enumerate(schedule):
        try:
            entry = _ScheduleEntry.model_validate(raw)
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(str(part) for part in detail['loc'])}: {detail['msg']}"
                for detail in error.errors(include_input=False, include_url=False)
            )
            raise ReceptionError(f"schedule[{index}]: {problems}") from None
        leader = policy.leaders.get(entry.leader)
        if leader is None:
            raise ReceptionError(
                f"schedule[{index}]: {entry.leader!r} is not a leader of receptions.toml "
                f"({', '.join(policy.leaders)})"
            )
        if (entry.date.year, entry.date.month) != (first.year, first.month):
            raise ReceptionError(f"schedule[{index}]: {entry.date} is not in {month}")
        days.append(
            {
                "leader": entry.leader,
                "rank": leader.rank,
                "unit": leader.unit,
                "kind": entry.kind,
                "date": entry.date.isoformat(),
                "occurredAt": iso(_midnight(entry.date, receptions.timezone)),
            }
        )
    index = first.month - 1
    duties = [
        {
            "leader": name,
            "rank": leader.rank,
            "unit": leader.unit,
            "receptionDaysDue": int(index % policy.ranks[leader.rank].reception_every_months == 0),
            "visitsDue": int(index % policy.visit_every_months == 0),
            "occurredAt": iso(_midnight(first, receptions.timezone)),
        }
        for name, leader in policy.leaders.items()
    ]
    return {"scheduledDays": days, "duties": duties}


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone)


def create_router(settings: Settings, ledger: Ledger, options: TaskOptions) -> ZeebeTaskRouter:
    """Loads config/receptions.toml from MINSHENG_CONFIG_DIR here, at start-up, so that a mistake in
    it stops the workers."""
    receptions = load_receptions(settings.config_dir)
    router = ZeebeTaskRouter()

    @job_handler(router, JobType.RECEPTION_ORIGINAL_LEADER, options)
    async def find_original_leader(repeatOf: str) -> dict[str, Any]:
        try:
            # In a thread, as the ledger's writes are: a database call must not stall the event loop.
            case = await asyncio.to_thread(ledger.view_case, repeatOf, PETITION_OFFICE)
        except UnknownCase:
            raise ReceptionError(f"repeatOf: no case {repeatOf!r} in the ledger") from None
        return original_leader(case)

    @job_handler(router, JobType.RECEPTION_PLAN_MONTH, options)
    async def plan(scheduleMonth: str, schedule: list[dict[str, Any]]) -> dict[str, Any]:
        return plan_month(receptions, scheduleMonth, schedule)

    return router
