"""`minsheng calendar`: the years the working-day calendar covers, and a warning (with `--check`, a
failing status for monitoring) when it runs out within calendar.toml's warn_days_ahead."""

from pathlib import Path

import pytest

from minsheng.cli import main
from workers.deadline_policy import CALENDAR_POLICY_FILE

SHIPPED_CONFIG = Path(__file__).resolve().parents[3] / "config"


def calendar(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, list[str], str]:
    status = main(["calendar", *arguments])
    captured = capsys.readouterr()
    return status, captured.out.splitlines(), captured.err


@pytest.fixture(autouse=True)
def shipped_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINSHENG_CONFIG_DIR", str(SHIPPED_CONFIG))


@pytest.fixture
def calendar_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A config directory of its own whose calendar.toml the test writes."""
    monkeypatch.setenv("MINSHENG_CONFIG_DIR", str(tmp_path))
    return tmp_path / CALENDAR_POLICY_FILE


def test_near_the_year_end_it_warns_and_check_fails(capsys: pytest.CaptureFixture[str]) -> None:
    status, lines, _ = calendar(capsys, "--today", "2026-12-01")
    assert status == 0, "without --check the warning must not fail the command"
    assert lines[:2] == [
        "covered     2004-2026",
        "runs out    2027-01-01 (31 days after 2026-12-01; warned 100 days ahead)",
    ]
    assert len(lines) == 3, f"no warning line: {lines}"
    assert lines[2].startswith("warning     the working-day calendar runs out on 2027-01-01"), lines[2]
    assert "[years.2027]" in lines[2], lines[2]
    status, _, _ = calendar(capsys, "--today", "2026-12-01", "--check")
    assert status == 1, "--check passed although the calendar runs out within the look-ahead"


def test_far_from_the_year_end_it_only_lists_the_years(capsys: pytest.CaptureFixture[str]) -> None:
    status, lines, _ = calendar(capsys, "--today", "2026-06-01", "--check")
    assert status == 0, "--check failed although the calendar lasts beyond the look-ahead"
    assert lines == [
        "covered     2004-2026",
        "runs out    2027-01-01 (214 days after 2026-06-01; warned 100 days ahead)",
    ]


def test_a_configured_year_is_listed_and_silences_the_warning(
    capsys: pytest.CaptureFixture[str], calendar_file: Path
) -> None:
    calendar_file.write_text("[years.2028]\n[years.2027]\n", encoding="utf-8")
    status, lines, _ = calendar(capsys, "--today", "2026-12-01", "--check")
    assert status == 0
    assert lines == [
        "covered     2004-2028",
        "runs out    2029-01-01 (762 days after 2026-12-01; warned 60 days ahead)",
    ]


def test_a_wrong_policy_file_stops_it_by_name(
    capsys: pytest.CaptureFixture[str], calendar_file: Path
) -> None:
    calendar_file.write_text("warn_days_ahead = -1\n", encoding="utf-8")
    status, _, err = calendar(capsys, "--check")
    assert status == 2
    assert "warn_days_ahead: must be a positive integer, got -1" in err, err


def test_a_gap_in_the_covered_years_shows(capsys: pytest.CaptureFixture[str], calendar_file: Path) -> None:
    calendar_file.write_text("warn_days_ahead = 40\n[years.2028]\n", encoding="utf-8")
    status, lines, _ = calendar(capsys, "--today", "2026-12-01", "--check")
    assert status == 1, "--check passed although 2027 is missing between 2026 and 2028"
    assert lines[:2] == [
        "covered     2004-2026, 2028",
        "runs out    2027-01-01 (31 days after 2026-12-01; warned 40 days ahead)",
    ]
