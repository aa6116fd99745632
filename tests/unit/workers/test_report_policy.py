"""`config/reports.toml`: the shipped files load, and mistakes name the file, the key and the problem."""

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from workers.ids import ProcessId
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


# A channel of the bulletin's channel sections; the cases below change one thing.
CHANNEL: dict[str, Any] = {
    "label": "测试渠道",
    "by": "unit",
    "indicators": {
        "meetings": {"label": "会议场次", "activity": "meeting-held", "points": 40},
        "attendees": {"label": "列席人数", "activity": "attendees-selected", "sum": "selected"},
        "replies": {"label": "论坛答复", "activity": "forum-replied"},
        "on-time": {"label": "按期答复", "activity": "forum-replied", "where": {"onTime": True}},
        "rate": {"label": "按期答复率", "numerator": "on-time", "denominator": "replies"},
        "total": {"label": "合计得分", "add": ["meetings", "attendees"]},
    },
}


def write_channels(tmp_path: Path, channels: dict[str, Any]) -> Path:
    """The shipped file with `channels` instead of its own (which the channels' owners change)."""
    with (SHIPPED_CONFIG / REPORT_POLICY_FILE).open("rb") as file:
        data = tomllib.load(file)
    (tmp_path / REPORT_POLICY_FILE).write_text(_toml({**data, "channels": channels}), encoding="utf-8")
    return tmp_path


def with_indicators(**indicators: dict[str, Any]) -> dict[str, Any]:
    """`CHANNEL` as channel test-channel, with `indicators` added or replaced."""
    return {"test-channel": {**CHANNEL, "indicators": {**CHANNEL["indicators"], **indicators}}}


def test_a_channel_loads_with_its_indicators_in_file_order(tmp_path: Path) -> None:
    policy = load_report_policy(write_channels(tmp_path, with_indicators()))
    channel = policy.channels["test-channel"]
    assert list(channel.indicators) == ["meetings", "attendees", "replies", "on-time", "rate", "total"]
    assert channel.indicators["on-time"].where == {"onTime": True}
    assert channel.activities == {"meeting-held", "attendees-selected", "forum-replied"}


@pytest.mark.parametrize("config", [SHIPPED_CONFIG, COUNTY_CONFIG], ids=["default", "county"])
def test_the_shipped_policy_counts_the_appeal_channels_as_cases(config: Path) -> None:
    appeals = load_report_policy(config).cases.channels
    assert appeals == {"hotline-ticket", "online-message", "deputy-suggestion", "forum-post"}


@pytest.mark.parametrize("config", [SHIPPED_CONFIG, COUNTY_CONFIG], ids=["default", "county"])
def test_every_communication_channel_has_its_section(config: Path) -> None:
    # bpmn/periodic-report.bpmn's monthly bulletin of the channels names these six.
    communication = {
        ProcessId.MEETING_ATTENDANCE,
        ProcessId.WEIBO_RELEASE,
        ProcessId.ONLINE_INTERVIEW,
        ProcessId.ONLINE_SURVEY,
        ProcessId.LEADER_RECEPTION,
        ProcessId.RADIO_HOTLINE,
    }
    policy = load_report_policy(config)
    assert communication - policy.channels.keys() == set(), "channels without a [channels.*] section"
    assert not communication & (policy.cases.channels or communication), (
        "a communication channel's cases count as appeals"
    )


@pytest.mark.parametrize("config", [SHIPPED_CONFIG, COUNTY_CONFIG], ids=["default", "county"])
def test_every_appeal_channel_is_a_case_number_channel(config: Path) -> None:
    with (config / "ledger.toml").open("rb") as file:
        numbered = tomllib.load(file)["case_numbers"]["prefixes"]
    appeals = load_report_policy(config).cases.channels or frozenset()
    assert appeals <= numbered.keys(), (
        f"cases.channels names channels the ledger does not know: {appeals - numbered.keys()}"
    )


KEY = r"channels\.test-channel\.indicators\."


@pytest.mark.parametrize(
    ("channels", "message"),
    [
        (
            with_indicators(rate={"label": "率", "numerator": "on-time", "denominator": "nothing"}),
            KEY + r"rate\.denominator: 'nothing' is not an indicator of this channel",
        ),
        (
            with_indicators(total={"label": "得分", "add": ["meetings", "nowhere"]}),
            KEY + r"total\.add: 'nowhere' is not an indicator of this channel",
        ),
        (
            with_indicators(a={"label": "甲", "add": ["b", "meetings"]}, b={"label": "乙", "add": ["a"]}),
            KEY + r"a\.add: a cycle, a → b → a",
        ),
        (with_indicators(a={"label": "甲", "add": ["a"]}), KEY + r"a\.add: a cycle, a → a"),
        (
            with_indicators(
                both={"label": "两者", "activity": "meeting-held", "sum": "selected", "add": ["replies"]}
            ),
            KEY + r"both: sum and add exclude each other",
        ),
        (
            with_indicators(none={"label": "空"}),
            KEY + r"none: needs exactly one of activity .*, numerator and denominator .* or add",
        ),
        (
            with_indicators(mixed={"label": "混", "activity": "meeting-held", "add": ["replies"]}),
            KEY + r"mixed: needs exactly one of activity",
        ),
        (
            with_indicators(half={"label": "半", "numerator": "replies"}),
            KEY + r"half: a rate needs both numerator and denominator",
        ),
        (
            with_indicators(loose={"label": "散", "add": ["replies"], "where": {"onTime": True}}),
            KEY + r"loose: where, sum and points need activity",
        ),
        (
            with_indicators(total={"label": "得分", "add": ["meetings", "rate"]}),
            KEY + r"total\.add: 'rate' is a rate; rates are neither added nor divided",
        ),
        (
            with_indicators(twice={"label": "率之率", "numerator": "rate", "denominator": "replies"}),
            KEY + r"twice\.numerator: 'rate' is a rate",
        ),
        (
            with_indicators(meetings={"label": "会议场次", "activity": "Meeting held"}),
            KEY + r"meetings\.activity: must be an activity's name .*, got \"Meeting held\"",
        ),
        (
            with_indicators(
                attendees={"label": "列席人数", "activity": "attendees-selected", "sum": "selected.count"}
            ),
            KEY + r"attendees\.sum: must be a field of the activity's data",
        ),
        (
            with_indicators(meetings={"label": "会议场次", "activity": "meeting-held", "points": 0}),
            KEY + r"meetings\.points: must be a positive number, got 0$",
        ),
        (
            with_indicators(
                meetings={"label": "会议场次", "activity": "meeting-held", "where": {"onTime": [1]}}
            ),
            KEY + r"meetings\.where\.onTime\.",
        ),
        (
            with_indicators(meetings={"label": "会议场次", "activity": "meeting-held", "count": True}),
            KEY + r"meetings\.count: is not a known key",
        ),
        (
            {"test-channel": {**CHANNEL, "by": "person"}},
            r"channels\.test-channel\.by: must be 'unit' or 'actor', got \"person\"",
        ),
        (
            {"test-channel": {**CHANNEL, "label": "会议/列席"}},
            r"channels\.test-channel\.label: names the workbook's sheet",
        ),
        (
            {"test-channel": CHANNEL, "other-channel": CHANNEL},
            r"channels: '测试渠道' labels two channels",
        ),
        (
            {"test-channel": {**CHANNEL, "indicators": {}}},
            r"channels\.test-channel\.indicators: must not be empty",
        ),
        ({"Test Channel": CHANNEL}, r"channels\.Test Channel\.\[key\]: must be lowercase ASCII"),
    ],
)
def test_channel_mistakes_name_the_file_the_key_and_the_problem(
    tmp_path: Path, channels: dict[str, Any], message: str
) -> None:
    config = write_channels(tmp_path, channels)
    with pytest.raises(PolicyError) as raised:
        load_report_policy(config)
    assert str(raised.value).startswith(str(config / REPORT_POLICY_FILE) + ": ")
    assert raised.match(message)


def test_the_appeal_channels_are_not_empty(tmp_path: Path) -> None:
    with pytest.raises(PolicyError) as raised:
        load_report_policy(write(tmp_path, {"cases": {"channels": []}}))
    assert raised.match(r"reports\.toml: cases\.channels: must not be empty")
