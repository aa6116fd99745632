"""Who registers which channel (config/console.toml `channels`), checked at start-up with errors
that name the key; and the person's name a diagram assigns a task to (console/auth.py)."""

from pathlib import Path

import pytest

from console.auth import person_name
from console.intake import CHANNELS
from console.policy import load_console_policy
from workers.ids import ProcessId
from workers.policy import PolicyError

CONFIG = Path(__file__).resolve().parents[3] / "config"
JURISDICTIONS = [CONFIG, CONFIG / "jurisdictions" / "county-example"]
# Each office of the communication circular's channels registers its own channel, and only it.
OFFICES = {
    "meeting-office": ProcessId.MEETING_ATTENDANCE,
    "e-government": ProcessId.ONLINE_INTERVIEW,
    "website-editorial": ProcessId.ONLINE_SURVEY,
    "petition-office": ProcessId.LEADER_RECEPTION,
    "ethics-office": ProcessId.RADIO_HOTLINE,
    "emergency-office": ProcessId.WEIBO_RELEASE,
}


@pytest.mark.parametrize("config_dir", JURISDICTIONS, ids=lambda path: path.name)
def test_each_office_registers_its_own_channel_and_the_hotline_none_of_a_leaders(config_dir: Path) -> None:
    roles = load_console_policy(config_dir).roles
    for role, channel in OFFICES.items():
        assert role in roles[role].groups, f"{role} does not work on the tasks of its candidate group"
        registered = [channel_id for channel_id in CHANNELS if roles[role].registers(channel_id)]
        assert registered == [channel], f"{role} registers {registered}, not only {channel}"
    for role in ("operator", "hotline-centre"):
        assert not roles[role].registers(ProcessId.LEADER_RECEPTION), (
            f"{role} may register a leader's reception"
        )
        assert not roles[role].registers(ProcessId.MEETING_ATTENDANCE), (
            f"{role} may register a meeting's topic"
        )
        assert roles[role].registers(ProcessId.HOTLINE_TICKET), f"{role} may no longer register hotline calls"
    assert roles["hotline-centre"].registers(ProcessId.WEIBO_RELEASE), (
        "the 话务班 publishes the Weibo releases"
    )
    assert not roles["unit"].registers(ProcessId.HOTLINE_TICKET), "a unit's user registers nothing"
    every = {channel_id for role in roles.values() for channel_id in CHANNELS if role.registers(channel_id)}
    assert every == set(CHANNELS), f"no role registers {sorted(set(CHANNELS) - every)}"


def _policy_with(tmp_path: Path, role: str) -> Path:
    (tmp_path / "console.toml").write_text(
        '[roles.admin]\ntitle = "管理员"\ngroups = []\nledger_role = "admin"\npermissions = ["users"]\n\n'
        + role,
        encoding="utf-8",
    )
    return tmp_path


@pytest.mark.parametrize(
    ("role", "problem"),
    [
        (
            'permissions = ["intake", "tasks"]\nchannels = ["leader-visit"]',
            "roles.clerk.channels: names unknown intake channels ['leader-visit']",
        ),
        ('permissions = ["intake", "tasks"]', "a role with the intake permission must name the channels"),
        ('permissions = ["tasks"]\nchannels = ["forum-post"]', "only a role with the intake permission"),
    ],
    ids=["unknown channel", "intake without channels", "channels without intake"],
)
def test_a_roles_channels_are_checked_at_start_up_naming_the_role(
    tmp_path: Path, role: str, problem: str
) -> None:
    config = _policy_with(
        tmp_path, f'[roles.clerk]\ntitle = "文员"\ngroups = []\nledger_role = "clerk"\n{role}\n'
    )
    with pytest.raises(PolicyError) as raised:
        load_console_policy(config)
    assert problem in str(raised.value) and "roles.clerk" in str(raised.value), str(raised.value)


def test_a_users_person_name_is_the_display_name_without_the_title_in_brackets() -> None:
    assert person_name("陈建国（分管副市长）") == "陈建国"
    assert person_name("Chen Jianguo (vice-mayor)") == "Chen Jianguo"
    assert person_name("系统管理员") == "系统管理员"
