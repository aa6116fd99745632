"""periodic-report (通报与民情快报) [seed 001 ㈨, 002 五, 003 §三.2, §五.3, §六, §九.3]: each rule of
domain.md's periodic-report section as a scenario on the real diagram and workers.

Timer start events are scheduled when the diagram is deployed, so this module deploys with the
engine's clock pinned at a known moment (it overrides the `deployed` fixture) and moves it from
there. The cron expressions are evaluated in UTC, as Zeebe does: 08:00 in Beijing is 00:00 UTC.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pyzeebe import ZeebeClient
from scenario import (
    LEADERS,
    REPOSITORY,
    SUPERVISION,
    after,
    dispatch_notices,
    history,
    local,
    move_to,
    subjects,
    unit,
)

from engine.testing.handle import EngineHandle
from workers.ids import PeriodicReport, ProcessId
from workers.ledger import events
from workers.ledger.service import Ledger
from workers.report_policy import load_report_policy

# The communication channels of seed 003 §一, 四, 七, 八, 十, 十一, whose monthly bulletin counts no appeal.
COMMUNICATION_CHANNELS = [
    ProcessId.MEETING_ATTENDANCE,
    ProcessId.WEIBO_RELEASE,
    ProcessId.ONLINE_INTERVIEW,
    ProcessId.ONLINE_SURVEY,
    ProcessId.LEADER_RECEPTION,
    ProcessId.RADIO_HOTLINE,
]
# Receipts of the ledger's writes are per job key: seeded writes take keys no engine job has.
_SEED_KEYS = itertools.count(9_000_000_000)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def deploy_at(engine: EngineHandle, client: ZeebeClient, moment: datetime) -> None:
    move_to(engine, moment)
    resources = sorted((REPOSITORY / "bpmn").glob("*.bpmn")) + sorted((REPOSITORY / "forms").glob("*.form"))
    await client.deploy_resource(*resources)
    await engine.wait_until_idle()


@pytest.fixture
def deployed_at() -> datetime:
    """When the diagrams are deployed, and the timer start events scheduled: Tuesday 15 December
    2026, 18:00 in Beijing."""
    return utc("2026-12-15T10:00:00")


@pytest.fixture
async def deployed(engine: EngineHandle, client: ZeebeClient, deployed_at: datetime) -> None:
    await deploy_at(engine, client, deployed_at)


async def instances(engine: EngineHandle) -> list[dict[str, Any]]:
    """The periodic-report instances the engine started, oldest first."""
    assert engine.rest_url is not None
    async with httpx.AsyncClient(base_url=engine.rest_url) as rest:
        response = await rest.post(
            "/v2/process-instances/search",
            json={"filter": {"processDefinitionId": ProcessId.PERIODIC_REPORT}, "page": {"limit": 100}},
        )
    response.raise_for_status()
    return sorted(response.json()["items"], key=lambda item: int(item["processInstanceKey"]))


async def started_by_timer(engine: EngineHandle, moment: datetime) -> list[dict[str, Any]]:
    """Move the clock to `moment` and return the bulletins (completed) its timers started, by period
    and title (the 12345 hotline's monthly bulletin before the communication channels')."""
    before = {item["processInstanceKey"] for item in await instances(engine)}
    await after(engine, moment)
    new = [item for item in await instances(engine) if item["processInstanceKey"] not in before]
    views = [await engine.is_completed(int(item["processInstanceKey"]), timeout=30) for item in new]
    return sorted((view.variables for view in views), key=lambda v: (v["reportPeriod"], v["bulletinTitle"]))


@pytest.mark.usefixtures("workers")
async def test_each_bulletin_starts_on_its_timer_at_eight_in_the_morning_beijing_time(
    engine: EngineHandle,
) -> None:
    # Weekly (forum statistics every 7 days): Monday 21 December, 08:00 Beijing = 00:00 UTC.
    assert await started_by_timer(engine, utc("2026-12-20T23:59:59")) == []
    (weekly,) = await started_by_timer(engine, utc("2026-12-21T00:00:01"))
    assert weekly["reportPeriod"] == "weekly" and weekly["reportChannels"] == ["forum-post"]
    assert (
        weekly["bulletinPeriod"]["first"] == "2026-12-14" and weekly["bulletinPeriod"]["last"] == "2026-12-20"
    )
    (again,) = await started_by_timer(engine, utc("2026-12-28T00:00:01"))
    assert again["bulletinPeriod"]["label"] == "2026-W52"
    assert await started_by_timer(engine, utc("2026-12-31T23:59:59")) == []
    # 1 January 2027, 08:00 Beijing: the monthly (12345 and the communication channels), quarterly
    # (mailboxes) and yearly bulletins.
    monthly, channels, quarterly, yearly = await started_by_timer(engine, utc("2027-01-01T00:00:01"))
    assert (monthly["reportPeriod"], monthly["reportChannels"], monthly["bulletinPeriod"]["label"]) == (
        "monthly",
        ["hotline-ticket"],
        "2026-12",
    )
    assert (channels["reportPeriod"], channels["bulletinTitle"], channels["bulletinPeriod"]["label"]) == (
        "monthly",
        "政情民情沟通渠道工作月度通报",
        "2026-12",
    )
    assert channels["reportChannels"] == COMMUNICATION_CHANNELS
    assert (quarterly["reportPeriod"], quarterly["reportChannels"], quarterly["bulletinPeriod"]["label"]) == (
        "quarterly",
        ["online-message"],
        "2026-Q4",
    )
    assert (yearly["reportPeriod"], yearly["reportChannels"], yearly["bulletinPeriod"]["label"]) == (
        "yearly",
        None,
        "2026",
    )


# One case per unit, each with its on-time completion, satisfaction and result grade: the score
# weights on-time 40, reply rate 20, satisfaction 25, resolution 15 (config/reports.toml).
SEEDED = {
    "住房城乡建设委": (True, "满意", "A"),  # 100
    "综合执法局": (True, "满意", "C"),  # 85
    "环保局": (True, "不满意", "A"),  # 75
    "民政局": (False, "满意", "A"),  # 60
    "人力资源社会保障局": (False, "不满意", "A"),  # 35
    "12345热线服务中心": (False, "不满意", "C"),  # 20
}


def seed_case(ledger: Ledger, lead_unit: str, received_at: datetime, title: str = "诉求") -> str:
    registration = events.CaseRegistration(channel="hotline-ticket", received_at=received_at, title=title)
    number = ledger.register(next(_SEED_KEYS), registration)
    ledger.record(
        next(_SEED_KEYS),
        events.Details(
            kind="details", case_number=number, category="投诉", accepted=True, lead_unit=lead_unit
        ),
    )
    return number


def seed_handled_case(ledger: Ledger, lead_unit: str, now: datetime) -> str:
    on_time, satisfaction, grade = SEEDED[lead_unit]
    number = seed_case(ledger, lead_unit, now - timedelta(days=2))
    due = now + timedelta(days=1) if on_time else now - timedelta(days=1)
    record = ledger.record
    record(next(_SEED_KEYS), events.Deadline(kind="deadline", case_number=number, due_at=due))
    record(next(_SEED_KEYS), events.Reply(kind="reply", case_number=number, text="已办理", grade=grade))
    record(next(_SEED_KEYS), events.Transition(kind="transition", case_number=number, status="completed"))
    record(
        next(_SEED_KEYS), events.Satisfaction(kind="satisfaction", case_number=number, result=satisfaction)
    )
    return number


@pytest.mark.parametrize("deployed_at", [utc("2026-11-20T02:00:00")])
async def test_the_monthly_bulletin_ranks_units_from_the_ledger_and_is_sent_to_every_unit_and_the_leaders(
    engine: EngineHandle, workers: Ledger
) -> None:
    now = utc("2026-11-20T02:00:00")
    for name in SEEDED:
        seed_handled_case(workers, name, now)
    # Weekly bulletins start on the way (Mondays); the monthly one on 1 December.
    started = await started_by_timer(engine, utc("2026-12-01T00:00:01"))
    (monthly,) = [variables for variables in started if variables["reportChannels"] == ["hotline-ticket"]]
    assert monthly["bulletinPeriod"]["label"] == "2026-11"
    assert monthly["bulletinReceived"] == len(SEEDED)
    ranking = monthly["ranking"]
    assert [(p["unit"], p["place"]) for p in ranking["top"]] == [
        ("住房城乡建设委", 1),
        ("综合执法局", 2),
        ("环保局", 3),
    ]
    assert {p["unit"] for p in ranking["bottom"]} == {"民政局", "人力资源社会保障局", "12345热线服务中心"}
    title = "【通报】12345服务热线运行情况通报（月报）"
    for viewer in (unit("环保局"), unit("民政局"), LEADERS):
        assert subjects(workers, viewer).count(title) == 1, viewer
    (message,) = [m for m in workers.inbox(LEADERS) if m.subject == title]
    assert "2026-11" in message.body
    assert (
        "予以表扬：第1名 市住房和城乡建设委员会；第2名 市城市管理综合行政执法局；第3名 市环境保护局"
        in message.body
    )


def seed_activity(ledger: Ledger, channel: str, activity: str, unit: str, at: datetime) -> None:
    number = ledger.register(next(_SEED_KEYS), events.CaseRegistration(channel=channel, received_at=at))
    ledger.record(
        next(_SEED_KEYS),
        events.Activity(
            kind="activity", case_number=number, activity=activity, label=activity, unit=unit, occurred_at=at
        ),
    )


@pytest.mark.parametrize("deployed_at", [utc("2026-11-20T02:00:00")])
async def test_the_monthly_bulletin_of_the_communication_channels_shows_their_sections_and_no_appeals(
    engine: EngineHandle, workers: Ledger
) -> None:
    # Weibo's monthly assessment [seed 003 §四.5]: what the channel's section counts, as configured.
    weibo = load_report_policy(REPOSITORY / "config").channels["weibo-release"]
    key, indicator = next((k, i) for k, i in weibo.indicators.items() if i.activity and not i.where)
    assert indicator.activity is not None and indicator.sum is None and indicator.points is None
    now = utc("2026-11-20T02:00:00")
    seed_activity(workers, "weibo-release", indicator.activity, "市公安局", now - timedelta(days=5))
    seed_handled_case(workers, "环保局", now)
    started = await started_by_timer(engine, utc("2026-12-01T00:00:01"))
    (channels,) = [v for v in started if v["bulletinTitle"] == "政情民情沟通渠道工作月度通报"]
    assert channels["bulletinPeriod"]["label"] == "2026-11"
    assert (channels["bulletinReceived"], channels["ranking"]) == (None, None), (
        "the channels' bulletin counted the hotline's appeal or ranked its unit"
    )
    (section,) = [c for c in channels["bulletinChannels"] if c["channel"] == "weibo-release"]
    assert (section["label"], section["total"][key]) == (weibo.label, 1)
    assert channels["bulletinFiles"]["charts"] == []
    html = Path(channels["bulletinFiles"]["html"]).read_text(encoding="utf-8")
    assert f"<h3>{weibo.label}</h3>" in html and "本期共受理诉求" not in html
    assert "未配置统计口径" not in html, "a channel of the monthly bulletin has no [channels.*] section"
    title = "【通报】政情民情沟通渠道工作月度通报"
    assert subjects(workers, unit("环保局")).count(title) == 1
    (message,) = [m for m in workers.inbox(LEADERS) if m.subject == title]
    assert "2026-11" in message.body and "排名" not in message.body, "the notification prints a ranking"


def answer_tasks(tasks: list[Any]) -> dict[str, Any]:
    return {
        task.candidate_groups[0]: task for task in tasks if task.element_id == PeriodicReport.EXPRESS_ANSWER
    }


@pytest.mark.parametrize("deployed_at", [local("2026-11-23T09:00:00")])
async def test_express_items_are_dispatched_to_their_units_and_answered_within_five_working_days(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    now = local("2026-11-23T09:00:00")
    noise = seed_case(workers, "环保局", now - timedelta(days=3), "酒吧噪音扰民")
    wages = seed_case(workers, "人力资源社会保障局", now - timedelta(days=3), "工地拖欠农民工工资")
    started = await client.run_process(ProcessId.PERIODIC_REPORT, {})
    key = started.process_instance_key
    # The issue is compiled from the ledger (the previous week's hot topics), then supervision selects.
    task = await engine.user_task_at(key, PeriodicReport.SELECT_EXPRESS_ITEMS)
    assert task.candidate_groups == ("supervision",)
    view = engine.instance(key)
    assert view.variables["expressIssuePeriod"]["label"] == "2026-W47"
    items = [{"caseNumber": noise, "unit": "环保局"}, {"caseNumber": wages, "unit": "民政局"}]
    await engine.complete_user_task(
        key, PeriodicReport.SELECT_EXPRESS_ITEMS, {"expressIssue": "2026年第47期", "expressItems": items}
    )
    await engine.has_passed(key, PeriodicReport.NOTIFY_ITEM_DISPATCHED, times=2)
    tasks = answer_tasks(await engine.user_tasks(key))
    assert set(tasks) == {"环保局", "民政局"}
    # Counted from the day after dispatch: Tue 24 ... Mon 30 November is the 5th working day.
    due = local("2026-12-01T00:00:00")
    assert all(datetime.fromisoformat(str(t.due_date)) == due for t in tasks.values())
    moved = workers.view_case(wages, SUPERVISION)
    assert (moved.lead_unit, moved.status, moved.due_at) == ("民政局", "express-dispatched", due)
    for name in ("环保局", "民政局"):
        notices = dispatch_notices(workers, name)
        assert any("2026年11月30日 24:00" in notice for notice in notices), (
            f"{name} has no dispatch notice naming the express item's five working days: {notices}"
        )

    await engine.driver.complete_user_task(
        tasks["环保局"].key,
        {"answerText": "已责令整改，噪音达标。", "answerSigner": "王局长", "sourceInformed": True},
    )
    await engine.has_passed(key, PeriodicReport.RECORD_ITEM_ANSWERED)
    await after(engine, due - timedelta(seconds=1))
    assert PeriodicReport.ITEM_DUE_TIMER not in engine.instance(key).passed
    await after(engine, due + timedelta(seconds=1))
    await engine.has_passed(key, PeriodicReport.NOTIFY_ITEM_OVERDUE, times=1)
    assert any("超期" in s for s in subjects(workers, unit("民政局")))
    assert not any("超期" in s for s in subjects(workers, unit("环保局")))
    reminders = history(workers.view_case(wages, SUPERVISION), "reminder")
    assert [r["note"] for r in reminders] == ["民情快报督办事项超过5个工作日未反馈"]

    late = answer_tasks(await engine.user_tasks(key))["民政局"]
    await engine.driver.complete_user_task(late.key, {"answerText": "已协调支付。", "answerSigner": "李局长"})
    view = await engine.is_completed(key)
    results = {r["caseNumber"]: r for r in view.variables["expressResults"]}
    assert (results[noise]["answer"], results[noise]["overdue"], results[noise]["sourceInformed"]) == (
        "已责令整改，噪音达标。",
        False,
        True,
    )
    assert (results[wages]["unit"], results[wages]["overdue"]) == ("民政局", True)
    # The results are on record for the next issue, and published.
    for number, name in ((noise, "环保局"), (wages, "民政局")):
        case = workers.view_case(number, SUPERVISION)
        assert case.status == "express-answered"
        assert [r["unit"] for r in history(case, "reply")] == [name]
    assert "【通报】《民情快报》督办事项办理情况" in subjects(workers, LEADERS)
