"""`config/notifications.toml`: both shipped jurisdictions load; mistakes are named at start-up."""

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest

from workers.notification_policy import (
    NOTIFICATION_POLICY_FILE,
    Channel,
    Event,
    load_notification_policy,
)
from workers.policy import PolicyError

CONFIG = Path(__file__).resolve().parents[3] / "config"
COUNTY = CONFIG / "jurisdictions" / "county-example"


def test_both_jurisdictions_tell_every_event() -> None:
    city, county = load_notification_policy(CONFIG), load_notification_policy(COUNTY)
    assert set(city.events) == set(county.events), "the jurisdictions configure the same events"
    assert set(city.events) >= set(Event)
    assert county.sms_signature != city.sms_signature
    overdue = {rule.to: rule.channels for rule in county.events[Event.OVERDUE].recipients}
    assert Channel.SMS in overdue["supervision"]


def test_both_jurisdictions_reach_the_offices_replies_are_copied_to() -> None:
    for config in (CONFIG, COUNTY):
        policy = load_notification_policy(config)
        for role in ("congress-office", "cppcc-office", "government-office", "forum-office"):
            assert policy.roles[role].email is not None, (config, role)
        (copied,) = policy.events[Event.REPLY_COPIED].recipients
        assert copied.to == "copy-to"
    assert load_notification_policy(COUNTY).roles["cppcc-office"].name == "县政协提案委员会"


def write_changed(tmp_path: Path, change: Any) -> Path:
    """The shipped file with `change(data)` applied, written as TOML into `tmp_path`."""
    data = tomllib.loads((CONFIG / NOTIFICATION_POLICY_FILE).read_text())
    change(data)
    (tmp_path / NOTIFICATION_POLICY_FILE).write_text(_toml(data))
    return tmp_path


def _toml(data: dict[str, Any]) -> str:
    """Enough TOML for this file: top-level values, then tables of tables, as inline tables."""
    lines = [
        f"{key} = {json.dumps(value, ensure_ascii=False)}"
        for key, value in data.items()
        if not isinstance(value, dict)
    ]
    for table, entries in data.items():
        if isinstance(entries, dict):
            for name, entry in entries.items():
                lines.append(f'[{table}."{name}"]')
                lines += [f"{key} = {_inline(value)}" for key, value in entry.items()]
    return "\n".join(lines) + "\n"


def _inline(value: Any) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{key} = {_inline(item)}" for key, item in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_inline(item) for item in value) + "]"
    return f'"{value}"'


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda d: d["events"].pop("survey"), "events.survey: is required"),
        (
            lambda d: d["events"]["survey"].update(recipients=[{"to": "appellant", "channels": ["email"]}]),
            "events.survey.recipients.0.channels: the appellant is reached by sms only",
        ),
        (
            lambda d: d["events"]["reminder"].update(recipients=[{"to": "mayor", "channels": ["inbox"]}]),
            "events.reminder.recipients.0.to: is neither a recipient of a case nor a role",
        ),
        (
            lambda d: d["events"]["bulletin-published"].update(
                recipients=[{"to": "lead-unit", "channels": ["inbox"]}]
            ),
            "events.bulletin-published.recipients.0.to: a bulletin-published event has no case",
        ),
        (
            lambda d: d["events"]["returned"].update(
                recipients=[{"to": "hotline-centre", "channels": ["sms"]}]
            ),
            "events.returned.recipients.0.channels: sms needs roles.hotline-centre.phone",
        ),
        (lambda d: d["events"].update({"Closing Soon": {"recipients": []}}), "events.Closing Soon"),
        (
            lambda d: d["units"]["环保局"].pop("email") and d["units"]["环保局"].pop("phone"),
            "units.环保局: needs an email or a phone",
        ),
    ],
)
def test_mistakes_are_named_with_the_file_and_key(tmp_path: Path, change: Any, problem: str) -> None:
    with pytest.raises(PolicyError) as error:
        load_notification_policy(write_changed(tmp_path, change))
    assert f"{tmp_path / NOTIFICATION_POLICY_FILE}: " in str(error.value)
    assert problem in str(error.value)
