"""`config/reports.toml`: the shipped files load, and mistakes name the file, the key and the problem."""

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from workers.policy import PolicyError
from workers.report_policy import REPORT_POLICY_FILE, load_report_policy
from workers.reports.counts import COUNTS

SHIPPED_CONFIG = Path(__file__).resolve().parents[3] / "config"
COUNTY_CONFIG = SHIPPED_CONFIG / "jurisdictions" / "county-example"


@pytest.mark.parametrize("config", [SHIPPED_CONFIG, COUNTY_CONFIG], ids=["default", "county"])
def test_the_shipped_policies_load(config: Path) -> None:
    policy = load_report_policy(config)
    assert policy.ranking.size == 3
    assert {"on-time-rate", "reply-rate", "satisfaction-rate", "resolution-rate"} <= set(policy.indicators)
    assert policy.indicators["on-time-rate"].numerator == "completed_on_time"


def test_the_county_ranks_by_other_weights() -> None:
    assert (
        load_report_policy(COUNTY_CONFIG).ranking.weights
        != load_report_policy(SHIPPED_CONFIG).ranking.weights
    )


def write(tmp_path: Path, change: dict[str, Any]) -> Path:
    """The shipped file with `change` merged into it, written as TOML into `tmp_path`."""
    with (SHIPPED_CONFIG / REPORT_POLICY_FILE).open("rb") as file:
        data = tomllib.load(file)

    def merge(target: dict[str, Any], update: dict[str, Any]) -> None:
        for key, value in update.items():
            if isinstance(value, dict) and isinstance(target.get(key), dict):
                merge(target[key], value)
            else:
                target[key] = value

    merge(data, change)
    (tmp_path / REPORT_POLICY_FILE).write_text(_toml(data), encoding="utf-8")
    return tmp_path


def _toml(data: dict[str, Any], prefix: str = "") -> str:
    """Enough TOML for these tests: scalars, lists of scalars, tables and arrays of tables."""
    lines, tables = [], []
    for key, value in data.items():
        quoted = json.dumps(key, ensure_ascii=False)
        if isinstance(value, dict):
            tables.append(f"[{prefix}{quoted}]\n" + _toml(value, f"{prefix}{quoted}."))
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            tables += [f"[[{prefix}{quoted}]]\n" + _toml(item, f"{prefix}{quoted}.") for item in value]
        else:
            lines.append(f"{quoted} = {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(lines) + "\n" + "\n".join(tables)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"indicators": {"reply-rate": {"denominator": "cases"}}},
            r"indicators\.reply-rate\.denominator: must be one of the counts received, ",
        ),
        (
            {
                "indicators": {
                    "odd": {"label": "每件催办", "numerator": "reminders", "denominator": "received"}
                }
            },
            r"indicators\.odd: numerator reminders and denominator received must count the same things",
        ),
        (
            {"ranking": {"weights": {"overdue": 10}}},
            r"ranking\.weights\.overdue: must be a rate among indicators",
        ),
        ({"ranking": {"size": 0}}, r"ranking\.size: must be at least 1, got 0"),
        ({"cases": {"completed_statuses": []}}, r"cases\.completed_statuses: must not be empty"),
        ({"replies": {"resolved_grades": ["D"]}}, r"replies\.resolved_grades\.0: must be 'A', 'B' or 'C'"),
        ({"express": {"keywords": {"match": ["body"]}}}, r"express\.keywords\.match\.0: must be 'title', "),
        ({"timezone": "Mars/Olympus"}, r"timezone: is not a known IANA time zone"),
        ({"indicators": {"Reply Rate": {"label": "x", "numerator": "replied"}}}, r"indicators\.Reply Rate"),
    ],
)
def test_mistakes_name_the_file_the_key_and_the_problem(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    config = write(tmp_path, change)
    with pytest.raises(PolicyError) as raised:
        load_report_policy(config)
    assert str(raised.value).startswith(str(config / REPORT_POLICY_FILE) + ": ")
    assert raised.match(message)


def test_each_grade_needs_a_label(tmp_path: Path) -> None:
    text = (SHIPPED_CONFIG / REPORT_POLICY_FILE).read_text(encoding="utf-8")
    (tmp_path / REPORT_POLICY_FILE).write_text(text.replace('\nC = "', '\nD = "'), encoding="utf-8")
    with pytest.raises(PolicyError) as raised:
        load_report_policy(tmp_path)
    assert raised.match(r"suggestions\.grades\.D\.\[key\]: must be 'A', 'B' or 'C'")


def test_a_chart_mixing_rates_and_counts_is_refused(tmp_path: Path) -> None:
    with (SHIPPED_CONFIG / REPORT_POLICY_FILE).open("rb") as file:
        charts = tomllib.load(file)["charts"]
    charts[0]["indicators"] = ["received", "reply-rate", "nothing"]
    with pytest.raises(PolicyError) as raised:
        load_report_policy(write(tmp_path, {"charts": charts}))
    assert raised.match(r"charts\.0\.indicators: 'nothing' is not among indicators")
    assert raised.match(r"charts\.0\.indicators: must be all rates or all counts")


def test_every_count_has_a_label_and_a_definition() -> None:
    assert all(count.label and count.description for count in COUNTS.values())


# The words the diagrams use for the status that ends a case (办结), whichever channel.
CLOSING_STATUSES = {"closed", "completed"}


@pytest.mark.parametrize("config", [SHIPPED_CONFIG, COUNTY_CONFIG], ids=["default", "county"])
def test_every_closing_status_the_diagrams_record_counts_as_completed(config: Path) -> None:
    diagrams = sorted((SHIPPED_CONFIG.parent / "bpmn").glob("*.bpmn"))
    recorded = {
        status
        for diagram in diagrams
        for status in re.findall(r'<zeebe:header key="status" value="([^"]+)"', diagram.read_text("utf-8"))
    }
    closing = recorded & CLOSING_STATUSES
    assert closing, "no diagram records a closing status any more: update CLOSING_STATUSES"
    missing = closing - set(load_report_policy(config).cases.completed_statuses)
    assert not missing, f"cases closed as {sorted(missing)} would never count as 办结 in bulletins"
