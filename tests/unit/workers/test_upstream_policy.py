"""`config/upstream.toml`: both shipped jurisdictions load; mistakes name the file, key and problem."""

import shutil
from pathlib import Path

import pytest

from workers.classification_policy import CLASSIFICATION_POLICY_FILE
from workers.policy import PolicyError
from workers.upstream_policy import (
    UPSTREAM_POLICY_FILE,
    EmailPlatform,
    known_categories,
    load_upstream_policy,
)

CONFIG = Path(__file__).resolve().parents[3] / "config"
COUNTY = CONFIG / "jurisdictions" / "county-example"
SHIPPED = (CONFIG / UPSTREAM_POLICY_FILE).read_text(encoding="utf-8")


def test_both_jurisdictions_load_with_their_platforms_and_processes() -> None:
    for config in (CONFIG, COUNTY):
        policy = load_upstream_policy(config)
        assert policy.schedule.working_days_only
        assert policy.retry.backoff_s <= policy.retry.max_backoff_s
        assert {"provincial-hotline", "online-message"} <= set(policy.platforms)
        assert policy.platforms["provincial-hotline"].process == "hotline-ticket"
        assert policy.platforms["online-message"].process == "online-message", (
            "items of the online-message platform must start the online-message process"
        )
        # Shipped disabled: nothing is fetched from an example address.
        assert not any(platform.enabled for platform in policy.platforms.values())
        for platform in policy.platforms.values():
            assert set(platform.categories.values()) <= known_categories(config)


def test_the_email_platform_reads_its_category_from_a_subject_tag() -> None:
    platform = load_upstream_policy(CONFIG).platforms["email-referral"]
    assert isinstance(platform, EmailPlatform), f"email-referral is {platform.kind}, not email"
    assert (platform.imap_port, platform.imap_security, platform.mailbox) == (993, "ssl", "INBOX")
    assert platform.processed_mailbox == "Minsheng/已受理"
    assert "【】" in platform.subject_tags and "[]" in platform.subject_tags
    assert platform.categories["投诉类"] == "投诉"
    # No default: a mail without a tag is quarantined, not filed under a guessed category.
    assert platform.default_category is None
    # The password is never in the file.
    assert "password" not in EmailPlatform.model_fields


def test_an_empty_file_means_no_platforms_with_the_default_schedule_and_retry(tmp_path: Path) -> None:
    (tmp_path / UPSTREAM_POLICY_FILE).write_text("", encoding="utf-8")
    shutil.copy(CONFIG / CLASSIFICATION_POLICY_FILE, tmp_path / CLASSIFICATION_POLICY_FILE)
    policy = load_upstream_policy(tmp_path)
    assert policy.platforms == {}
    assert policy.schedule.working_days_only
    assert (policy.retry.backoff_s, policy.retry.max_backoff_s) == (60, 1800)


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
            "working_days_only = true",
            'working_days_only = true\nfetch_times = ["09:00", "15:00"]',
            "schedule.fetch_times: is not a known key",
        ),
        (
            "max_backoff_s = 1800",
            "max_backoff_s = 30",
            "retry: max_backoff_s: must be at least backoff_s (60), got 30",
        ),
        (
            "backoff_s = 60",
            "backoff_s = 0",
            "retry.backoff_s: Input should be greater than 0",
        ),
        (
            'process = "online-message"',
            'process = "letters"',
            "platforms.online-message.process: must be 'hotline-ticket' or 'online-message'",
        ),
        (
            'kind = "http-json"',
            'kind = "ftp"',
            "platforms.provincial-hotline.kind: must be 'http-json' or 'email', got \"ftp\"",
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
        (
            'kind = "http-json"\nname = "省12345政务服务便民热线系统"',
            'name = "省12345政务服务便民热线系统"',
            "platforms.provincial-hotline.kind: is required",
        ),
        (
            'imap_security = "ssl"',
            'imap_security = "none"',
            'platforms.email-referral: imap_security: "none" sends the password in the clear and is '
            "only allowed for localhost, not 'mail.example.gov.cn'",
        ),
        (
            'smtp_security = "ssl"',
            'smtp_security = "plain"',
            "platforms.email-referral.smtp_security: must be 'ssl', 'starttls' or 'none'",
        ),
        (
            "imap_port = 993",
            "imap_port = 99300",
            "platforms.email-referral.imap_port: Input should be less than 65536",
        ),
        (
            'imap_host = "mail.example.gov.cn"',
            'imap_host = "imaps://mail.example.gov.cn"',
            "platforms.email-referral.imap_host: must be a host name or address without scheme or port",
        ),
        (
            'processed_mailbox = "Minsheng/已受理"\n',
            "",
            "platforms.email-referral.processed_mailbox: is required",
        ),
        (
            'from_address = "12345@example.gov.cn"',
            'from_address = "12345 hotline"',
            "platforms.email-referral.from_address: must be a mail address such as hotline@example.gov.cn",
        ),
        (
            'subject_tags = ["【】", "[]", "［］"]',
            'subject_tags = ["【", "[]"]',
            "platforms.email-referral.subject_tags.0: must be an opening and a closing bracket such as 【】",
        ),
        (
            'subject_tags = ["【】", "[]", "［］"]',
            'subject_tags = ["【】"]\ndefault_category = "杂项"',
            "platforms.email-referral.default_category: '杂项' is not a category of classification.toml",
        ),
        (
            'username = "12345@example.gov.cn"',
            'username = "12345@example.gov.cn"\npassword = "secret"',
            "platforms.email-referral.password: is not a known key",
        ),
    ],
)
def test_mistakes_name_the_file_the_key_and_the_problem(
    tmp_path: Path, old: str, new: str, problem: str
) -> None:
    found = problems(tmp_path, old, new)
    assert str(tmp_path / UPSTREAM_POLICY_FILE) in found, f"the message does not name the file: {found}"
    assert problem in found, f"expected {problem!r} in the message, got: {found}"


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match=f"{UPSTREAM_POLICY_FILE}: cannot read"):
        load_upstream_policy(tmp_path)
