"""Due dates counted by hand on the official calendars (see test_calendar_service.py) under the
shipped rule: the start day is not counted, the limit runs out at 24:00 of its last working day,
the reminder goes out at 08:30 on the due day, extensions are asked at least 2 working days ahead."""

import shutil
from pathlib import Path

import pytest

from workers.deadline_policy import CALENDAR_POLICY_FILE, DEADLINE_POLICY_FILE
from workers.deadlines import load_deadlines
from workers.services.calendar import UncoveredYearError
from workers.services.deadlines import DeadlineError, Deadlines, iso

SHIPPED_CONFIG = Path(__file__).resolve().parents[3] / "config"
COUNTY_CONFIG = SHIPPED_CONFIG / "jurisdictions" / "county-example"


def due(deadlines: Deadlines, channel: str, category: str, start: str) -> tuple[str, str]:
    deadline = deadlines.compute(channel, category, deadlines.instant(start, "start"))
    return iso(deadline.due_at), iso(deadline.remind_at)


@pytest.mark.parametrize(
    ("category", "start", "due_at", "remind_at"),
    [
        # A weekend: Friday's order counts Monday 10 and Tuesday 11 March.
        ("咨询", "2025-03-07T15:00:00+08:00", "2025-03-12T00:00:00+08:00", "2025-03-11T08:30:00+08:00"),
        # Dispatched on the Saturday: the same two working days.
        ("咨询", "2025-03-08T10:00:00+08:00", "2025-03-12T00:00:00+08:00", "2025-03-11T08:30:00+08:00"),
        # National Day 2025: 1-8 October off, so Thursday 9 and Friday 10.
        ("建议", "2025-09-30T10:00:00+08:00", "2025-10-11T00:00:00+08:00", "2025-10-10T08:30:00+08:00"),
        # Friday 10 and the make-up Saturday 11 October.
        ("咨询", "2025-10-09T16:00:00+08:00", "2025-10-12T00:00:00+08:00", "2025-10-11T08:30:00+08:00"),
        # The make-up Sunday 28 September and Monday 29.
        ("咨询", "2025-09-26T09:00:00+08:00", "2025-09-30T00:00:00+08:00", "2025-09-29T08:30:00+08:00"),
        # 20 working days from 30 September 2025: 9, 10, 11 (Saturday), 13-17, 20-24, 27-31 October,
        # 3 and 4 November.
        ("投诉", "2025-09-30T10:00:00+08:00", "2025-11-05T00:00:00+08:00", "2025-11-04T08:30:00+08:00"),
        # Mid-autumn 2026 (25-27 September): Monday 28 and Tuesday 29.
        ("咨询", "2026-09-24T10:00:00+08:00", "2026-09-30T00:00:00+08:00", "2026-09-29T08:30:00+08:00"),
        # National Day 2026 (1-7 October): Thursday 8 and Friday 9.
        ("咨询", "2026-09-30T10:00:00+08:00", "2026-10-10T00:00:00+08:00", "2026-10-09T08:30:00+08:00"),
        # Spring Festival 2026: the make-up Saturday 14 February, then Tuesday 24 after 15-23 off.
        ("咨询", "2026-02-13T16:00:00+08:00", "2026-02-25T00:00:00+08:00", "2026-02-24T08:30:00+08:00"),
        # 20 working days from 12 February 2026: 13, 14 (Saturday), 24-27, 28 (Saturday) February,
        # 2-6, 9-13, 16-18 March.
        ("求助", "2026-02-12T10:00:00+08:00", "2026-03-19T00:00:00+08:00", "2026-03-18T08:30:00+08:00"),
    ],
)
def test_hotline_due_dates_across_weekends_and_holidays(
    deadlines: Deadlines, category: str, start: str, due_at: str, remind_at: str
) -> None:
    assert due(deadlines, "hotline-ticket", category, start) == (due_at, remind_at)


def test_the_start_day_is_the_local_one(deadlines: Deadlines) -> None:
    # 18:00 UTC on 29 September is 02:00 on 30 September in Shanghai.
    assert due(deadlines, "hotline-ticket", "咨询", "2025-09-29T18:00:00Z")[0] == "2025-10-11T00:00:00+08:00"
    # Without an offset a date-time is local.
    assert due(deadlines, "hotline-ticket", "咨询", "2025-09-30T10:00")[0] == "2025-10-11T00:00:00+08:00"


def test_online_messages_take_7_working_days_across_national_day_2026(deadlines: Deadlines) -> None:
    # 30 September, 8, 9, 10 (Saturday), 12, 13, 14 October.
    assert due(deadlines, "online-message", "投诉", "2026-09-29T10:00:00+08:00") == (
        "2026-10-15T00:00:00+08:00",
        "2026-10-14T08:30:00+08:00",
    )


@pytest.mark.parametrize(
    ("category", "start", "due_at"),
    [
        ("交办会", "2026-03-10T10:00:00+08:00", "2026-06-11T00:00:00+08:00"),
        # 1 October 2026 is a holiday: the limit ends on the next working day, 8 October.
        ("其他", "2026-09-01T10:00:00+08:00", "2026-10-09T00:00:00+08:00"),
        # February has no 31st: its last day, a make-up working Saturday in 2026.
        ("其他", "2026-01-31T10:00:00+08:00", "2026-03-01T00:00:00+08:00"),
    ],
)
def test_deputy_suggestions_count_calendar_months(
    deadlines: Deadlines, category: str, start: str, due_at: str
) -> None:
    assert due(deadlines, "deputy-suggestion", category, start)[0] == due_at


@pytest.mark.parametrize(
    ("start", "due_at", "remind_at"),
    [
        # Friday 16:30: one hour before 17:30, two on Monday morning; the weekend waits.
        ("2025-03-07T16:30:00+08:00", "2025-03-10T10:30:00+08:00", "2025-03-10T09:30:00+08:00"),
        # Posted at night: the clock starts at 08:30 the next working day.
        ("2025-03-11T20:00:00+08:00", "2025-03-12T11:30:00+08:00", "2025-03-12T10:30:00+08:00"),
        # The lunch break waits too.
        ("2025-03-11T11:00:00+08:00", "2025-03-11T16:00:00+08:00", "2025-03-11T15:00:00+08:00"),
        # Posted on National Day: the first working day is 9 October.
        ("2025-10-01T10:00:00+08:00", "2025-10-09T11:30:00+08:00", "2025-10-09T10:30:00+08:00"),
        # A make-up Saturday has office hours.
        ("2025-10-11T09:00:00+08:00", "2025-10-11T12:00:00+08:00", "2025-10-11T11:00:00+08:00"),
    ],
)
def test_the_forums_first_response_counts_working_hours(
    deadlines: Deadlines, start: str, due_at: str, remind_at: str
) -> None:
    assert due(deadlines, "forum-post", "首次回应", start) == (due_at, remind_at)


def configured(tmp_path: Path, old: str, new: str) -> Deadlines:
    """The shipped jurisdiction with one change to its deadlines.toml."""
    text = (SHIPPED_CONFIG / DEADLINE_POLICY_FILE).read_text(encoding="utf-8")
    assert old in text
    (tmp_path / DEADLINE_POLICY_FILE).write_text(text.replace(old, new), encoding="utf-8")
    shutil.copy(SHIPPED_CONFIG / CALENDAR_POLICY_FILE, tmp_path)
    return load_deadlines(tmp_path)


def test_counting_from_the_same_day_counts_the_start_day_if_it_is_a_working_day(tmp_path: Path) -> None:
    same_day = configured(tmp_path, 'first_day = "next-day"', 'first_day = "same-day"')
    # Monday 10 and Tuesday 11 March; from the Saturday before, the same two.
    assert due(same_day, "hotline-ticket", "咨询", "2025-03-10T10:00")[0] == "2025-03-12T00:00:00+08:00"
    assert due(same_day, "hotline-ticket", "咨询", "2025-03-08T10:00")[0] == "2025-03-12T00:00:00+08:00"
    # Three months from 10 March 2026 with 10 March the first day: up to 9 June.
    assert due(same_day, "deputy-suggestion", "交办会", "2026-03-10T10:00")[0] == "2026-06-10T00:00:00+08:00"


def test_the_due_time_is_configurable(tmp_path: Path) -> None:
    closing = configured(tmp_path, 'due_time = "24:00"', 'due_time = "17:30"')
    assert due(closing, "hotline-ticket", "咨询", "2025-09-30T10:00")[0] == "2025-10-10T17:30:00+08:00"
    due_at = closing.instant("2025-10-10T17:30", "due")
    decision = closing.decide_extension(
        "hotline-ticket", "咨询", due_at, closing.instant("2025-09-30T17:00", "r")
    )
    assert decision.extended is not None
    assert iso(decision.extended.due_at) == "2025-10-13T17:30:00+08:00"


def test_a_reminder_that_would_precede_the_start_goes_out_at_the_start(tmp_path: Path) -> None:
    early = configured(tmp_path, "working_days_before_due = 1", "working_days_before_due = 3")
    # Due at the end of Wednesday 12 March; three working days before it begin on Monday 10 at 08:30.
    assert due(early, "hotline-ticket", "咨询", "2025-03-10T10:00") == (
        "2025-03-13T00:00:00+08:00",
        "2025-03-10T10:00:00+08:00",
    )


@pytest.mark.parametrize("start", ["2027-03-01T10:00:00+08:00", "2026-12-25T10:00:00+08:00"])
def test_a_deadline_reaching_into_2027_is_refused_by_name(deadlines: Deadlines, start: str) -> None:
    with pytest.raises(UncoveredYearError, match="does not cover 2027"):
        due(deadlines, "hotline-ticket", "投诉", start)


# Due at the end of Tuesday 4 November 2025; two working days before it is Friday 31 October.
COMPLAINT_DUE = "2025-11-05T00:00:00+08:00"


@pytest.mark.parametrize(
    ("requested_at", "allowed"),
    [
        ("2025-10-20T09:00:00+08:00", True),
        ("2025-10-31T23:59:00+08:00", True),
        ("2025-11-01T10:00:00+08:00", False),  # the Saturday after: less than 2 working days left
        ("2025-11-03T08:30:00+08:00", False),
        ("2025-11-06T08:30:00+08:00", False),  # overdue
    ],
)
def test_an_extension_is_allowed_up_to_2_working_days_before_due(
    deadlines: Deadlines, requested_at: str, allowed: bool
) -> None:
    decision = deadlines.decide_extension(
        "hotline-ticket",
        "投诉",
        deadlines.instant(COMPLAINT_DUE, "due"),
        deadlines.instant(requested_at, "requested"),
    )
    assert decision.latest_request_day.isoformat() == "2025-10-31"
    assert (decision.extended is not None) is allowed
    assert (decision.refusal_reason is None) is allowed
    if decision.extended is not None:
        # 20 more working days from 5 November: 5-7, 10-14, 17-21, 24-28 November, 1 and 2 December.
        assert iso(decision.extended.due_at) == "2025-12-03T00:00:00+08:00"
        assert iso(decision.extended.remind_at) == "2025-12-02T08:30:00+08:00"
    else:
        assert decision.refusal_reason is not None
        assert "2个工作日" in decision.refusal_reason and "2025-10-31" in decision.refusal_reason


def test_the_extension_deadline_skips_a_holiday(deadlines: Deadlines) -> None:
    # Due at the end of Friday 10 October 2025: the two working days before are 9 October and, past
    # the holiday, 30 September.
    due_at = deadlines.instant("2025-10-11T00:00:00+08:00", "due")
    refused = deadlines.decide_extension(
        "hotline-ticket", "咨询", due_at, deadlines.instant("2025-10-09T09:00", "r")
    )
    assert (refused.latest_request_day.isoformat(), refused.extended) == ("2025-09-30", None)
    allowed = deadlines.decide_extension(
        "hotline-ticket", "咨询", due_at, deadlines.instant("2025-09-30T17:00", "r")
    )
    # Two more working days: the make-up Saturday 11 October and Monday 13.
    assert allowed.extended is not None
    assert iso(allowed.extended.due_at) == "2025-10-14T00:00:00+08:00"


def test_the_forums_reply_extends_by_its_configured_2_working_days(deadlines: Deadlines) -> None:
    deadline = deadlines.compute("forum-post", "回复", deadlines.instant("2025-03-03T10:00", "start"))
    assert iso(deadline.due_at) == "2025-03-11T00:00:00+08:00"  # 4-7 and 10 March
    decision = deadlines.decide_extension(
        "forum-post", "回复", deadline.due_at, deadlines.instant("2025-03-04T10:00", "requested")
    )
    assert decision.extended is not None
    assert iso(decision.extended.due_at) == "2025-03-13T00:00:00+08:00"  # 11 and 12 March


def test_a_limit_in_working_hours_cannot_be_extended(deadlines: Deadlines) -> None:
    now = deadlines.instant("2025-03-03T10:00", "now")
    with pytest.raises(DeadlineError, match="working hours"):
        deadlines.decide_extension("forum-post", "首次回应", now, now)


@pytest.mark.parametrize(
    ("channel", "category", "message"),
    [
        (
            "hotline",
            "咨询",
            "no time limits for channel 'hotline' in deadlines.toml; it has hotline-ticket, ",
        ),
        ("hotline-ticket", "表扬", "no time limit for category '表扬' of channel hotline-ticket"),
    ],
)
def test_an_unknown_channel_or_category_is_named(
    deadlines: Deadlines, channel: str, category: str, message: str
) -> None:
    with pytest.raises(DeadlineError, match=message):
        deadlines.limit(channel, category)


def test_a_date_time_that_does_not_parse_is_named(deadlines: Deadlines) -> None:
    with pytest.raises(DeadlineError, match="dispatchedAt must be an ISO 8601 date-time, got 'tomorrow'"):
        deadlines.instant("tomorrow", "dispatchedAt")


def test_the_county_counts_5_working_days_for_the_hotline_and_3_for_messages(deadlines: Deadlines) -> None:
    county = load_deadlines(COUNTY_CONFIG)
    start = "2025-09-30T10:00:00+08:00"
    # 9, 10, 11 (Saturday), 13, 14 October; and 9, 10, 11 October.
    assert due(county, "hotline-ticket", "咨询", start)[0] == "2025-10-15T00:00:00+08:00"
    assert due(county, "hotline-ticket", "投诉", start)[0] == "2025-10-15T00:00:00+08:00"
    assert due(county, "online-message", "投诉", start)[0] == "2025-10-12T00:00:00+08:00"
    assert (
        due(deadlines, "online-message", "投诉", start)[0] != due(county, "online-message", "投诉", start)[0]
    )
