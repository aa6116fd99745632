"""The communication circular's other channels in the console [seed 003]: each office registers its
own channel's items on the intake page (and no other office's), the channel's process starts and
numbers the case, its first task reaches the users of the role the diagram names (by candidate group
or, for a person, by the name the diagram assigns), the task list names the process in Chinese, and
the case's timeline shows the activities the process records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from console_support import ConsoleStack
from test_console_intake import instances_of

from console.demo import DEMO_PASSWORD
from console.intake import CHANNELS
from console.security import hash_password
from engine.testing.assertions import eventually
from workers.ids import LeaderReception, ProcessId
from workers.ledger.masking import Viewer

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Monday; every moment the items below name comes after it, and their deadlines fall in 2026, the
# last year config/calendar.toml covers (a reception's 60 days included).
NOW = datetime(2026, 10, 12, 9, 0, tzinfo=SHANGHAI)
SUPERVISION = Viewer(role="supervision")


@dataclass(frozen=True)
class Registration:
    channel: str
    # The demo user of the office that registers it, and the body the intake page sends.
    registrar: str
    body: dict[str, Any]
    prefix: str
    # The demo user whose task list the process's first task reaches, and one whose list it must not.
    worker: str
    not_worker: str
    # The case's title, where the process words it itself.
    case_title: str | None = None

    @property
    def title(self) -> str:
        return self.case_title or str(self.body["title"])


RECEPTION: dict[str, Any] = {
    "receivingLeader": "陈建国",
    "leaderRank": "deputy",
    "receptionKind": "open",
    "receptionDate": "2026-10-12T08:30",
    "appellant": {"name": "赵大爷", "phone": "13800003333", "address": "润州区某小区"},
    "title": "加装电梯补贴未到位",
    "content": "小区加装电梯的财政补贴申请半年未批复。",
    "inScope": True,
    "responsibleUnit": "住房城乡建设委",
}

REGISTRATIONS: dict[str, Registration] = {
    ProcessId.MEETING_ATTENDANCE: Registration(
        ProcessId.MEETING_ATTENDANCE,
        "huiwu",
        {
            "title": "老旧小区改造实施方案",
            "content": "研究2027年老旧小区改造计划，邀请市民代表列席。",
            "meetingAt": "2026-10-22T09:00",
            "topicUnit": "住房城乡建设委",
        },
        "LX",
        # The meeting office publishes the preview [seed 003 §一.2(1)].
        "huiwu",
        "operator",
    ),
    # Important information is signed by the government office's leader in charge [seed 003 §四.3(4)].
    f"{ProcessId.WEIBO_RELEASE}-important": Registration(
        ProcessId.WEIBO_RELEASE,
        "centre",
        {
            "unit": "市政府办公室",
            "title": "寒潮预警",
            "content": "受强冷空气影响，明起气温骤降。",
            "level": "important",
        },
        "WB",
        "leader",
        "huanbao",
    ),
    ProcessId.ONLINE_INTERVIEW: Registration(
        ProcessId.ONLINE_INTERVIEW,
        "zhengwu",
        {
            "unit": "环保局",
            "title": "大气污染防治",
            "content": "介绍今冬明春大气污染防治工作，回答网民提问。",
            "interviewAt": "2026-11-05T15:00",
            "venue": "portal",
            "guests": "周局长、吴处长、郑科长",
            "host": "网站主持人",
            "initialReviewer": "郑科长",
            "finalReviewer": "周局长",
            "leader": "周局长",
        },
        "FT",
        # The unit on line writes the plan, two weeks ahead [seed 003 §七.4(2)].
        "huanbao",
        "zhujian",
    ),
    ProcessId.ONLINE_SURVEY: Registration(
        ProcessId.ONLINE_SURVEY,
        "bianji",
        {
            "unit": "住房城乡建设委",
            "title": "物业服务满意度",
            "content": "了解居民对物业服务的评价，为修订物业管理办法提供参考。",
            "questionnaireUrl": "https://www.zhenjiang.gov.cn/dc/2026-10",
            "opensAt": "2026-10-15T09:00",
            "closesAt": "2026-11-15T18:00",
        },
        "DC",
        # The website's editors check and publish the link [seed 003 §八.2].
        "bianji",
        "zhujian",
    ),
    ProcessId.LEADER_RECEPTION: Registration(
        ProcessId.LEADER_RECEPTION,
        "xinfang",
        RECEPTION,
        "JF",
        # The petition office writes the minutes of each reception [seed 003 §十.2(5)二].
        "xinfang",
        "operator",
    ),
    ProcessId.RADIO_HOTLINE: Registration(
        ProcessId.RADIO_HOTLINE,
        "jiufeng",
        {
            "unit": "综合执法局",
            "broadcastAt": "2026-10-29T08:30",
            "quarter": "2026Q4",
            "title": "城市管理热点",
        },
        "ZF",
        # The department on air prepares [seed 003 §十一.3(1)].
        "zhifa",
        "zhujian",
        case_title="政风行风热线上线：综合执法局",
    ),
    ProcessId.WEIBO_RELEASE: Registration(
        ProcessId.WEIBO_RELEASE,
        "yingji",
        {
            "unit": "环保局",
            "title": "空气质量预报",
            "content": "明日全市空气质量良，适宜户外活动。",
            "submittedBy": "周涛",
            "level": "ordinary",
        },
        "WB",
        # Ordinary information is signed by the providing unit's leader in charge [seed 003 §四.3(4)].
        "huanbao",
        "zhujian",
    ),
}


async def task_of_case(user: httpx.AsyncClient, number: str) -> dict[str, Any] | None:
    listed = await user.get("/api/tasks")
    assert listed.status_code == 200, listed.text[:300]
    return next((task for task in listed.json()["items"] if task["caseNumber"] == number), None)


async def register(console: ConsoleStack, registration: Registration) -> str:
    """Register the item as its office does; the case number its process gave it."""
    channel = registration.channel
    office = await console.client(registration.registrar)
    page = await office.get("/intake")
    assert page.status_code == 200, page.text[:300]
    assert f'data-testid="intake-form-{channel}"' in page.text, (
        f"{registration.registrar}'s page has no {channel}"
    )
    answer = await office.post(f"/api/intake/{channel}", json=registration.body)
    await office.aclose()
    assert answer.status_code == 201, f"{channel}: {answer.status_code} {answer.text[:300]}"
    key = int(answer.json()["processInstanceKey"])

    async def numbered() -> str | None:
        number = console.engine.instance(key).variables.get("caseNumber")
        return str(number) if number else None

    number = answer.json()["caseNumber"] or await eventually(
        numbered, lambda: f"{channel} was never numbered"
    )
    assert number.startswith(registration.prefix), f"{channel} numbered {number}"
    case = console.ledger.view_case(number, SUPERVISION)
    assert case.channel == channel and case.title == registration.title, f"{channel}: {case}"
    assert case.process_instance_key == key, f"{channel}: case {number} belongs to another instance"
    return number


@pytest.mark.parametrize("item", sorted(REGISTRATIONS))
async def test_the_office_registers_its_channel_and_the_first_task_reaches_the_right_role(
    console: ConsoleStack, item: str
) -> None:
    console.engine.set_time(int(NOW.timestamp() * 1000))
    registration = REGISTRATIONS[item]
    channel = registration.channel
    number = await register(console, registration)

    worker = await console.client(registration.worker)

    async def listed() -> dict[str, Any] | None:
        return await task_of_case(worker, number)

    task = await eventually(
        listed, lambda: f"{registration.worker} never saw a task of {channel} case {number}"
    )
    assert task["title"] == registration.body["title"], task
    assert task["processName"] != channel and not task["processName"].isascii(), (
        f"the task list names the process {task['processName']!r}, not in Chinese"
    )
    opened = await worker.get(f"/api/tasks/{task['key']}")
    assert opened.status_code == 200, f"{registration.worker} cannot open the task: {opened.text[:300]}"
    await worker.aclose()

    stranger = await console.client(registration.not_worker)
    assert await task_of_case(stranger, number) is None, (
        f"{registration.not_worker} sees the task of {channel}"
    )
    assert (await stranger.get(f"/api/tasks/{task['key']}")).status_code == 404
    await stranger.aclose()


async def test_a_release_request_shows_its_recorded_activity_in_the_case_timeline(
    console: ConsoleStack,
) -> None:
    console.engine.set_time(int(NOW.timestamp() * 1000))
    number = await register(console, REGISTRATIONS[ProcessId.WEIBO_RELEASE])
    supervisor = await console.client("supervisor")

    async def recorded() -> list[dict[str, Any]]:
        history = (await supervisor.get(f"/api/cases/{number}")).json()["history"]
        return [entry for entry in history if entry["kind"] == "activity"]

    activities = await eventually(recorded, lambda: f"case {number} shows no activity")
    requested = activities[0]
    assert requested["label"] == "提交信息发布审核表", f"the activity is shown as {requested['label']!r}"
    assert requested["who"] == "环保局，周涛" and "level：ordinary" in requested["text"], requested
    page = await supervisor.get(f"/cases/{number}")
    assert 'data-kind="activity"' in page.text and "提交信息发布审核表" in page.text
    assert "微博发布" in page.text, "the case page names the channel in Chinese"
    await supervisor.aclose()


# -------------------------------------------------------------------------------- who registers what


async def test_an_operator_of_the_hotline_registers_no_leaders_reception(console: ConsoleStack) -> None:
    operator = await console.client("operator")
    page = await operator.get("/intake")
    assert 'data-testid="intake-form-hotline-ticket"' in page.text
    assert 'data-testid="intake-form-leader-reception"' not in page.text, "the operator is offered receptions"
    answer = await operator.post(
        f"/api/intake/{ProcessId.LEADER_RECEPTION}",
        json={"receivingLeader": "陈建国", "title": "征地补偿", "content": "补偿款未发放"},
    )
    assert answer.status_code == 403 and "领导接访" in answer.json()["detail"], answer.text[:300]
    await operator.aclose()
    assert await instances_of(console, ProcessId.LEADER_RECEPTION) == []


async def test_the_petition_office_sees_only_its_own_channel_and_no_import(console: ConsoleStack) -> None:
    petition = await console.client("xinfang")
    page = await petition.get("/intake")
    assert page.status_code == 200, page.text[:300]
    offered = [channel for channel in CHANNELS if f'data-testid="intake-form-{channel}"' in page.text]
    assert offered == [ProcessId.LEADER_RECEPTION], f"the petition office is offered {offered}"
    assert 'data-testid="intake-import-link"' not in page.text, "the petition office is offered an import"
    assert (await petition.get("/intake/import")).status_code == 403
    hotline = await petition.post(f"/api/intake/{ProcessId.HOTLINE_TICKET}", json={"title": "噪音"})
    assert hotline.status_code == 403, f"the petition office registered a hotline call: {hotline.status_code}"
    await petition.aclose()
    assert await instances_of(console, ProcessId.HOTLINE_TICKET) == []


# ------------------------------------------------------------------------- a task for a named person


async def complete(user: httpx.AsyncClient, number: str, element_id: str, variables: dict[str, Any]) -> None:
    async def listed() -> dict[str, Any] | None:
        task = await task_of_case(user, number)
        return task if task is not None and task["elementId"] == element_id else None

    task = await eventually(listed, lambda: f"{element_id} of {number} never reached the user's list")
    done = await user.post(f"/api/tasks/{task['key']}/complete", json={"variables": variables})
    assert done.status_code == 200, f"{element_id}: {done.status_code} {done.text[:300]}"


async def test_the_receiving_leader_signs_the_opinion_assigned_to_his_name(console: ConsoleStack) -> None:
    console.engine.set_time(int(NOW.timestamp() * 1000))
    number = await register(console, REGISTRATIONS[ProcessId.LEADER_RECEPTION])
    petition, housing = await console.client("xinfang"), await console.client("zhujian")
    minutes = {
        "minutes": "赵大爷反映加装电梯补贴未到位，交住房城乡建设委研究。",
        "responsibleUnit": "住房城乡建设委",
    }
    await complete(petition, number, LeaderReception.MINUTES, minutes)
    opinion = {"handlingOpinion": "补贴已核定，本月内拨付。", "handlingSigner": "刘主任"}
    await complete(housing, number, LeaderReception.HANDLING_OPINION, opinion)

    # The diagram assigns the signature to 陈建国 by name; 陈建国（分管副市长）'s account receives it.
    leader = await console.client("leader")

    async def signature() -> dict[str, Any] | None:
        task = await task_of_case(leader, number)
        return task if task is not None and task["elementId"] == LeaderReception.LEADER_SIGN else None

    task = await eventually(signature, lambda: f"陈建国 never saw the signature of {number} in his list")
    assert task["assignee"] == "陈建国" and task["mine"] and task["assignedByProcess"], task
    mayor = await console.client("mayor")
    assert await task_of_case(mayor, number) is None, "the mayor sees a signature assigned to 陈建国"
    assert (await mayor.get(f"/api/tasks/{task['key']}")).status_code == 404
    assert (await petition.get(f"/api/tasks/{task['key']}")).status_code == 404
    handed_back = await leader.post(f"/api/tasks/{task['key']}/unclaim")
    assert handed_back.status_code == 409, (
        f"a task assigned by name was handed back: {handed_back.text[:300]}"
    )
    signed = await leader.post(
        f"/api/tasks/{task['key']}/complete",
        json={"variables": {"signDecision": "approved", "leaderOpinion": "同意，抓紧拨付。"}},
    )
    assert signed.status_code == 200, f"陈建国 could not sign: {signed.status_code} {signed.text[:300]}"
    for user in (petition, housing, leader, mayor):
        await user.aclose()


async def test_a_repeat_visit_names_an_earlier_reception_that_exists(console: ConsoleStack) -> None:
    console.engine.set_time(int(NOW.timestamp() * 1000))
    petition = await console.client("xinfang")
    unknown = await petition.post(
        f"/api/intake/{ProcessId.LEADER_RECEPTION}", json={**RECEPTION, "repeatOf": "JF2026-999999"}
    )
    assert unknown.status_code == 422, unknown.text[:300]
    assert unknown.json()["errors"] == {"repeatOf": "原案件编号（重复来访）JF2026-999999不存在"}
    first = await register(console, REGISTRATIONS[ProcessId.LEADER_RECEPTION])
    weibo = await register(console, REGISTRATIONS[ProcessId.WEIBO_RELEASE])
    other = await petition.post(
        f"/api/intake/{ProcessId.LEADER_RECEPTION}", json={**RECEPTION, "repeatOf": weibo}
    )
    assert other.status_code == 422 and "不是领导接访的案件" in other.json()["errors"]["repeatOf"], (
        other.text[:300]
    )
    repeat = await petition.post(
        f"/api/intake/{ProcessId.LEADER_RECEPTION}", json={**RECEPTION, "repeatOf": first.lower()}
    )
    assert repeat.status_code == 201, f"a repeat visit of {first} was refused: {repeat.text[:300]}"
    await petition.aclose()


async def test_a_display_name_naming_another_users_account_opens_none_of_their_tasks(
    console: ConsoleStack,
) -> None:
    console.engine.set_time(int(NOW.timestamp() * 1000))
    password = hash_password(DEMO_PASSWORD)
    console.store.add_user("imposter", "xinfang（冒名）", password, "leader", None, NOW)
    number = await register(console, REGISTRATIONS[ProcessId.LEADER_RECEPTION])
    petition = await console.client("xinfang")

    async def minutes() -> dict[str, Any] | None:
        return await task_of_case(petition, number)

    task = await eventually(minutes, lambda: f"the petition office never saw the minutes of {number}")
    claimed = await petition.post(f"/api/tasks/{task['key']}/claim")
    assert claimed.status_code == 200 and claimed.json()["assignee"] == "xinfang", claimed.text[:300]
    await petition.aclose()
    imposter = await console.client("imposter")
    assert await task_of_case(imposter, number) is None, "a display name opened the task claimed by xinfang"
    assert (await imposter.get(f"/api/tasks/{task['key']}")).status_code == 404
    await imposter.aclose()
