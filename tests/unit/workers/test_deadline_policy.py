from pathlib import Path

import pytest

from workers.deadline_policy import DEADLINE_POLICY_FILE, DeadlinePolicy, LimitUnit, load_deadline_policy
from workers.policy import PolicyError

SHIPPED_CONFIG = Path(__file__).resolve().parents[3] / "config"
JURISDICTIONS = [SHIPPED_CONFIG, SHIPPED_CONFIG / "jurisdictions" / "county-example"]
SHIPPED = (SHIPPED_CONFIG / DEADLINE_POLICY_FILE).read_text(encoding="utf-8")


def limits(policy: DeadlinePolicy, channel: str) -> dict[str, tuple[LimitUnit, int]]:
    return {name: (limit.unit, limit.amount) for name, limit in policy.limits[channel].items()}


def test_the_shipped_limits_are_domain_mds() -> None:
    policy = load_deadline_policy(SHIPPED_CONFIG)
    days = LimitUnit.WORKING_DAYS
    assert limits(policy, "hotline-ticket") == {
        "咨询": (days, 2),
        "建议": (days, 2),
        "求助": (days, 20),
        "投诉": (days, 20),
        "举报": (days, 20),
        "其他": (days, 20),
        "催办答复": (days, 1),
    }
    assert {limits(policy, "online-message")[c] for c in ("咨询", "建议", "投诉", "求助", "其他")} == {
        (days, 7)
    }
    # [seed 001 ㈤], [seed 003 §五.2], [seed 000 二]
    assert {
        key: limits(policy, "online-message")[key]
        for key in ("简单件", "复杂件", "信箱-咨询建议", "信箱-需调查", "答复审签", "催办答复", "拟办")
    } == {
        "简单件": (days, 2),
        "复杂件": (days, 3),
        "信箱-咨询建议": (days, 7),
        "信箱-需调查": (days, 15),
        "答复审签": (days, 3),
        "催办答复": (days, 1),
        "拟办": (days, 0),
    }
    assert limits(policy, "deputy-suggestion")["交办会"] == (LimitUnit.MONTHS, 3)
    assert limits(policy, "deputy-suggestion")["其他"] == (LimitUnit.MONTHS, 1)
    assert limits(policy, "forum-post") == {
        "首次回应": (LimitUnit.WORKING_HOURS, 3),
        "回复": (days, 5),
        # [seed 003 §九.3(1)]
        "点名": (days, 7),
    }
    assert policy.limits["forum-post"]["回复"].extension_amount == 2
    assert policy.limits["hotline-ticket"]["投诉"].extension_amount == 20
    assert policy.extension.request_working_days_before_due == 2
    assert policy.reminder.working_days_before_due == 1


def test_the_county_has_seed_004s_numbers() -> None:
    county = load_deadline_policy(JURISDICTIONS[1])
    hotline = limits(county, "hotline-ticket")
    assert hotline.pop("催办答复") == (LimitUnit.WORKING_DAYS, 1)
    assert set(hotline.values()) == {(LimitUnit.WORKING_DAYS, 5)}
    assert {limits(county, "online-message")[c] for c in ("咨询", "建议", "投诉", "求助", "其他")} == {
        (LimitUnit.WORKING_DAYS, 3)
    }


def test_every_jurisdiction_has_every_limit_the_default_has() -> None:
    # Diagrams name limits by key; a key missing in one jurisdiction would fail its jobs there.
    default = load_deadline_policy(SHIPPED_CONFIG)
    for directory in JURISDICTIONS[1:]:
        other = load_deadline_policy(directory)
        assert {channel: set(keys) for channel, keys in other.limits.items()} == {
            channel: set(keys) for channel, keys in default.limits.items()
        }


def test_every_jurisdiction_has_every_file_the_default_has() -> None:
    shipped = {path.name for path in SHIPPED_CONFIG.glob("*.toml")}
    for directory in JURISDICTIONS[1:]:
        assert {path.name for path in directory.glob("*.toml")} == shipped


def problems(tmp_path: Path, old: str, new: str) -> str:
    assert old in SHIPPED
    (tmp_path / DEADLINE_POLICY_FILE).write_text(SHIPPED.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(PolicyError) as raised:
        load_deadline_policy(tmp_path)
    return str(raised.value)


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (
            '"咨询" = { working_days = 2 }',
            '"咨询" = { working_days = -1 }',
            "limits.hotline-ticket.咨询.working_days: must be at least 0, got -1",
        ),
        (
            '"咨询" = { working_days = 2 }',
            '"咨询" = { working_days = "2" }',
            'limits.hotline-ticket.咨询.working_days: must be an integer, got "2"',
        ),
        (
            '"咨询" = { working_days = 2 }',
            '"咨询" = { working_days = 2, months = 1 }',
            "limits.hotline-ticket.咨询: must have exactly one of working_days, working_hours, months",
        ),
        (
            '"咨询" = { working_days = 2 }',
            '"咨询" = { weeks = 2 }',
            "limits.hotline-ticket.咨询.weeks: is not a known key",
        ),
        (
            '"首次回应" = { working_hours = 3 }',
            '"首次回应" = { working_hours = 3, extension = 1 }',
            "limits.forum-post.首次回应: a limit in working hours cannot be extended: remove extension",
        ),
        (
            'first_day = "next-day"',
            'first_day = "tomorrow"',
            "counting.first_day: must be 'next-day' or 'same-day', got \"tomorrow\"",
        ),
        (
            'due_time = "24:00"',
            'due_time = "24:30"',
            "counting.due_time: must be a time of day from 00:00 to 24:00, got '24:30'",
        ),
        (
            'due_time = "24:00"',
            "due_time = 24",
            'counting.due_time: must be a time of day as "HH:MM", got 24',
        ),
        (
            "months_end_on_working_day = true",
            'months_end_on_working_day = "yes"',
            'counting.months_end_on_working_day: must be true or false, got "yes"',
        ),
        (
            'timezone = "Asia/Shanghai"',
            'timezone = "Asia/Beijing"',
            "timezone: is not a known IANA time zone, got 'Asia/Beijing'",
        ),
        (
            'start = "14:00"',
            'start = "11:00"',
            "office_hours.1.start: must not be before the end of the one before",
        ),
        ('end = "12:00"', 'end = "08:00"', "office_hours.0: must end after it starts"),
        (
            "request_working_days_before_due = 2",
            "request_working_days_before_due = -1",
            "extension.request_working_days_before_due: must be at least 0, got -1",
        ),
        ("working_days_before_due = 1\n", "", "reminder.working_days_before_due: is required"),
    ],
)
def test_problems_name_the_file_the_key_and_the_problem(
    tmp_path: Path, old: str, new: str, problem: str
) -> None:
    assert problems(tmp_path, old, new).startswith(f"{tmp_path / DEADLINE_POLICY_FILE}: {problem}")


def test_a_channel_without_limits_is_refused(tmp_path: Path) -> None:
    message = problems(
        tmp_path, '[limits.periodic-report]\n"民情快报" = { working_days = 5 }', "[limits.periodic-report]"
    )
    assert (
        message == f"{tmp_path / DEADLINE_POLICY_FILE}: limits.periodic-report: must not be empty, got {{}}"
    )
