"""A process owner changes policy in config/, not code: a time limit and a review chain edited in a
copy of the shipped files change what the unchanged diagrams and workers do."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest
from pyzeebe import ZeebeClient
from scenario import REPOSITORY, Steps, dispatch_ticket, local, receive_ticket

from engine.testing.handle import EngineHandle
from workers.ids import ProcessId, UnitHandling


def edited(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path.name} no longer says {old!r}: update this test's edit"
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def policy_dir(tmp_path: Path) -> Path:
    """The shipped policy with two edits a process owner might make: complaints get 15 working
    days instead of 20, and the government's reply is signed by the secretary-general and the
    mayor only."""
    config = tmp_path / "config"
    shutil.copytree(REPOSITORY / "config", config)
    edited(config / "deadlines.toml", '"投诉" = { working_days = 20 }', '"投诉" = { working_days = 15 }')
    edited(
        config / "review_chains.toml",
        """  { group = "deputy-secretary-general", title = "分管副秘书长" },
  { group = "secretary-general", title = "秘书长" },
  { group = "vice-mayor", title = "分管副市长" },
  { group = "mayor", title = "市长" },""",
        """  { group = "secretary-general", title = "秘书长" },
  { group = "mayor", title = "市长" },""",
    )
    return config


@pytest.mark.usefixtures("workers")
async def test_a_shorter_limit_in_config_brings_the_due_date_forward(
    engine: EngineHandle, client: ZeebeClient
) -> None:
    complaint = {
        "title": "酒吧噪音扰民",
        "content": "楼下酒吧每晚噪音扰民到凌晨，投诉多次仍未解决，请尽快处理",
    }
    key = await receive_ticket(engine, client, complaint, at="2026-09-25 10:00")
    await dispatch_ticket(engine, key, category="投诉")
    task = await engine.user_task_at(key, UnitHandling.SIGN_FOR)
    due = datetime.fromisoformat(engine.instance(task.process_instance_key).variables["dueAt"])
    # Fifteen working days from Friday 25 September: 28-30 September, then (after National Day)
    # 8, 9, 10 (the make-up Saturday), 12-16 and 19-22 October. Twenty would end on 29 October.
    assert due == local("2026-10-23 00:00"), f"due {due}, not at the end of 22 October"


@pytest.mark.usefixtures("workers")
async def test_a_shorter_review_chain_in_config_is_the_one_followed(
    engine: EngineHandle, client: ZeebeClient
) -> None:
    started = await client.run_process(
        ProcessId.REVIEW_CHAIN,
        {
            "caseNumber": None,
            "channel": ProcessId.ONLINE_MESSAGE,
            "reviewChain": "government-reply",
            "draftText": "经核查，该路段已列入维修计划。",
        },
    )
    key = started.process_instance_key
    reviews = Steps(engine, key)
    groups = [await reviews.complete(reviewDecision="approved") for _ in range(2)]
    view = await engine.is_completed(key)
    assert groups == [("secretary-general",), ("mayor",)]
    assert view.variables["reviewApproved"] is True
