"""Leader receptions: `config/receptions.toml` as shipped holds the frequencies of seed 003 §十.2(4),
mistakes in it are named at start-up, the two steps of `workers/receptions.py` (the earlier visit's
leader, the month's schedule and duties) at the service and the handler level, and the 60-day
handling limit of config/deadlines.toml ends where the petition regulations say."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from ledger_support import open_test_ledger
from pyzeebe import ZeebeTaskRouter

from workers import receptions
from workers.deadlines import load_deadlines
from workers.ids import JobType
from workers.ledger.events import Activity, CaseRegistration
from workers.ledger.service import Ledger
from workers.policy import PolicyError
from workers.reception_policy import RECEPTION_POLICY_FILE, load_reception_policy
from workers.receptions import ReceptionError, Receptions, load_receptions, plan_month
from workers.services.deadlines import iso
from workers.settings import Settings

CONFIG = Path(__file__).resolve().parents[3] / "config"
COUNTY = CONFIG / "jurisdictions" / "county-example"


@pytest.fixture(scope="module")
def shipped() -> Receptions:
    return load_receptions(CONFIG)


def test_the_shipped_frequencies_are_the_circulars(shipped: Receptions) -> None:
    # [seed 003 §十.2(4)] quarterly, every two months, monthly; 4 visits a year.
    ranks = shipped.policy.ranks
    assert {rank: policy.reception_every_months for rank, policy in ranks.items()} == {
        "principal": 3,
        "deputy": 2,
        "department-head": 1,
    }
    assert shipped.policy.visits.per_year == 4
    assert load_reception_policy(COUNTY) == shipped.policy, "the county example ships the same policy"


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / RECEPTION_POLICY_FILE).write_text(text)
    return tmp_path


VALID = """
[ranks.principal]
label = "政府主要领导"
reception_every_months = 3
[visits]
per_year = 4
[leaders."王市长"]
rank = "principal"
"""


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            ("reception_every_months = 3", "reception_every_months = 5"),
            "ranks.principal.reception_every_months",
        ),
        (("per_year = 4", "per_year = 5"), "visits.per_year: must divide 12"),
        (('rank = "principal"', 'rank = "deputy"'), "no frequency for the rank of a leader: deputy"),
        (('rank = "principal"', 'rank = "mayor"'), "leaders.王市长.rank"),
    ],
)
def test_mistakes_in_the_file_are_named_at_start_up(
    tmp_path: Path, change: tuple[str, str], problem: str
) -> None:
    directory = write(tmp_path, VALID.replace(*change))
    with pytest.raises(PolicyError) as raised:
        load_reception_policy(directory)
    message = str(raised.value)
    assert RECEPTION_POLICY_FILE in message and problem in message, message


def duties(shipped: Receptions, month: str) -> dict[str, tuple[int, int]]:
    plan = plan_month(shipped, month, [])
    return {duty["leader"]: (duty["receptionDaysDue"], duty["visitsDue"]) for duty in plan["duties"]}


@pytest.mark.parametrize(
    ("month", "expected"),
    [
        # A quarter and a two-month period start in January, July; visits are due each quarter.
        ("2027-01", {"王市长": (1, 1), "李副市长": (1, 1), "赵副市长": (1, 1), "张局长": (1, 1)}),
        ("2027-02", {"王市长": (0, 0), "李副市长": (0, 0), "赵副市长": (0, 0), "张局长": (1, 0)}),
        ("2027-03", {"王市长": (0, 0), "李副市长": (1, 0), "赵副市长": (1, 0), "张局长": (1, 0)}),
        ("2027-04", {"王市长": (1, 1), "李副市长": (0, 1), "赵副市长": (0, 1), "张局长": (1, 1)}),
    ],
)
def test_each_month_owes_what_its_periods_require(
    shipped: Receptions, month: str, expected: dict[str, tuple[int, int]]
) -> None:
    assert duties(shipped, month) == expected


def test_a_year_of_duties_adds_up_to_the_circulars_frequencies(shipped: Receptions) -> None:
    # [seed 003 §十.2(4)] a year: 4 days, 6 days, 12 days; at least 4 visits each.
    months = [duties(shipped, f"2027-{month:02}") for month in range(1, 13)]
    totals = {
        leader: tuple(sum(month[leader][i] for month in months) for i in (0, 1)) for leader in months[0]
    }
    assert totals == {"王市长": (4, 4), "李副市长": (6, 4), "赵副市长": (6, 4), "张局长": (12, 4)}


def test_the_schedule_gets_each_leaders_rank_and_unit(shipped: Receptions) -> None:
    plan = plan_month(
        shipped, "2026-12", [{"leader": "张局长", "date": "2026-12-04", "kind": "case-carrying"}]
    )
    assert plan["scheduledDays"] == [
        {
            "leader": "张局长",
            "rank": "department-head",
            "unit": "民政局",
            "kind": "case-carrying",
            "date": "2026-12-04",
            "occurredAt": "2026-12-04T00:00:00+08:00",
        }
    ]


@pytest.mark.parametrize(
    ("month", "schedule", "problem"),
    [
        ("2026-12", [{"leader": "刘书记", "date": "2026-12-04"}], "schedule[0]: '刘书记' is not a leader"),
        (
            "2026-12",
            [{"leader": "张局长", "date": "2027-01-04"}],
            "schedule[0]: 2027-01-04 is not in 2026-12",
        ),
        ("2026-12", [{"leader": "张局长", "date": "2026-12-04", "kind": "visit"}], "schedule[0]: kind"),
        ("2026-12", [{"leader": "张局长"}], "schedule[0]: date"),
        ("December", [], "scheduleMonth must be a month written YYYY-MM"),
    ],
)
def test_a_schedule_it_cannot_use_is_refused_naming_the_entry(
    shipped: Receptions, month: str, schedule: list[dict[str, Any]], problem: str
) -> None:
    with pytest.raises(ReceptionError, match=problem.replace("[", r"\[").replace("]", r"\]")):
        plan_month(shipped, month, schedule)


@pytest.mark.parametrize(
    ("assigned", "due", "reminder"),
    [
        # Day 60 is Friday 31 July: its end; reminded that morning at the opening of office hours.
        ("2026-06-01T10:00:00+08:00", "2026-08-01T00:00:00+08:00", "2026-07-31T08:30:00+08:00"),
        # Day 60 is Saturday 14 November: the end of Monday 16 November.
        ("2026-09-15T10:00:00+08:00", "2026-11-17T00:00:00+08:00", "2026-11-16T08:30:00+08:00"),
        # Day 60 is 2 October, in the National Day holiday: the end of Thursday 8 October.
        ("2026-08-03T10:00:00+08:00", "2026-10-09T00:00:00+08:00", "2026-10-08T08:30:00+08:00"),
        # Counted in Beijing time: 23:30 UTC on 31 May is 1 June in Beijing.
        ("2026-05-31T23:30:00+00:00", "2026-08-01T00:00:00+08:00", "2026-07-31T08:30:00+08:00"),
    ],
)
@pytest.mark.parametrize("config", [CONFIG, COUNTY], ids=["default", "county"])
def test_the_handling_limit_is_sixty_days_ending_on_a_working_day(
    config: Path, assigned: str, due: str, reminder: str
) -> None:
    # [seed 003 §十.2(5)二] 按照《信访条例》规定: its 第三十三条's 60 days, in every jurisdiction.
    deadline = load_deadlines(config).compute(
        "leader-reception", "交办办理", datetime.fromisoformat(assigned)
    )
    assert (iso(deadline.due_at), iso(deadline.remind_at)) == (due, reminder), (
        f"assigned {assigned}: due {iso(deadline.due_at)}, reminded {iso(deadline.remind_at)}"
    )


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    return open_test_ledger(f"sqlite:///{tmp_path / 'ledger.db'}")


def router(ledger: Ledger) -> ZeebeTaskRouter:
    return receptions.create_router(Settings(config_dir=CONFIG), ledger, Settings().task_options())


async def call(router: ZeebeTaskRouter, job_type: str, **variables: Any) -> dict[str, Any]:
    task = router.get_task(job_type)
    fetched = {
        name: value for name, value in variables.items() if name in (task.config.variables_to_fetch or ())
    }
    result: dict[str, Any] = await task.original_function(**fetched)
    return result


def reception(ledger: Ledger, leader: str, rank: str, job: int = 1, channel: str = "leader-reception") -> str:
    number = ledger.register(job, CaseRegistration(channel=channel, received_at=datetime.now(UTC)))
    if channel == "leader-reception":
        activity = Activity(
            kind="activity",
            case_number=number,
            activity="visit-received",
            label="领导接访",
            actor=leader,
            activity_data={"rank": rank, "kind": "open"},
        )
        ledger.record(job + 100, activity)
    return number


async def test_a_repeat_visit_finds_the_earlier_visits_leader(ledger: Ledger) -> None:
    earlier = reception(ledger, "李副市长", "deputy")
    result = await call(router(ledger), JobType.RECEPTION_ORIGINAL_LEADER, repeatOf=earlier, title="x")
    assert result == {"receivingLeader": "李副市长", "leaderRank": "deputy"}


async def test_a_repeat_of_an_unknown_case_or_of_another_channel_fails_naming_it(ledger: Ledger) -> None:
    with pytest.raises(ReceptionError, match="no case 'JF2026-999999'"):
        await call(router(ledger), JobType.RECEPTION_ORIGINAL_LEADER, repeatOf="JF2026-999999")
    hotline = reception(ledger, "", "", job=2, channel="hotline-ticket")
    with pytest.raises(ReceptionError, match=f"case {hotline} has no leader's reception on record"):
        await call(router(ledger), JobType.RECEPTION_ORIGINAL_LEADER, repeatOf=hotline)


async def test_the_plan_task_fetches_the_month_and_the_schedule_only(ledger: Ledger) -> None:
    task = router(ledger).get_task(JobType.RECEPTION_PLAN_MONTH)
    assert sorted(task.config.variables_to_fetch or ()) == ["schedule", "scheduleMonth"]
    result = await call(router(ledger), JobType.RECEPTION_PLAN_MONTH, scheduleMonth="2026-10", schedule=[])
    assert result["scheduledDays"] == [] and len(result["duties"]) == 4
