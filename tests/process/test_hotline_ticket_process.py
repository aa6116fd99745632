"""hotline-ticket, first slice: an appeal is classified by category, then dispatched to its unit."""

from __future__ import annotations

import pytest
from pyzeebe import ZeebeClient

from engine.testing.handle import EngineHandle
from workers.ids import HotlineTicket, ProcessId


@pytest.mark.usefixtures("workers")
async def test_a_noise_complaint_goes_to_the_environment_bureau(
    engine: EngineHandle, client: ZeebeClient
) -> None:
    started = await client.run_process(
        ProcessId.HOTLINE_TICKET,
        {"title": "小区噪音扰民", "content": "楼下酒吧每晚噪音扰民，投诉多次仍未解决，请尽快处理"},
    )
    view = await engine.is_completed(started.process_instance_key)
    assert view.passed[:3] == [
        HotlineTicket.TICKET_RECEIVED,
        HotlineTicket.CLASSIFY_TICKET,
        HotlineTicket.CATEGORY_GATEWAY,
    ]
    assert HotlineTicket.STANDARD_TRACK in view.passed, "a complaint takes the standard (普通件) track"
    assert HotlineTicket.DISPATCH_TICKET in view.passed
    assert view.variables["category"] == "投诉"
    assert view.variables["limitWorkingDays"] == 20
    assert view.variables["leadUnit"] == "环保局"
    assert view.variables["handlingTrack"] == "普通件"


@pytest.mark.usefixtures("workers")
async def test_a_question_takes_the_simple_track(engine: EngineHandle, client: ZeebeClient) -> None:
    started = await client.run_process(
        ProcessId.HOTLINE_TICKET,
        {"title": "咨询社保卡办理", "content": "请问社保卡在哪里办理，需要带什么材料？"},
    )
    view = await engine.is_completed(started.process_instance_key)
    assert HotlineTicket.SIMPLE_TRACK in view.passed, (
        f"a question should take the simple track: {view.passed}"
    )
    assert view.variables["category"] == "咨询"
    assert view.variables["limitWorkingDays"] == 2
    assert view.variables["handlingTrack"] == "简易件"
