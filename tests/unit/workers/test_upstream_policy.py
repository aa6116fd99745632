"""`config/upstream.toml`: both shipped jurisdictions load; mistakes name the file, key and problem."""

import shutil
from pathlib import Path

import pytest

from workers.classification_policy import CLASSIFICATION_POLICY_FILE
from workers.policy import PolicyError
from workers.upstream_policy import UPSTREAM_POLICY_FILE, known_categories, load_upstream_policy

CONFIG = Path(__file__).resolve().parents[3] / "config"
COUNTY = CONFIG / "jurisdictions" / "county-example"
SHIPPED = (CONFIG / UPSTREAM_POLICY_FILE).read_text(encoding="utf-8")


def test_both_jurisdictions_load_and_fetch_at_least_twice_a_working_day() -> None:
    for config in (CONFIG, COUNTY):
        policy = load_upstream_policy(config)
        assert len(policy.schedule.fetch_times) >= 2
        assert policy.schedule.working_days_only
        assert set(policy.platforms) == {"provincial-hotline", "online-message"}
        # Shipped disabled: nothing is fetched from an example address.
        assert not any(platform.enabled for platform in policy.platforms.values())
        for platform in policy.platforms.values():
            assert set(platform.categories.values()) <= known_categories(config)


def problems(tmp_path: Path, old: str, new: str) -> str:
    assert old in SHIPPED
    (tmp_path / UPSTREAM_POLICY_FILE).write_text(SHIPPED.replace(old, new, 1), encoding="utf-8")
    shutil.copy(CONFIG / CLASSIFICATION_POLICY_FILE, tmp_path / CLASSIFICATION_POLICY_FILE)
    with pytest.raises(PolicyError) as raised:
        load_upstream_policy(tmp_path)
    return str(raised.value)


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (
            'fetch_times = ["09:00", "15:00"]',
            'fetch_times = ["09:00"]',
            "schedule: fetch_times: seed 000 asks for at least two fetches every working day",
        ),
        (
            'fetch_times = ["09:00", "15:00"]',
            'fetch_times = ["09:00", "25:00"]',
            "schedule.fetch_times.1: must be a time of day written HH:MM, got '25:00'",
        ),
        (
            'fetch_times = ["09:00", "15:00"]',
            'fetch_times = ["15:00", "09:00"]',
            "schedule: fetch_times: must be in increasing order without repeats",
        ),
        (
            'kind = "http-json"',
            'kind = "ftp"',
            "platforms.provincial-hotline.kind: must be 'http-json'",
        ),
        (
            'base_url = "https://hotline.example.gov.cn/api/v1"',
            'base_url = "hotline.example.gov.cn"',
            "platforms.provincial-hotline.base_url: must be an http:// or https:// address",
        ),
        (
            'path = "/orders/{upstream_id}/ack"',
            'path = "/orders/{order}/ack"',
            "platforms.provincial-hotline.endpoints.acknowledge.path: may only use the placeholder "
            "{upstream_id}, got order",
        ),
        (
            'path = "/orders?status=assigned"',
            'path = "/orders/{upstream_id}"',
            "platforms.provincial-hotline.endpoints: fetch_new.path: cannot contain {upstream_id}",
        ),
        (
            'path = "/orders/{upstream_id}/ack"',
            'path = "/orders/ack"',
            "platforms.provincial-hotline.endpoints: acknowledge.path: must contain {upstream_id}",
        ),
        (
            'path = "/orders/{upstream_id}/reply"',
            'path = "/orders/reply"',
            "platforms.provincial-hotline: endpoints.post_answer.path: must contain {upstream_id}, or "
            "answer_fields.upstream_id must say where the item's id goes in the answer",
        ),
        (
            'post_answer = { method = "POST"',
            'post_answer = { method = "GET"',
            "platforms.provincial-hotline.endpoints: post_answer.method: must be POST or PUT",
        ),
        (
            'unit = "handlingUnit"',
            'unit = "replyContent.unit"',
            "platforms.provincial-hotline.answer_fields: 'replyContent' and 'replyContent.unit' overlap",
        ),
        (
            'title = "subject"\n',
            "",
            "platforms.provincial-hotline.fields.title: is required",
        ),
        (
            'timezone = "Asia/Shanghai"',
            'timezone = "Beijing"',
            "platforms.provincial-hotline.timezone: is not a time zone name such as Asia/Shanghai",
        ),
        (
            "timeout_s = 30",
            "timeout_s = 0",
            "platforms.provincial-hotline.timeout_s: Input should be greater than 0",
        ),
        (
            "[platforms.provincial-hotline.answer_fields]",
            "[platforms.provincial-hotline.answer_field]",
            "platforms.provincial-hotline.answer_field: is not a known key",
        ),
        (
            '"投诉类" = "投诉"',
            '"投诉类" = "控告"',
            "platforms.provincial-hotline.categories.投诉类: '控告' is not a category of classification.toml",
        ),
    ],
)
def test_mistakes_name_the_file_the_key_and_the_problem(
    tmp_path: Path, old: str, new: str, problem: str
) -> None:
    found = problems(tmp_path, old, new)
    assert str(tmp_path / UPSTREAM_POLICY_FILE) in found
    assert problem in found, found


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match=f"{UPSTREAM_POLICY_FILE}: cannot read"):
        load_upstream_policy(tmp_path)
