"""Reading the seed knowledge base: every entry validated before any is written, a mistake named by
file, line and key."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from minsheng.knowledge_eval import SEED, canonical
from workers.classification_policy import load_classification_policy
from workers.knowledge.seed import SeedError, read_seed

CONFIG = Path(__file__).resolve().parents[3] / "config"
UNITS = ("人力资源社会保障局", "民政局")
ENTRY = {
    "question": "失业金怎么领／失业保险金申领",
    "answer": "非因本人意愿中断就业、已办理失业登记的，可通过政务服务APP申领失业保险金。",
    "topic": "失业登记与失业金",
    "unit": "人力资源社会保障局",
    "policy_basis": "《失业保险条例》",
    "valid_from": "2026-01-01T00:00:00+08:00",
    "valid_until": "2027-12-31T23:59:59+08:00",
}


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "entries.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def line(**changes: object) -> str:
    entry = {**ENTRY, **changes}
    return json.dumps({key: value for key, value in entry.items() if value is not None}, ensure_ascii=False)


def test_a_valid_file_gives_its_entries_in_order(tmp_path: Path) -> None:
    path = write(tmp_path, line(), "", line(question="低保怎么申请", unit="民政局", valid_until=None))
    first, second = read_seed(path, UNITS)
    assert first.question == ENTRY["question"] and first.unit == "人力资源社会保障局"
    assert first.valid_from == datetime(2025, 12, 31, 16, tzinfo=UTC)
    assert second.valid_until is None and second.unit == "民政局"


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (line(answer=None), "line 2: answer: is required"),
        (line(answer="   "), "line 2: answer: must not be blank"),
        (
            line(unit="公安局"),
            "line 2: unit: is not in the unit directory ([units] of classification.toml), got",
        ),
        (line(valid_from="2026-01-01T00:00:00"), "line 2: valid_from: "),
        (line(valid_until="2025-06-30T00:00:00+08:00"), "line 2: valid_until must be later than valid_from"),
        (line(owner="张三"), "line 2: owner: is not a known key"),
        (line(question="低保怎么申请"), "line 2: question: the same question as line 1"),
        ('{"question": "失业金怎么领"', "line 2: not valid JSON"),
        ('["失业金怎么领"]', "line 2: must be a JSON object"),
    ],
)
def test_a_bad_line_is_named_by_file_line_and_key(tmp_path: Path, bad: str, expected: str) -> None:
    path = write(tmp_path, line(question="低保怎么申请"), bad)
    with pytest.raises(SeedError) as raised:
        read_seed(path, UNITS)
    message = str(raised.value)
    assert message.startswith(f"{path}, line 2"), f"the error does not name the file and line: {message}"
    assert expected in message, f"expected {expected!r} in the error, got: {message}"
    assert len(message.splitlines()) == 1, f"more than the bad line was blamed: {message}"


def test_every_bad_line_is_reported_at_once(tmp_path: Path) -> None:
    path = write(tmp_path, line(topic=None), line(question="低保怎么申请"), line(question="x", unit="公安局"))
    with pytest.raises(SeedError) as raised:
        read_seed(path, UNITS)
    assert str(raised.value).splitlines() == [
        f"{path}, line 1: topic: is required",
        f'{path}, line 3: unit: is not in the unit directory ([units] of classification.toml), got "公安局"',
    ]


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(SeedError, match=r"entries\.jsonl: cannot read"):
        read_seed(tmp_path / "entries.jsonl")


def test_the_shipped_seed_validates_against_the_unit_directory() -> None:
    entries = read_seed(SEED, load_classification_policy(CONFIG).units)
    assert 180 <= len(entries) <= 220, f"the seed has {len(entries)} entries"
    assert len({canonical(entry.question) for entry in entries}) == len(entries), "canonical questions repeat"
    lapsing = [entry for entry in entries if entry.valid_until and entry.valid_until.year == 2026]
    assert lapsing, "no entry ends before 2027, so the yearly review has nothing to show"
    assert all(80 <= len(entry.answer) <= 300 for entry in entries), (
        "an answer is shorter or longer than agreed"
    )
