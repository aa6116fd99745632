"""Temporal literals, conversion functions, arithmetic, comparison and properties."""

from __future__ import annotations

import pytest

from .helpers import run


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('@"2026-10-01"', "2026-10-01"),
        ('@"10:00:00"', "10:00:00"),
        ('@"10:00:00+08:00"', "10:00:00+08:00"),
        ('@"2026-10-01T10:00:00"', "2026-10-01T10:00:00"),
        ('@"2026-10-01T10:00:00Z"', "2026-10-01T10:00:00Z"),
        ('@"2026-10-01T10:00:00+08:00"', "2026-10-01T10:00:00+08:00"),
        ('@"2026-10-01T10:00:00@Asia/Shanghai"', "2026-10-01T10:00:00+08:00[Asia/Shanghai]"),
        ('@"2026-10-01T10:00:00+08:00[Asia/Shanghai]"', "2026-10-01T10:00:00+08:00[Asia/Shanghai]"),
        ('@"P7D"', "P7D"),
        ('@"PT2H"', "PT2H"),
        ('@"PT48H"', "P2D"),
        ('@"P1Y2M"', "P1Y2M"),
        ('@"P14M"', "P1Y2M"),
        ('@"-PT90M"', "-PT1H30M"),
        ('@"2026-02-30"', None),
        ('@"P1Y2D"', None),
        ('date("2026-10-01")', "2026-10-01"),
        ("date(2026, 10, 1)", "2026-10-01"),
        ('date(date and time("2026-10-01T23:00:00"))', "2026-10-01"),
        ('time("10:30")', "10:30:00"),
        ("time(10, 30, 15.5)", "10:30:15.5"),
        ('time(10, 0, 0, duration("PT2H"))', "10:00:00+02:00"),
        ('date and time("2026-10-01")', "2026-10-01T00:00:00"),
        ('date and time(date("2026-10-01"), time("10:00:00+01:00"))', "2026-10-01T10:00:00+01:00"),
        (
            'date and time(@"2026-10-01T10:00:00Z", "Asia/Shanghai")',
            "2026-10-01T18:00:00+08:00[Asia/Shanghai]",
        ),
        ('duration("P1DT2H")', "P1DT2H"),
        ('duration("PT0S")', "P0D"),
        ('years and months duration(date("2020-01-15"), date("2021-03-14"))', "P1Y1M"),
        ('years and months duration(date("2021-03-14"), date("2020-01-15"))', "-P1Y1M"),
    ],
)
def test_values_and_conversion(source: str, expected: object) -> None:
    assert run(source) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('@"2026-10-01" + @"P7D"', "2026-10-08"),
        ('@"2026-01-31" + @"P1M"', "2026-02-28"),
        ('@"2026-10-01" - @"2026-09-01"', "P30D"),
        ('@"2026-10-01" + @"PT36H"', "2026-10-02"),
        ('@"2026-10-01T10:00:00" - @"2026-10-01T08:30:00"', "PT1H30M"),
        ('@"2026-10-01T10:00:00Z" - @"2026-10-01T10:00:00+02:00"', "PT2H"),
        ('@"2026-10-01T10:00:00" - @"2026-10-01T10:00:00Z"', None),
        ('@"2026-03-29T01:30:00@Europe/Paris" + @"PT1H"', "2026-03-29T03:30:00+02:00[Europe/Paris]"),
        ('@"23:00:00" + @"PT2H"', "01:00:00"),
        ('@"10:00:00" - @"09:30:00"', "PT30M"),
        ('@"P1D" * 2', "P2D"),
        ('@"P1D" * 1.5', "P1D"),
        ('@"P1D" / 4', "PT6H"),
        ('@"P1D" / @"PT5H"', 4),
        ('@"P1Y" / @"P5M"', 2),
        ('@"P1Y" + @"P2M"', "P1Y2M"),
        ('@"P1D" + @"P1Y"', None),
        ('-@"P1D"', None),
        ('@"2026-10-01" < @"2026-10-02"', True),
        ('@"P1D" > @"PT23H"', True),
        ('@"P1Y" = @"P12M"', True),
        ('@"2026-10-01T10:00:00Z" = @"2026-10-01T12:00:00+02:00"', True),
        ('@"2026-10-01" < @"2026-10-01T10:00:00"', None),
        ('@"10:00:00+01:00" = @"09:00:00Z"', True),
    ],
)
def test_arithmetic_and_comparison(source: str, expected: object) -> None:
    assert run(source) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('@"2026-10-01".year', 2026),
        ('@"2026-10-01".weekday', 4),
        ('@"2026-10-01T10:20:30.5".second', 30),
        ('@"2026-10-01T10:20:30+08:00".time offset', "PT8H"),
        ('@"2026-10-01T10:20:30+08:00".timezone', None),
        ('@"2026-10-01T10:20:30@Asia/Shanghai".timezone', "Asia/Shanghai"),
        ('@"2026-10-01T10:20:30".time offset', None),
        ('@"P1DT2H3M4S".days', 1),
        ('@"P1DT2H3M4S".hours', 2),
        ('@"-P1DT2H".hours', -2),
        ('@"P1Y2M".years', 1),
        ('@"-P1Y2M".months', -2),
        ('@"2026-10-01".missing', None),
        ('day of week(@"2026-10-01")', "Thursday"),
        ('day of year(@"2026-02-01")', 32),
        ('week of year(@"2021-01-01")', 53),
        ('month of year(@"2026-10-01")', "October"),
        ('last day of month(@"2024-02-10")', "2024-02-29"),
    ],
)
def test_properties_and_calendar_functions(source: str, expected: object) -> None:
    assert run(source) == expected
