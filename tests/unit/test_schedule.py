import re
from datetime import datetime

import pytest

from engine.runtime.schedule import TimerFormatError, due_after_duration, due_at_date, parse_cycle

SECOND = 1000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR


def ms(text: str) -> int:
    """Epoch milliseconds of an ISO date-time with offset, computed independently of the module."""
    return int(datetime.fromisoformat(text).timestamp() * 1000)


# --- timeDate -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-10-01T10:00:00+08:00", "2026-10-01T02:00:00+00:00"),
        ("2026-10-01T10:00:00Z", "2026-10-01T10:00:00+00:00"),
        ("2026-10-01T10:00Z", "2026-10-01T10:00:00+00:00"),
        ("2026-10-01T10:00:00.250-05:30", "2026-10-01T15:30:00.250+00:00"),
        ("2026-10-01T10:00:00.123456789Z", "2026-10-01T10:00:00.123+00:00"),
        ("2026-10-01T10:00:00@Asia/Shanghai", "2026-10-01T02:00:00+00:00"),
        ("2026-10-01T10:00:00+08:00[Asia/Shanghai]", "2026-10-01T02:00:00+00:00"),
        ("2026-10-01T10:00:00[Asia/Shanghai]", "2026-10-01T02:00:00+00:00"),
        ("2026-10-01T10:00:00Z[UTC]", "2026-10-01T10:00:00+00:00"),
        ("  2026-10-01T10:00:00Z\n", "2026-10-01T10:00:00+00:00"),
        ("2026-10-01", "2026-10-01T00:00:00+00:00"),
    ],
)
def test_time_date_formats(value: str, expected: str) -> None:
    assert due_at_date(value) == ms(expected)


def test_time_date_zone_id_follows_daylight_saving_time() -> None:
    assert due_at_date("2026-07-01T12:00:00@Europe/Berlin") == ms("2026-07-01T10:00:00Z")
    assert due_at_date("2026-12-01T12:00:00@Europe/Berlin") == ms("2026-12-01T11:00:00Z")


def test_time_date_in_a_dst_gap_moves_forward_like_java() -> None:
    # 02:30 does not exist on 2026-03-29 in Berlin; Java shifts it by the gap to 03:30 CEST.
    assert due_at_date("2026-03-29T02:30:00@Europe/Berlin") == ms("2026-03-29T03:30:00+02:00")


def test_time_date_in_a_dst_overlap_takes_the_earlier_offset() -> None:
    assert due_at_date("2026-10-25T02:30:00@Europe/Berlin") == ms("2026-10-25T02:30:00+02:00")


def test_time_date_offset_wins_over_zone_id() -> None:
    assert due_at_date("2026-10-01T10:00:00+01:00[Asia/Shanghai]") == ms("2026-10-01T09:00:00Z")


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("2026-10-01T10:00:00", "neither an offset nor a zone id"),
        ("2026-13-01T10:00:00Z", "not a valid date-time"),
        ("2026-02-30", "not a valid date-time"),
        ("2026-10-01T24:00:00Z", "not a valid date-time"),
        ("2026-10-01T10:00:00+19:00", "not a valid date-time"),
        ("2026-10-01T10:00:00@Mars/Olympus", "unknown time zone"),
        ("tomorrow", "not an ISO 8601 date-time"),
        ("", "not an ISO 8601 date-time"),
    ],
)
def test_time_date_errors_name_the_value(value: str, problem: str) -> None:
    with pytest.raises(TimerFormatError, match=problem) as error:
        due_at_date(value)
    assert repr(value.strip()) in str(error.value)


# --- timeDuration -------------------------------------------------------------------------------------

START = ms("2026-10-01T10:00:00Z")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("PT10S", START + 10 * SECOND),
        ("PT0.5S", START + 500),
        ("PT1,25S", START + 1250),
        ("PT0.0009S", START),
        ("PT1H30M", START + 90 * MINUTE),
        ("PT36H", START + 36 * HOUR),
        ("P3D", START + 3 * DAY),
        ("P2W", START + 14 * DAY),
        ("P1DT12H", START + 36 * HOUR),
        ("p1dt1h", START + 25 * HOUR),
        ("PT0S", START),
        ("P1Y2M", ms("2027-12-01T10:00:00Z")),
        ("P1M", ms("2026-11-01T10:00:00Z")),
    ],
)
def test_durations(value: str, expected: int) -> None:
    assert due_after_duration(value, START) == expected


@pytest.mark.parametrize(
    ("start", "value", "expected"),
    [
        ("2026-01-31T08:00:00Z", "P1M", "2026-02-28T08:00:00Z"),
        ("2028-01-31T08:00:00Z", "P1M", "2028-02-29T08:00:00Z"),
        ("2026-03-31T08:00:00Z", "P1M", "2026-04-30T08:00:00Z"),
        ("2026-01-31T08:00:00Z", "P1M1D", "2026-03-01T08:00:00Z"),
        ("2028-02-29T08:00:00Z", "P1Y", "2029-02-28T08:00:00Z"),
        ("2026-12-31T23:59:59Z", "PT1S", "2027-01-01T00:00:00Z"),
    ],
)
def test_calendar_durations_clamp_to_month_end(start: str, value: str, expected: str) -> None:
    assert due_after_duration(value, ms(start)) == ms(expected)


def test_days_are_24_hours_in_utc_even_across_berlin_dst() -> None:
    start = ms("2026-10-24T12:00:00+02:00")
    assert due_after_duration("P1D", start) == start + DAY


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("P1X", "not an ISO 8601 duration"),
        ("P", "not an ISO 8601 duration"),
        ("PT", "not an ISO 8601 duration"),
        ("P1DT", "not an ISO 8601 duration"),
        ("PT1.5H", "not an ISO 8601 duration"),
        ("10S", "not an ISO 8601 duration"),
        ("-PT10S", "negative"),
        ("PT-10S", "negative"),
        ("P-1D", "negative"),
    ],
)
def test_duration_errors_name_the_value(value: str, problem: str) -> None:
    with pytest.raises(TimerFormatError, match=problem) as error:
        due_after_duration(value, START)
    assert repr(value) in str(error.value)


def test_duration_beyond_the_calendar_is_a_format_error() -> None:
    with pytest.raises(TimerFormatError, match="'P9000Y'"):
        due_after_duration("P9000Y", START)


# --- timeCycle: repeating intervals -----------------------------------------------------------------


def test_repeating_interval_counts_and_forever() -> None:
    assert parse_cycle("R5/PT10S").repetitions == 5
    assert parse_cycle("R/P1D").repetitions == -1
    assert parse_cycle("R0/PT1S").repetitions == 0
    assert parse_cycle("R1/PT1S").repetitions == 1


@pytest.mark.parametrize("value", ["R0/PT10S", "R1/PT10S"])
def test_r0_and_r1_still_schedule_a_first_occurrence(value: str) -> None:
    assert parse_cycle(value).first_due(START) == START + 10 * SECOND


def test_repeating_interval_without_start_runs_from_now() -> None:
    cycle = parse_cycle("R5/PT10S")
    first = cycle.first_due(START)
    assert first == START + 10 * SECOND
    assert cycle.next_due(first, first) == first + 10 * SECOND
    # A timer fired a little late still keeps its grid.
    assert cycle.next_due(first, first + 3 * SECOND) == first + 10 * SECOND


def test_repeating_interval_with_start_fires_at_the_start_then_every_interval() -> None:
    cycle = parse_cycle("R3/2026-10-01T08:00:00Z/P1D")
    assert cycle.repetitions == 3
    now = ms("2026-09-30T00:00:00Z")
    first = cycle.first_due(now)
    assert first == ms("2026-10-01T08:00:00Z")
    second = cycle.next_due(first, first)
    assert second == ms("2026-10-02T08:00:00Z")
    assert cycle.next_due(second, second) == ms("2026-10-03T08:00:00Z")


def test_repeating_interval_with_a_past_start_fires_right_away() -> None:
    cycle = parse_cycle("R/2026-10-01T08:00:00Z/PT1H")
    now = ms("2026-10-05T12:34:00Z")
    assert cycle.first_due(now) == now


def test_start_with_zone_id_keeps_wall_clock_time_across_dst() -> None:
    cycle = parse_cycle("R/2026-10-24T08:00:00+02:00[Europe/Berlin]/P1D")
    first = cycle.first_due(0)
    assert first == ms("2026-10-24T08:00:00+02:00")
    assert cycle.next_due(first, first) == ms("2026-10-25T08:00:00+01:00")


def test_start_with_shanghai_zone_and_monthly_interval() -> None:
    cycle = parse_cycle("R/2026-01-31T09:00:00@Asia/Shanghai/P1M")
    first = cycle.first_due(0)
    assert first == ms("2026-01-31T09:00:00+08:00")
    # Java adds months to the date-time as Zeebe resolved it, so the clamped day sticks.
    second = cycle.next_due(first, first)
    assert second == ms("2026-02-28T09:00:00+08:00")
    assert cycle.next_due(second, second) == ms("2026-03-28T09:00:00+08:00")


def test_start_with_offset_only_uses_fixed_offset_days() -> None:
    cycle = parse_cycle("R/2026-10-24T08:00:00+02:00/P1D")
    first = cycle.first_due(0)
    assert cycle.next_due(first, first) == first + DAY


def test_late_wake_up_fires_once_then_reanchors_on_now() -> None:
    cycle = parse_cycle("R/PT10M")
    previous = START
    now = START + 35 * MINUTE
    assert cycle.next_due(previous, now) == now + 10 * MINUTE


def test_late_wake_up_with_start_date_reanchors_on_now_in_the_start_zone() -> None:
    cycle = parse_cycle("R/2026-10-01T08:00:00Z/P1D")
    previous = ms("2026-10-01T08:00:00Z")
    now = ms("2026-10-04T09:15:00Z")
    assert cycle.next_due(previous, now) == ms("2026-10-05T09:15:00Z")


def test_next_due_exactly_at_now_is_not_returned() -> None:
    cycle = parse_cycle("R/PT10S")
    assert cycle.next_due(START, START + 10 * SECOND) == START + 20 * SECOND


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("R5", "no interval"),
        ("Rx/PT10S", "repetition count"),
        ("R-1/PT10S", "repetition count"),
        ("R5/PT1X", "not an ISO 8601 duration"),
        ("R5/PT0S", "zero-length"),
        ("R5/-PT1S", "negative"),
        ("R3/2026-10-01T08:00:00/P1D", "neither an offset nor a zone id"),
        ("R3/yesterday/P1D", "not an ISO 8601 date-time"),
    ],
)
def test_repeating_interval_errors(value: str, problem: str) -> None:
    with pytest.raises(TimerFormatError, match=problem):
        parse_cycle(value)


# --- timeCycle: cron ---------------------------------------------------------------------------------


def cron_run(expression: str, after: str, count: int) -> list[int]:
    cycle = parse_cycle(expression)
    now = ms(after)
    due = cycle.first_due(now)
    runs = [due]
    for _ in range(count - 1):
        next_due = cycle.next_due(due, due)
        assert next_due is not None
        due = next_due
        runs.append(due)
    return runs


def test_cron_repeats_forever() -> None:
    assert parse_cycle("0 0 9 * * MON-FRI").repetitions == -1


def test_cron_weekdays_at_nine() -> None:
    # 2026-10-01 is a Thursday.
    assert cron_run("0 0 9 * * MON-FRI", "2026-10-01T09:00:00Z", 3) == [
        ms("2026-10-02T09:00:00Z"),
        ms("2026-10-05T09:00:00Z"),
        ms("2026-10-06T09:00:00Z"),
    ]


def test_cron_is_strictly_after_now() -> None:
    cycle = parse_cycle("0 0 9 * * *")
    assert cycle.first_due(ms("2026-10-01T08:59:59.999Z")) == ms("2026-10-01T09:00:00Z")
    assert cycle.first_due(ms("2026-10-01T09:00:00Z")) == ms("2026-10-02T09:00:00Z")


@pytest.mark.parametrize(
    ("expression", "after", "expected"),
    [
        ("*/20 * * * * *", "2026-10-01T10:00:05Z", ["10:00:20", "10:00:40", "10:01:00"]),
        ("0 5/20 * * * *", "2026-10-01T10:00:00Z", ["10:05:00", "10:25:00", "10:45:00"]),
        ("0 0 8-10/2 * * *", "2026-10-01T07:00:00Z", ["08:00:00", "10:00:00"]),
        ("0 15,45 10 * * ?", "2026-10-01T10:00:00Z", ["10:15:00", "10:45:00"]),
        ("30 10-11 10 * * *", "2026-10-01T10:00:00Z", ["10:10:30", "10:11:30"]),
    ],
)
def test_cron_steps_ranges_and_lists(expression: str, after: str, expected: list[str]) -> None:
    runs = cron_run(expression, after, len(expected))
    assert runs == [ms(f"2026-10-01T{time}Z") for time in expected]


@pytest.mark.parametrize(
    ("expression", "after", "expected"),
    [
        ("0 0 0 1 jan,Jul *", "2026-10-01T00:00:00Z", ["2027-01-01", "2027-07-01"]),
        ("0 0 0 * * SUN", "2026-10-01T00:00:00Z", ["2026-10-04", "2026-10-11"]),
        ("0 0 0 * * wed,SAT", "2026-10-01T00:00:00Z", ["2026-10-03", "2026-10-07"]),
        ("0 0 0 * * 0", "2026-10-01T00:00:00Z", ["2026-10-04", "2026-10-11"]),
        ("0 0 0 * * 7", "2026-10-01T00:00:00Z", ["2026-10-04", "2026-10-11"]),
        # Spring counts Monday as 1, so every second weekday starts on Monday.
        ("0 0 0 * * */2", "2026-10-01T00:00:00Z", ["2026-10-02", "2026-10-04", "2026-10-05"]),
        ("0 0 0 31 * *", "2026-10-31T00:00:00Z", ["2026-12-31", "2027-01-31", "2027-03-31"]),
        ("0 0 0 29 2 *", "2026-01-01T00:00:00Z", ["2028-02-29", "2032-02-29"]),
    ],
)
def test_cron_names_and_calendar(expression: str, after: str, expected: list[str]) -> None:
    runs = cron_run(expression, after, len(expected))
    assert runs == [ms(f"{day}T00:00:00Z") for day in expected]


def test_cron_day_of_month_and_day_of_week_must_both_match_as_in_spring() -> None:
    # Friday the 13th, not every 13th plus every Friday.
    assert cron_run("0 0 12 13 * FRI", "2026-01-01T00:00:00Z", 2) == [
        ms("2026-02-13T12:00:00Z"),
        ms("2026-03-13T12:00:00Z"),
    ]
    # The first Monday of the month.
    assert cron_run("0 0 9 1-7 * MON", "2026-10-01T00:00:00Z", 2) == [
        ms("2026-10-05T09:00:00Z"),
        ms("2026-11-02T09:00:00Z"),
    ]


@pytest.mark.parametrize(
    ("macro", "expected"),
    [
        ("@yearly", "2027-01-01T00:00:00Z"),
        ("@annually", "2027-01-01T00:00:00Z"),
        ("@monthly", "2026-11-01T00:00:00Z"),
        ("@weekly", "2026-10-04T00:00:00Z"),
        ("@daily", "2026-10-02T00:00:00Z"),
        ("@midnight", "2026-10-02T00:00:00Z"),
        ("@hourly", "2026-10-01T11:00:00Z"),
    ],
)
def test_cron_macros(macro: str, expected: str) -> None:
    assert parse_cycle(macro).first_due(ms("2026-10-01T10:30:00Z")) == ms(expected)


def test_cron_late_wake_up_skips_to_the_next_match_after_now() -> None:
    cycle = parse_cycle("0 0 * * * *")
    previous = ms("2026-10-01T10:00:00Z")
    now = ms("2026-10-01T13:20:00Z")
    assert cycle.next_due(previous, now) == ms("2026-10-01T14:00:00Z")


def test_cron_is_evaluated_in_utc_regardless_of_the_reader() -> None:
    assert parse_cycle("0 0 9 * * *").first_due(ms("2026-10-01T08:00:00+08:00")) == ms("2026-10-01T09:00:00Z")


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("0 0 9 * *", "expected 6 fields"),
        ("0 0 9 * * * *", "expected 6 fields"),
        ("@fortnightly", "expected 6 fields"),
        ("60 * * * * *", "second '60' has 60, outside 0-59"),
        ("0 0 24 * * *", "hour '24' has 24, outside 0-23"),
        ("0 0 0 0 * *", "day-of-month '0' has 0, outside 1-31"),
        ("0 0 0 * 13 *", "month '13' has 13"),
        ("0 0 0 * * 8", "day-of-week '8' has 8"),
        ("0 0 0 * * FOO", "neither a number nor a name"),
        ("0 0 0 * * FRI-MON", "runs backwards"),
        ("*/0 * * * * *", "step"),
        ("? * * * * *", "only the day fields"),
        ("0 0 0 L * *", "not supported"),
        ("0 0 0 ? * FRI#2", "not supported"),
        ("0 0 0 ? * 5L", "not supported"),
        ("0 0 0 15W * ?", "not supported"),
        ("0 0 0 30 2 *", "never fire"),
        ("0 0 0 31 4,6 *", "never fire"),
    ],
)
def test_cron_errors_name_the_value(value: str, problem: str) -> None:
    with pytest.raises(TimerFormatError, match=re.escape(problem)) as error:
        parse_cycle(value)
    assert repr(value) in str(error.value)
