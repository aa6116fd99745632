"""Process tests: the real diagrams in bpmn/ and forms/, the real workers, on the engine."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from process_support import *  # noqa: F403
from process_support import TIMER_STARTED

from engine.testing.handle import EngineHandle

# The same process id without timer start events: deployed, it is the latest version.
_PARKED = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="parked"
    targetNamespace="http://minsheng.test">
  <bpmn:process id="{process_id}" isExecutable="true">
    <bpmn:startEvent id="ParkedStartEvent"/>
    <bpmn:endEvent id="ParkedEndEvent"/>
    <bpmn:sequenceFlow id="ParkedFlow" sourceRef="ParkedStartEvent" targetRef="ParkedEndEvent"/>
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture(autouse=True)
async def timer_start_events_parked(
    request: pytest.FixtureRequest, engine: EngineHandle, tmp_path: Path
) -> AsyncIterator[None]:
    """Around a test that deploys the timer-started processes at a moment of its choosing
    (`deployed_at`), park them: a diagram identical to the latest version is not deployed again,
    so on an engine the tests share its timers would stay where an earlier test left them, and
    fire whenever a later test moves the clock. A new version without timer start events cancels
    them (Zeebe's rule), and the test's own deployment is then a new version, scheduled afresh.
    """
    if "deployed_at" not in request.fixturenames:
        yield
        return
    client = engine.client()
    (tmp_path / "parked").mkdir()
    parked = [str(tmp_path / "parked" / name) for name in sorted(TIMER_STARTED)]
    for path in parked:
        Path(path).write_text(_PARKED.format(process_id=Path(path).stem))
    await client.deploy_resource(*parked)
    yield
    await client.deploy_resource(*parked)
