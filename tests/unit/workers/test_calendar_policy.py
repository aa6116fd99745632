from pathlib import Path

import pytest

from workers.deadline_policy import CALENDAR_POLICY_FILE, load_calendar_policy
from workers.policy import PolicyError


def problems(tmp_path: Path, text: str) -> str:
    (tmp_path / CALENDAR_POLICY_FILE).write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError) as raised:
        load_calendar_policy(tmp_path)
    return str(raised.value)


def test_the_shipped_calendar_configures_no_year() -> None:
    assert load_calendar_policy(Path(__file__).resolve().parents[3] / "config").years == {}


def test_a_year_loads_from_unquoted_dates(tmp_path: Path) -> None:
    (tmp_path / CALENDAR_POLICY_FILE).write_text(
        "[years.2027]\nholidays = [2027-01-01]\nworking_days = [2027-02-06]\n", encoding="utf-8"
    )
    year = load_calendar_policy(tmp_path).years[2027]
    assert (str(year.holidays[0]), str(year.working_days[0])) == ("2027-01-01", "2027-02-06")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            '[years.2027]\nholidays = ["2027-01-01"]\n',
            'years.2027.holidays.0: must be a date written YYYY-MM-DD, without quotes, got "2027-01-01"',
        ),
        ("[years.2027]\nholidays = [2028-01-01]\n", "years.2027.holidays.0: 2028-01-01 is not in 2027"),
        (
            "[years.2027]\nholidays = [2027-02-06]\nworking_days = [2027-02-06]\n",
            "years.2027: 2027-02-06 cannot be both a holiday and a working day",
        ),
        ("[years.2027]\nholiday = [2027-01-01]\n", "years.2027.holiday: is not a known key"),
        ("[years.next]\n", "years.next.[key]: must be an integer"),
    ],
)
def test_problems_name_the_file_and_key(tmp_path: Path, text: str, problem: str) -> None:
    assert problems(tmp_path, text).startswith(f"{tmp_path / CALENDAR_POLICY_FILE}: {problem}")
