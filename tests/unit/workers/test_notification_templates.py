"""Every event's template renders in Chinese with realistic data; staff see the appellant masked,
the appellant sees their own data."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from workers.ids import ProcessId, TaskHeader
from workers.ledger.masking import Appellant
from workers.ledger.service import CaseView
from workers.notification_policy import Channel, Event, NotificationPolicy, load_notification_policy
from workers.notify.compose import (
    TEMPLATES,
    NotificationInputError,
    Templates,
    compose,
    local_time,
    notification_request,
)

CONFIG = Path(__file__).resolve().parents[3] / "config"
APPELLANT = Appellant(
    name="欧阳娜娜", phone="13812345678", address="北京市朝阳区建国路88号", confidential=False
)
ALL_CHANNELS = frozenset(Channel)

# What a diagram passes for each event, besides the case number.
DETAILS: dict[Event, dict[str, Any]] = {
    Event.DISPATCHED: {},
    Event.REMINDER: {"note": "请于明日前答复"},
    Event.OVERDUE: {},
    Event.ESCALATED: {"reason": "超期未办结且两次催办无果"},
    Event.RETURNED: {"reason": "不属于本单位职责", "unit": "环保局"},
    Event.EXTENSION_DECIDED: {
        "decision": "approved",
        "newDueAt": "2025-10-21T16:00:00Z",
        "reason": "需现场勘验",
    },
    Event.REPLY: {"text": "经现场核查，噪音源已责令整改。", "signer": "李四"},
    Event.SURVEY: {},
    Event.BULLETIN_PUBLISHED: {"bulletinTitle": "2025年9月诉求办理情况通报", "bulletinPeriod": "2025年9月"},
    Event.NOT_ACCEPTED: {"reason": "已进入诉讼程序"},
    Event.CO_UNIT_REMINDER: {"note": "请于本周内反馈"},
    Event.REPLY_COPIED: {
        "copyTo": ["supervision", "congress-office"],
        "text": "已列入明年改造计划。",
        "signer": "王五",
        "grade": "B",
        "unit": "住房城乡建设委",
    },
    Event.FORUM_NOTICE: {"reason": "帖子发布已超过5个工作日未回复"},
    Event.PUBLIC_NAMING: {"unit": "环保局", "reason": "超过7个工作日既未回复也未说明"},
    Event.REVIEW_OVERDUE: {"reason": "秘书长审签超过3个工作日"},
    Event.INSTRUCTION_REQUESTED: {"reason": "涉及政策性问题", "note": "拟报分管副秘书长、副市长批示"},
    Event.OPINION_OVERDUE: {"stepDueAt": "2025-10-09T16:00:00Z"},
}


@pytest.fixture(scope="module")
def policy() -> NotificationPolicy:
    return load_notification_policy(CONFIG)


@pytest.fixture(scope="module")
def templates(policy: NotificationPolicy) -> Templates:
    return Templates(policy)


def case_view(**fields: Any) -> CaseView:
    values: dict[str, Any] = {
        "case_number": "RX2025-000042",
        "channel": "hotline-ticket",
        "received_at": datetime(2025, 10, 9, 1, 30, tzinfo=UTC),
        "appellant": APPELLANT,
        "title": "楼下KTV深夜噪音扰民",
        "content": "朝阳区建国路88号楼下KTV每晚营业至凌晨两点，噪音很大。",
        "location": "朝阳区建国路88号",
        "category": "投诉",
        "accepted": True,
        "acceptance_reason": None,
        "lead_unit": "环保局",
        "co_units": ("综合执法局",),
        "due_at": datetime(2025, 10, 14, 16, 0, tzinfo=UTC),
        "status": "dispatched",
        "archived_at": None,
        "process_instance_key": 1,
        "history": (),
    }
    return CaseView(**{**values, **fields})


def request(event: Event, **variables: Any) -> Any:
    caseless = event == Event.BULLETIN_PUBLISHED
    given = {**({} if caseless else {"caseNumber": "RX2025-000042"}), **DETAILS[event], **variables}
    return notification_request({TaskHeader.NOTIFICATION_EVENT: event}, given)


@pytest.mark.parametrize(
    "config", [CONFIG, *sorted((CONFIG / "jurisdictions").iterdir())], ids=lambda path: path.name
)
def test_every_configured_event_has_its_template(config: Path) -> None:
    missing = sorted(
        event for event in load_notification_policy(config).events if not (TEMPLATES / f"{event}.j2").exists()
    )
    assert not missing, f"{config.name}/notifications.toml configures events without a template: {missing}"


@pytest.mark.parametrize("event", list(Event))
def test_every_event_renders_for_every_recipient(
    event: Event, policy: NotificationPolicy, templates: Templates
) -> None:
    case = None if event == Event.BULLETIN_PUBLISHED else case_view()
    composed = compose(policy, templates, request(event), case, ALL_CHANNELS)
    texts = [post.subject + post.body for post in composed.posts] + [
        message.subject + message.text for message in composed.messages
    ]
    assert texts, f"{event} tells nobody"
    for text in texts:
        assert "None" not in text and "{" not in text
    for message in composed.messages:
        if message.channel == Channel.SMS:
            assert message.text.startswith(policy.sms_signature) and len(message.text) <= 140


@pytest.mark.parametrize("event", [event for event in Event if event != Event.BULLETIN_PUBLISHED])
def test_staff_see_the_appellant_masked(
    event: Event, policy: NotificationPolicy, templates: Templates
) -> None:
    composed = compose(policy, templates, request(event), case_view(), ALL_CHANNELS)
    to_staff = [m.subject + m.text for m in composed.messages if m.to != APPELLANT.phone] + [
        post.subject + post.body for post in composed.posts
    ]
    for text in to_staff:
        assert "欧阳娜娜" not in text and "13812345678" not in text


def test_a_unit_reads_the_masked_appellant_and_the_deadline(
    policy: NotificationPolicy, templates: Templates
) -> None:
    composed = compose(policy, templates, request(Event.DISPATCHED), case_view(), ALL_CHANNELS)
    email = next(m for m in composed.messages if m.channel == Channel.EMAIL and m.to == "hbj@gov.example.cn")
    assert email.subject == "【派单】RX2025-000042 楼下KTV深夜噪音扰民"
    assert "诉求人：欧阳**，138****5678" in email.text
    assert "办理时限：2025年10月14日 24:00前" in email.text
    assert "主办单位：市环境保护局；协办单位：市城市管理综合行政执法局" in email.text
    assert {(m.channel, m.to) for m in composed.messages} == {
        (Channel.EMAIL, "hbj@gov.example.cn"),
        (Channel.SMS, "13900000013"),
        (Channel.EMAIL, "zfj@gov.example.cn"),
    }
    assert {(post.recipient_unit, post.recipient_role) for post in composed.posts} == {
        ("环保局", None),
        ("综合执法局", None),
    }


@pytest.mark.parametrize("event", [Event.REPLY, Event.SURVEY])
def test_the_appellant_is_texted_in_the_clear(
    event: Event, policy: NotificationPolicy, templates: Templates
) -> None:
    composed = compose(policy, templates, request(event), case_view(), ALL_CHANNELS)
    (sms,) = [m for m in composed.messages if m.to == APPELLANT.phone]
    assert sms.channel == Channel.SMS and sms.text.startswith("【民声12345】欧阳娜娜您好")


def test_an_appellant_without_a_phone_gets_no_text(policy: NotificationPolicy, templates: Templates) -> None:
    anonymous = Appellant(name=None, phone=None, address=None, confidential=True)
    composed = compose(policy, templates, request(Event.SURVEY), case_view(appellant=anonymous), ALL_CHANNELS)
    assert composed.messages == ()


def test_channels_the_worker_cannot_send_on_are_left_out(
    policy: NotificationPolicy, templates: Templates
) -> None:
    composed = compose(policy, templates, request(Event.DISPATCHED), case_view(), {Channel.INBOX})
    assert composed.messages == () and len(composed.posts) == 2


def test_extension_refused_and_approved_read_differently(
    policy: NotificationPolicy, templates: Templates
) -> None:
    refused = request(
        Event.EXTENSION_DECIDED, decision="rejected", newDueAt=None, extensionRefusalReason="已过申请期限"
    )
    (post,) = compose(policy, templates, refused, case_view(), ALL_CHANNELS).posts
    assert post.subject.endswith("不同意延期") and "（已过申请期限）" in post.body
    (post,) = compose(policy, templates, request(Event.EXTENSION_DECIDED), case_view(), ALL_CHANNELS).posts
    assert "新的办理时限为2025年10月21日 24:00前" in post.body


def test_a_detail_the_template_needs_is_named_when_missing(
    policy: NotificationPolicy, templates: Templates
) -> None:
    with pytest.raises(NotificationInputError, match=r"template returned\.j2: 'reason' is undefined"):
        compose(policy, templates, request(Event.RETURNED, reason=None), case_view(), ALL_CHANNELS)


def test_requests_name_their_problems(policy: NotificationPolicy, templates: Templates) -> None:
    with pytest.raises(
        NotificationInputError, match=f"task header {TaskHeader.NOTIFICATION_EVENT}: is required"
    ):
        notification_request({}, {"caseNumber": "RX2025-000001"})
    closing = notification_request(
        {TaskHeader.NOTIFICATION_EVENT: "closing"}, {"caseNumber": "RX2025-000001"}
    )
    with pytest.raises(
        NotificationInputError, match=r"no event 'closing' in notifications\.toml; it has dispatched"
    ):
        compose(policy, templates, closing, case_view(), ALL_CHANNELS)
    with pytest.raises(NotificationInputError, match="caseNumber: a reminder notification needs it"):
        notification_request({TaskHeader.NOTIFICATION_EVENT: "reminder"}, {})


def test_the_appellant_hears_why_the_appeal_is_not_accepted(
    policy: NotificationPolicy, templates: Templates
) -> None:
    # [seed 001 第三条㈡]: the reason goes to the appellant; the centre's inbox shows it masked.
    message = case_view(channel="online-message")
    composed = compose(policy, templates, request(Event.NOT_ACCEPTED), message, ALL_CHANNELS)
    (sms,) = composed.messages
    assert sms.channel == Channel.SMS and sms.to == APPELLANT.phone
    assert sms.text == (
        "【民声12345】欧阳娜娜您好，您的留言RX2025-000042不予受理，理由：已进入诉讼程序。"
        "如有疑问，请拨打12345热线并提供留言编号。"
    )
    (post,) = composed.posts
    assert post.recipient_role == "hotline-centre"
    assert post.subject == "您的留言RX2025-000042不予受理告知"
    assert "欧阳**您好" in post.body and "不予受理理由：已进入诉讼程序" in post.body


def test_co_units_are_reminded_to_send_their_opinion_to_the_lead_unit(
    policy: NotificationPolicy, templates: Templates
) -> None:
    composed = compose(policy, templates, request(Event.CO_UNIT_REMINDER), case_view(), ALL_CHANNELS)
    assert {(m.channel, m.to) for m in composed.messages} == {(Channel.EMAIL, "zfj@gov.example.cn")}
    assert [post.recipient_unit for post in composed.posts] == ["综合执法局"]
    (post,) = composed.posts
    assert post.subject == "【会办催办】RX2025-000042 请及时反馈会办意见"
    assert "由市环境保护局主办，贵单位为会办单位" in post.body and "催办意见：请于本周内反馈" in post.body


def test_a_reply_is_copied_to_the_roles_the_task_lists(
    policy: NotificationPolicy, templates: Templates
) -> None:
    # [seed 003 §二.4(3)]: copied to supervision and to the congress's liaison committee.
    composed = compose(policy, templates, request(Event.REPLY_COPIED), case_view(), ALL_CHANNELS)
    assert [post.recipient_role for post in composed.posts] == ["supervision", "congress-office"]
    assert {(m.channel, m.to) for m in composed.messages} == {
        (Channel.EMAIL, "ducha@gov.example.cn"),
        (Channel.EMAIL, "renda-daibiao@gov.example.cn"),
    }
    body = composed.posts[1].body
    assert body.startswith("市人大常委会代表工作委员会：")
    assert "市住房和城乡建设委员会对RX2025-000042的答复已办结" in body
    assert "办理结果：B类（所提问题正在解决或列入计划逐步解决）" in body
    assert "已列入明年改造计划。" in body and "签发人：王五" in body


def test_copy_to_may_be_a_header_of_names_separated_by_commas() -> None:
    given = notification_request(
        {TaskHeader.NOTIFICATION_EVENT: "reply-copied", "copyTo": "supervision, cppcc-office"},
        {"caseNumber": "RX2025-000042", "copyTo": ["leaders"]},
    )
    assert given.copy_to == ("supervision", "cppcc-office")


def test_copying_to_a_role_that_is_not_in_the_policy_names_it(
    policy: NotificationPolicy, templates: Templates
) -> None:
    unknown = request(Event.REPLY_COPIED, copyTo=["supervision", "people-congress"])
    with pytest.raises(NotificationInputError, match="copyTo: people-congress is not a role of"):
        compose(policy, templates, unknown, case_view(), ALL_CHANNELS)
    with pytest.raises(NotificationInputError, match="copyTo: must list at least one role"):
        compose(policy, templates, request(Event.REPLY_COPIED, copyTo=[]), case_view(), ALL_CHANNELS)


def test_the_forum_office_notifies_the_unit_of_an_unanswered_post(
    policy: NotificationPolicy, templates: Templates
) -> None:
    # [seed 003 §九.3(1)]
    composed = compose(policy, templates, request(Event.FORUM_NOTICE), case_view(), ALL_CHANNELS)
    assert {(m.channel, m.to) for m in composed.messages} == {
        (Channel.EMAIL, "hbj@gov.example.cn"),
        (Channel.SMS, "13900000013"),
    }
    (post,) = composed.posts
    assert post.recipient_unit == "环保局" and "将在论坛公开点名" in post.body
    assert "通知事由：帖子发布已超过5个工作日未回复" in post.body


def test_a_unit_named_in_public_is_told_to_every_unit_the_leaders_and_the_forum_office(
    policy: NotificationPolicy, templates: Templates
) -> None:
    composed = compose(policy, templates, request(Event.PUBLIC_NAMING), case_view(), ALL_CHANNELS)
    assert {post.recipient_unit for post in composed.posts} >= set(policy.units)
    assert {post.recipient_role for post in composed.posts} == {None, "leaders", "forum-office"}
    assert all(message.channel == Channel.EMAIL for message in composed.messages)
    (post,) = [post for post in composed.posts if post.recipient_role == "forum-office"]
    assert post.subject == "【公开点名】市环境保护局逾期未回复网友帖子"
    assert "点名事由：超过7个工作日既未回复也未说明" in post.body


def test_a_public_naming_needs_the_unit(policy: NotificationPolicy, templates: Templates) -> None:
    named = request(Event.PUBLIC_NAMING, unit=None)
    with pytest.raises(NotificationInputError, match=r"template public-naming\.j2: 'unit' is undefined"):
        compose(policy, templates, named, case_view(), ALL_CHANNELS)


def test_an_overdue_review_is_told_to_supervision(policy: NotificationPolicy, templates: Templates) -> None:
    composed = compose(policy, templates, request(Event.REVIEW_OVERDUE), case_view(), ALL_CHANNELS)
    (post,) = composed.posts
    assert post.recipient_role == "supervision"
    assert post.subject == "【审签超时】RX2025-000042 答复审签超过时限"
    assert "超时情况：秘书长审签超过3个工作日" in post.body
    assert {(m.channel, m.to) for m in composed.messages} == {(Channel.EMAIL, "ducha@gov.example.cn")}


def test_the_leaders_are_asked_for_an_instruction(policy: NotificationPolicy, templates: Templates) -> None:
    # [seed 000 二]
    composed = compose(policy, templates, request(Event.INSTRUCTION_REQUESTED), case_view(), ALL_CHANNELS)
    (post,) = composed.posts
    assert post.recipient_role == "leaders"
    assert post.subject == "【呈请批示】RX2025-000042 楼下KTV深夜噪音扰民"
    assert "请示事由：涉及政策性问题" in post.body and "拟办意见：拟报分管副秘书长、副市长批示" in post.body
    assert "欧阳娜娜" not in post.body
    assert [(m.channel, m.to) for m in composed.messages] == [(Channel.EMAIL, "lingdao@gov.example.cn")]


def test_the_centre_is_told_its_handling_opinion_is_past_the_day_of_acceptance(
    policy: NotificationPolicy, templates: Templates
) -> None:
    # [seed 000 二]: no unit has the message yet, so the centre itself hears it.
    message = case_view(channel=ProcessId.ONLINE_MESSAGE, lead_unit=None, co_units=(), due_at=None)
    composed = compose(policy, templates, request(Event.OPINION_OVERDUE), message, ALL_CHANNELS)
    (post,) = composed.posts
    assert post.recipient_role == "hotline-centre" and post.case_number == "RX2025-000042"
    assert post.subject == "【拟办超时】RX2025-000042 受理当日未提出拟办意见"
    assert "留言“楼下KTV深夜噪音扰民”（编号RX2025-000042）于2025年10月9日 09:30受理" in post.body, post.body
    assert "已超过当日拟办时限（2025年10月9日 24:00）" in post.body, post.body
    assert [(m.channel, m.to) for m in composed.messages] == [(Channel.EMAIL, "12345@gov.example.cn")]


def test_midnight_deadlines_read_as_the_end_of_the_day_before(policy: NotificationPolicy) -> None:
    assert local_time(datetime(2025, 10, 14, 16, 0, tzinfo=UTC), policy) == "2025年10月14日 24:00"
    assert local_time(datetime(2025, 10, 14, 1, 5, tzinfo=UTC), policy) == "2025年10月14日 09:05"


def test_a_bulletin_names_the_units_praised_and_criticised(
    policy: NotificationPolicy, templates: Templates
) -> None:
    # [seed 002 五]: the top three are praised, the bottom three criticised. The compile task
    # returns the period as an object and the ranking as places; the notice reads both.
    ranking = {
        "top": [{"unit": "环保局", "place": 1, "score": 98.5}, {"unit": "民政局", "place": 2, "score": 97.0}],
        "bottom": [{"unit": "综合执法局", "place": 6, "score": 71.0}],
    }
    period = {"kind": "monthly", "label": "2026年10月", "first": "2026-10-01", "last": "2026-10-31"}
    composed = compose(
        policy,
        templates,
        request(Event.BULLETIN_PUBLISHED, bulletinPeriod=period, ranking=ranking),
        None,
        ALL_CHANNELS,
    )
    body = composed.posts[0].body
    assert "（2026年10月）已发布" in body
    assert "予以表扬：第1名 市环境保护局；第2名 市民政局" in body
    assert "予以批评：第6名 市城市管理综合行政执法局" in body


# What a dispatch notice hands the unit, for every channel that opens cases (`case.channel`).
DISPATCHES = {
    "hotline-ticket": "12345热线派发工单一件",
    "online-message": "网上留言（市长信箱）转办事项一件",
    "deputy-suggestion": "人大代表建议交办一件",
    "forum-post": "网络发言人论坛帖转办一件",
    "periodic-report": "民情快报督办事项一件",
    "meeting-attendance": "市民列席常务会议事项一件",
    "weibo-release": "12345热线官方微博信息发布事项一件",
    "online-interview": "在线访谈事项一件",
    "online-survey": "在线调查事项一件",
    "leader-reception": "领导接访信访事项交办一件",
    "radio-hotline": "《政风行风热线》直播中未当场解答的问题转办一件",
}


def test_every_channel_that_opens_cases_has_its_dispatch_wording() -> None:
    called = {
        ProcessId.UNIT_HANDLING,
        ProcessId.REVIEW_CHAIN,
        ProcessId.KNOWLEDGE_ENTRY,
        ProcessId.UPSTREAM_FETCH,
    }
    channels = {value for name, value in vars(ProcessId).items() if name.isupper()} - called
    assert set(DISPATCHES) == channels, "a channel was added or removed: name its wording in _channel.j2"


@pytest.mark.parametrize(("channel", "dispatch"), DISPATCHES.items())
def test_a_dispatch_notice_names_the_channel_of_the_case(
    policy: NotificationPolicy, templates: Templates, channel: str, dispatch: str
) -> None:
    case = case_view(channel=channel, category=None)
    post = compose(policy, templates, request(Event.DISPATCHED), case, ALL_CHANNELS).posts[0]
    assert f"{dispatch}，请按时办理并答复。" in post.body, f"{channel}'s dispatch notice reads: {post.body}"


def test_a_proposal_is_dispatched_as_a_proposal(policy: NotificationPolicy, templates: Templates) -> None:
    case = case_view(channel="deputy-suggestion", category="政协提案")
    post = compose(policy, templates, request(Event.DISPATCHED), case, ALL_CHANNELS).posts[0]
    assert "政协提案交办一件" in post.body, post.body


def test_a_case_of_a_channel_without_wording_fails_naming_the_channel(
    policy: NotificationPolicy, templates: Templates
) -> None:
    case = case_view(channel="letters")
    with pytest.raises(NotificationInputError, match=r"_channel\.j2: no wording for channel letters"):
        compose(policy, templates, request(Event.DISPATCHED), case, ALL_CHANNELS)


# Whom the appellant of each channel that answers them is told to ask, and whether that is 12345.
CONTACTS = {
    ("hotline-ticket", None): ("如有疑问，请拨打12345热线并提供工单编号。", True),
    ("online-message", None): ("如有疑问，请拨打12345热线并提供留言编号。", True),
    ("deputy-suggestion", "人大代表建议"): (
        "如对答复有意见，请在代表意见反馈表中注明，或与市环境保护局、市人大常委会代表工作委员会联系。",
        False,
    ),
    ("deputy-suggestion", "政协提案"): (
        "如对答复有意见，请在委员意见反馈表中注明，或与市环境保护局、市政协提案委员会联系。",
        False,
    ),
    ("forum-post", None): ("如有疑问，请在原帖跟帖，或与市网络发言人办公室联系并提供帖子编号。", False),
    ("leader-reception", None): ("如有疑问，请向市信访局人民来访接待中心咨询并提供编号。", False),
    ("radio-hotline", None): ("如有疑问，请联系市政府纠风办或《政风行风热线》节目组并提供编号。", False),
}


@pytest.mark.parametrize(("channel", "category"), CONTACTS, ids=lambda value: value or "")
@pytest.mark.parametrize("event", [Event.REPLY, Event.NOT_ACCEPTED])
def test_the_appellant_is_told_whom_to_ask_for_their_channel(
    policy: NotificationPolicy, templates: Templates, event: Event, channel: str, category: str | None
) -> None:
    contact, hotline = CONTACTS[channel, category]
    case = case_view(channel=channel, category=category)
    composed = compose(policy, templates, request(event, unit="环保局"), case, ALL_CHANNELS)
    (sms,) = [m for m in composed.messages if m.to == APPELLANT.phone]
    (post,) = [post for post in composed.posts if post.recipient_role == "hotline-centre"]
    for text in (sms.text.removeprefix(policy.sms_signature), post.body):
        assert text.endswith(contact), f"a {event} on {channel} should end {contact!r}: {text}"
        assert hotline or "12345" not in text, f"a {event} on {channel} sends the appellant to 12345: {text}"


@pytest.mark.parametrize(
    "channel", ["meeting-attendance", "weibo-release", "online-interview", "online-survey"]
)
def test_a_reply_on_a_channel_without_appellants_fails_naming_it(
    policy: NotificationPolicy, templates: Templates, channel: str
) -> None:
    with pytest.raises(NotificationInputError, match=f"appellants of channel {channel} have nobody to ask"):
        compose(policy, templates, request(Event.REPLY), case_view(channel=channel), ALL_CHANNELS)


@pytest.mark.parametrize(("channel", "category"), CONTACTS, ids=lambda value: value or "")
@pytest.mark.parametrize(
    "config", [CONFIG, *sorted((CONFIG / "jurisdictions").iterdir())], ids=lambda p: p.name
)
def test_every_jurisdiction_has_the_offices_appellants_are_sent_to(
    config: Path, channel: str, category: str | None
) -> None:
    policy = load_notification_policy(config)
    case = case_view(channel=channel, category=category)
    for event in (Event.REPLY, Event.SURVEY, Event.NOT_ACCEPTED):
        compose(policy, Templates(policy), request(event), case, ALL_CHANNELS)


def test_an_office_missing_from_the_roles_is_named(policy: NotificationPolicy) -> None:
    roles = {name: contact for name, contact in policy.roles.items() if name != "ethics-office"}
    without = policy.model_copy(update={"roles": roles})
    case = case_view(channel="radio-hotline")
    with pytest.raises(
        NotificationInputError, match=r"roles\.ethics-office: .* notifications\.toml has no such role"
    ):
        compose(without, Templates(without), request(Event.REPLY), case, ALL_CHANNELS)


@pytest.mark.parametrize(
    ("channel", "thanks"),
    [
        ("hotline-ticket", "感谢您对12345热线工作的支持！"),
        ("radio-hotline", "感谢您对《政风行风热线》工作的支持！"),
    ],
)
def test_a_survey_thanks_the_appellant_for_their_channel(
    policy: NotificationPolicy, templates: Templates, channel: str, thanks: str
) -> None:
    composed = compose(policy, templates, request(Event.SURVEY), case_view(channel=channel), ALL_CHANNELS)
    (sms,) = composed.messages
    assert sms.subject.endswith("满意度回访") and "12345" not in sms.text.removeprefix(policy.sms_signature)
    body = templates.render(Event.SURVEY, {"case": case_view(channel=channel)}).body
    assert body.endswith(thanks), body


def test_a_radio_chase_gives_the_steps_due_time_and_the_broadcasts(
    policy: NotificationPolicy, templates: Templates
) -> None:
    # [seed 003 §十一.3(1)]: the preparation is due at the end of the third working day before.
    chase = notification_request(
        {
            TaskHeader.NOTIFICATION_EVENT: "radio-chase",
            "reason": "上线准备材料逾期未报送",
            "stepRule": "上线前3个工作日",
        },
        {
            "caseNumber": "ZF2026-000001",
            "stepDueAt": "2026-11-09T16:00:00Z",
            "broadcastAt": "2026-11-12T09:00:00+08:00",
        },
    )
    case = case_view(
        case_number="ZF2026-000001", channel="radio-hotline", appellant=Appellant(None, None, None, False)
    )
    posts = compose(policy, templates, chase, case, ALL_CHANNELS).posts
    assert posts and all(
        "报送时限：2026年11月9日 24:00（上线前3个工作日）；上线直播时间：2026年11月12日 09:00" in post.body
        for post in posts
    ), [post.body for post in posts]
    undated = notification_request(
        {TaskHeader.NOTIFICATION_EVENT: "radio-chase", "reason": "x"}, {"caseNumber": "ZF2026-000001"}
    )
    with pytest.raises(NotificationInputError, match=r"template radio-chase\.j2: 'step_due_at' is undefined"):
        compose(policy, templates, undated, case, ALL_CHANNELS)


def test_a_reply_may_be_copied_to_the_cases_co_units_too(
    policy: NotificationPolicy, templates: Templates
) -> None:
    # [seed 003 §二.2(5)]: the lead unit answers and copies the co-handling units.
    copied = request(Event.REPLY_COPIED, copyTo=["supervision", "co-units"])
    composed = compose(policy, templates, copied, case_view(), ALL_CHANNELS)
    assert [(post.recipient_role, post.recipient_unit) for post in composed.posts] == [
        ("supervision", None),
        (None, "综合执法局"),
    ]


def test_a_reminder_about_one_co_unit_goes_to_that_unit_only(
    policy: NotificationPolicy, templates: Templates
) -> None:
    case = case_view(co_units=("综合执法局", "民政局"))
    everyone = compose(policy, templates, request(Event.CO_UNIT_REMINDER), case, ALL_CHANNELS)
    assert [post.recipient_unit for post in everyone.posts] == ["综合执法局", "民政局"]
    one = compose(policy, templates, request(Event.CO_UNIT_REMINDER, unit="民政局"), case, ALL_CHANNELS)
    assert [post.recipient_unit for post in one.posts] == ["民政局"]


@pytest.mark.parametrize(
    ("channel", "urged"),
    [
        ("hotline-ticket", "请抓紧办理，按时答复诉求人。"),
        ("deputy-suggestion", "请抓紧办理，按时答复代表。"),
        ("radio-hotline", "请抓紧办理，按时答复问题反映人。"),
        # The interview's plan is chased from its unit, which answers nobody for it.
        ("online-interview", "请抓紧办理。"),
    ],
)
def test_a_reminder_names_whom_the_unit_answers(
    policy: NotificationPolicy, templates: Templates, channel: str, urged: str
) -> None:
    case = case_view(channel=channel, category=None)
    (post,) = compose(policy, templates, request(Event.REMINDER), case, ALL_CHANNELS).posts
    assert f"即将到期，{urged}" in post.body, f"a reminder on {channel} reads: {post.body}"


def test_a_deputy_is_answered_on_what_they_proposed(policy: NotificationPolicy, templates: Templates) -> None:
    case = case_view(channel="deputy-suggestion", category="政协提案", title="关于加快老旧小区改造的提案")
    reply = templates.render(Event.REPLY, {"case": case, "text": "已列入明年改造计划。"})
    assert reply.subject == "您的提案RX2025-000042已办理答复", reply.subject
    assert "您提出的“关于加快老旧小区改造的提案”（编号RX2025-000042）" in reply.body, reply.body
