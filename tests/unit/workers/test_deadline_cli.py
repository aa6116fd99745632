from pathlib import Path

import pytest

from minsheng.cli import main

COUNTY_CONFIG = Path(__file__).resolve().parents[3] / "config" / "jurisdictions" / "county-example"


def deadline(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, str, str]:
    status = main(["deadline", "--channel", "hotline-ticket", *arguments])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture(autouse=True)
def shipped_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINSHENG_CONFIG_DIR", str(COUNTY_CONFIG.parents[1]))


def test_prints_the_due_date_and_reminder(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = deadline(capsys, "--category", "咨询", "--from", "2026-02-13T16:00")
    assert status == 0
    assert out.splitlines() == [
        "limit       2 working days",
        "due         2026-02-25T00:00:00+08:00",
        "remind      2026-02-24T08:30:00+08:00",
    ]


def test_decides_an_extension(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = deadline(
        capsys,
        "--category",
        "咨询",
        "--from",
        "2025-09-30T10:00",
        "--extension-requested-at",
        "2025-09-30T17:00",
    )
    assert status == 0
    assert out.splitlines()[3:] == [
        "extension   allowed: requested 2025-09-30T17:00:00+08:00, allowed until the end of 2025-09-30",
        "new due     2025-10-14T00:00:00+08:00",
        "new remind  2025-10-13T08:30:00+08:00",
    ]


def test_a_2027_date_is_refused_by_name(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = deadline(capsys, "--category", "投诉", "--from", "2027-03-01T10:00+08:00")
    assert (status, out) == (1, "")
    assert err.startswith("minsheng deadline: the working-day calendar does not cover 2027")


def test_the_config_dir_selects_the_jurisdiction(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MINSHENG_CONFIG_DIR", str(COUNTY_CONFIG))
    _, out, _ = deadline(capsys, "--category", "咨询", "--from", "2025-09-30T10:00")
    assert out.splitlines()[:2] == ["limit       5 working days", "due         2025-10-15T00:00:00+08:00"]


def test_a_policy_mistake_names_the_file(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MINSHENG_CONFIG_DIR", "/nonexistent")
    status, _, err = deadline(capsys, "--category", "咨询", "--from", "2025-09-30T10:00")
    assert status == 2
    assert "/nonexistent/deadlines.toml: cannot read" in err


def test_prints_a_schedules_dates_before_an_event(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    shipped = COUNTY_CONFIG.parents[1]
    for name in ("deadlines.toml", "calendar.toml"):
        text = (shipped / name).read_text(encoding="utf-8")
        extra = (
            "\n[schedules.test-event]\npreviewDueAt = { working_days_before = 3 }\n"
            if name == "deadlines.toml"
            else ""
        )
        (tmp_path / name).write_text(text + extra, encoding="utf-8")
    monkeypatch.setenv("MINSHENG_CONFIG_DIR", str(tmp_path))
    assert main(["schedule", "--name", "test-event", "--event-at", "2026-12-10T09:00"]) == 0
    assert capsys.readouterr().out.splitlines() == ["previewDueAt  2026-12-08T00:00:00+08:00"]
    assert main(["schedule", "--name", "meeting", "--event-at", "2026-12-10T09:00"]) == 1
    assert "no schedule 'meeting'" in capsys.readouterr().err
