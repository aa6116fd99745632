"""The limits of process steps: the same-day handling opinion (拟办, `{ working_days = 0 }`), the
short and mailbox limits of online messages, the time to answer a reminder before supervision
(催办答复) and the forum's public naming (点名), on the official 2026 calendar.

National Day 2026: 1-7 October off; Saturday 10 October is a make-up working day (chinesecalendar,
asserted below). Shipped rule: the start day is not counted, limits end at 24:00 (handed to the
diagrams as the next day's 00:00), the reminder goes out at 08:30 on the due day."""

import shutil
from datetime import date
from pathlib import Path

import chinese_calendar
import pytest

from workers.deadline_policy import CALENDAR_POLICY_FILE, DEADLINE_POLICY_FILE, LimitUnit
from workers.deadlines import load_deadlines
from workers.services.deadlines import DeadlineError, Deadlines, iso

SHIPPED_CONFIG = Path(__file__).resolve().parents[3] / "config"


def due(deadlines: Deadlines, channel: str, category: str, start: str) -> tuple[str, str]:
    deadline = deadlines.compute(channel, category, deadlines.instant(start, "start"))
    return iso(deadline.due_at), iso(deadline.remind_at)


def configured(tmp_path: Path, old: str, new: str) -> Deadlines:
    """The shipped jurisdiction with one change to its deadlines.toml."""
    text = (SHIPPED_CONFIG / DEADLINE_POLICY_FILE).read_text(encoding="utf-8")
    assert old in text
    (tmp_path / DEADLINE_POLICY_FILE).write_text(text.replace(old, new), encoding="utf-8")
    shutil.copy(SHIPPED_CONFIG / CALENDAR_POLICY_FILE, tmp_path)
    return load_deadlines(tmp_path)


def test_the_2026_national_day_schedule_is_the_one_these_tests_count_on() -> None:
    assert not any(chinese_calendar.is_workday(date(2026, 10, day)) for day in range(1, 8))
    assert chinese_calendar.is_workday(date(2026, 10, 8))
    # 调休: Saturday 10 October is worked, Sunday 11 is not.
    assert chinese_calendar.is_workday(date(2026, 10, 10))
    assert not chinese_calendar.is_workday(date(2026, 10, 11))


@pytest.mark.parametrize(
    ("start", "due_at", "remind_at"),
    [
        # Taken in on the make-up Saturday 10 October: handled that day; reminded at once, as the
        # day's office hours began before it came in.
        ("2026-10-10T10:00:00+08:00", "2026-10-11T00:00:00+08:00", "2026-10-10T10:00:00+08:00"),
        # Taken in on Sunday 4 October, a holiday: the next working day, Thursday 8 October.
        ("2026-10-04T10:00:00+08:00", "2026-10-09T00:00:00+08:00", "2026-10-08T08:30:00+08:00"),
        # Sunday 11 October, an ordinary day off after the make-up Saturday: Monday 12.
        ("2026-10-11T21:00:00+08:00", "2026-10-13T00:00:00+08:00", "2026-10-12T08:30:00+08:00"),
        # A working day before office hours: that day, reminded when the office opens.
        ("2026-10-12T07:00:00+08:00", "2026-10-13T00:00:00+08:00", "2026-10-12T08:30:00+08:00"),
        # Late on the last working day before the holiday: that day still.
        ("2026-09-30T23:30:00+08:00", "2026-10-01T00:00:00+08:00", "2026-09-30T23:30:00+08:00"),
        # At midnight that begins a working day: that day (midnight is not the day before here).
        ("2026-10-12T00:00:00+08:00", "2026-10-13T00:00:00+08:00", "2026-10-12T08:30:00+08:00"),
    ],
)
def test_the_handling_opinion_is_due_the_same_working_day(
    deadlines: Deadlines, start: str, due_at: str, remind_at: str
) -> None:
    # [seed 000 二]: general items are dispatched the day they are taken in.
    assert due(deadlines, "online-message", "拟办", start) == (due_at, remind_at)


def test_the_same_day_limit_counts_alike_when_the_start_day_counts(tmp_path: Path) -> None:
    same_day = configured(tmp_path, 'first_day = "next-day"', 'first_day = "same-day"')
    assert due(same_day, "online-message", "拟办", "2026-10-10T10:00")[0] == "2026-10-11T00:00:00+08:00"
    assert due(same_day, "online-message", "拟办", "2026-10-04T10:00")[0] == "2026-10-09T00:00:00+08:00"


def test_the_compute_deadline_limit_of_the_same_day_is_zero_working_days(deadlines: Deadlines) -> None:
    deadline = deadlines.compute("online-message", "拟办", deadlines.instant("2026-10-10T10:00", "start"))
    assert (deadline.limit.unit, deadline.limit.amount) == (LimitUnit.WORKING_DAYS, 0)


def test_a_same_day_limit_is_not_extended_without_an_extension_amount(
    deadlines: Deadlines, tmp_path: Path
) -> None:
    due_at = deadlines.instant("2026-10-13T00:00:00+08:00", "due")
    requested = deadlines.instant("2026-10-09T10:00", "requested")
    with pytest.raises(DeadlineError, match="the limit of 拟办 of channel online-message is the same day"):
        deadlines.decide_extension("online-message", "拟办", due_at, requested)
    extensible = configured(
        tmp_path, '"拟办" = { working_days = 0 }', '"拟办" = { working_days = 0, extension = 1 }'
    )
    decision = extensible.decide_extension("online-message", "拟办", due_at, requested)
    assert decision.extended is not None
    assert iso(decision.extended.due_at) == "2026-10-14T00:00:00+08:00"


@pytest.mark.parametrize(
    ("category", "start", "due_at"),
    [
        # [seed 001 ㈤] From 30 September: 8 and 9 October.
        ("简单件", "2026-09-30T10:00:00+08:00", "2026-10-10T00:00:00+08:00"),
        # 8, 9 and the make-up Saturday 10 October.
        ("复杂件", "2026-09-30T10:00:00+08:00", "2026-10-11T00:00:00+08:00"),
        # [seed 003 §五.2] From 29 September: 30 September, 8, 9, 10, 12, 13, 14 October.
        ("信箱-咨询建议", "2026-09-29T10:00:00+08:00", "2026-10-15T00:00:00+08:00"),
        # 30 September, 8, 9, 10, 12-16, 19-23 and 26 October.
        ("信箱-需调查", "2026-09-29T10:00:00+08:00", "2026-10-27T00:00:00+08:00"),
    ],
)
def test_online_message_step_limits_across_national_day_2026(
    deadlines: Deadlines, category: str, start: str, due_at: str
) -> None:
    assert due(deadlines, "online-message", category, start)[0] == due_at


@pytest.mark.parametrize("channel", ["hotline-ticket", "online-message"])
def test_a_reminder_sent_at_the_due_time_is_answered_by_the_end_of_the_next_working_day(
    deadlines: Deadlines, channel: str
) -> None:
    # Due at 24:00 on Friday 9 October, i.e. 2026-10-10T00:00 when the overdue notice goes out:
    # one working day more is the make-up Saturday 10 October, then supervision [seed 002 五].
    assert due(deadlines, channel, "催办答复", "2026-10-10T00:00:00+08:00") == (
        "2026-10-11T00:00:00+08:00",
        "2026-10-10T08:30:00+08:00",
    )
    # Due at 24:00 on Wednesday 30 September: the holiday waits, Thursday 8 October.
    assert due(deadlines, channel, "催办答复", "2026-10-01T00:00:00+08:00")[0] == "2026-10-09T00:00:00+08:00"


def test_a_start_later_than_midnight_is_counted_from_the_next_day(deadlines: Deadlines) -> None:
    # One second after midnight is Saturday 10 October itself: Monday 12 is the working day after.
    assert due(deadlines, "hotline-ticket", "催办答复", "2026-10-10T00:00:01+08:00")[0] == (
        "2026-10-13T00:00:00+08:00"
    )


def test_a_forum_post_without_reply_or_explanation_is_named_after_7_working_days(
    deadlines: Deadlines,
) -> None:
    # [seed 003 §九.3(1)] Posted Tuesday 29 September: 30 September, 8, 9, 10, 12, 13, 14 October;
    # the reply itself was due after 5 (12 October).
    assert due(deadlines, "forum-post", "点名", "2026-09-29T15:00:00+08:00")[0] == "2026-10-15T00:00:00+08:00"
    assert due(deadlines, "forum-post", "回复", "2026-09-29T15:00:00+08:00")[0] == "2026-10-13T00:00:00+08:00"


def test_a_limit_in_calendar_days_ends_on_the_next_working_day_when_its_last_day_is_off(
    tmp_path: Path,
) -> None:
    # 60 days, as the petition regulations give (信访条例 第三十三条), in a copy of the shipped file.
    deadlines = configured(tmp_path, '"拟办" = { working_days = 0 }', '"拟办" = { days = 60 }')
    assert deadlines.limit("online-message", "拟办").unit is LimitUnit.DAYS
    # Assigned Tuesday 4 August 2026: the 60th day is Saturday 3 October, in the National Day
    # holiday, which ends on Wednesday 7 October; the limit runs to the end of Thursday 8 October.
    assert due(deadlines, "online-message", "拟办", "2026-08-04T10:00:00+08:00") == (
        "2026-10-09T00:00:00+08:00",
        "2026-10-08T08:30:00+08:00",
    )
    # Assigned Monday 7 September: the 60th day is Friday 6 November, a working day.
    assert (
        due(deadlines, "online-message", "拟办", "2026-09-07T10:00:00+08:00")[0]
        == "2026-11-07T00:00:00+08:00"
    )


def test_a_limit_in_hours_runs_day_and_night_and_cannot_be_extended(tmp_path: Path) -> None:
    deadlines = configured(tmp_path, '"拟办" = { working_days = 0 }', '"拟办" = { hours = 2 }')
    # Friday 21:30: due at 23:30 that night, reminded when one hour remains.
    assert due(deadlines, "online-message", "拟办", "2026-11-20T21:30:00+08:00") == (
        "2026-11-20T23:30:00+08:00",
        "2026-11-20T22:30:00+08:00",
    )
    due_at = deadlines.instant("2026-11-20T23:30:00+08:00", "dueAt")
    with pytest.raises(DeadlineError, match="is in hours: no extension"):
        deadlines.decide_extension("online-message", "拟办", due_at, due_at)
