"""hotline-ticket, the front of it: an appeal is registered and classified, and waits at the front desk
(前台受理) with its category, time limit and first responsible unit. The rules after it are in
test_hotline_ticket_rules.py."""

from __future__ import annotations

import logging

import pytest
from pyzeebe import ZeebeClient
from scenario import receive_ticket

from engine.testing.handle import EngineHandle
from workers.ids import HotlineTicket, JobType


@pytest.mark.usefixtures("workers")
async def test_a_noise_complaint_goes_to_the_environment_bureau(
    engine: EngineHandle, client: ZeebeClient
) -> None:
    key = await receive_ticket(
        engine,
        client,
        {"title": "小区噪音扰民", "content": "楼下酒吧每晚噪音扰民，投诉多次仍未解决，请尽快处理"},
    )
    view = engine.instance(key)
    assert view.passed[:3] == [
        HotlineTicket.TICKET_RECEIVED,
        HotlineTicket.REGISTER_CASE,
        HotlineTicket.CLASSIFY_TICKET,
    ]
    assert view.variables["category"] == "投诉"
    assert view.variables["limitWorkingDays"] == 20
    assert view.variables["leadUnit"] == "环保局"


@pytest.mark.usefixtures("workers")
async def test_a_question_has_the_two_working_day_limit(engine: EngineHandle, client: ZeebeClient) -> None:
    key = await receive_ticket(
        engine, client, {"title": "咨询社保卡办理", "content": "请问社保卡在哪里办理，需要带什么材料？"}
    )
    view = engine.instance(key)
    assert view.variables["category"] == "咨询"
    assert view.variables["limitWorkingDays"] == 2


@pytest.mark.usefixtures("workers")
async def test_each_job_outcome_is_logged_once_without_the_appeal_text(
    engine: EngineHandle, client: ZeebeClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="workers.jobs")
    content = "我的电话13800001111，楼下酒吧噪音扰民"
    await receive_ticket(engine, client, {"title": "噪音", "content": content})
    lines = [record.getMessage() for record in caplog.records if record.name == "workers.jobs"]
    classified = [line for line in lines if line.startswith(JobType.CLASSIFY_TICKET)]
    assert len(classified) == 1 and "completed" in classified[0], lines
    assert all("13800001111" not in line and "酒吧" not in line for line in lines), (
        "logs must not leak appeals"
    )
