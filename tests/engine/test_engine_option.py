"""`pytest --engine=...`: the process tests on an engine elsewhere, not only on the embedded one.

A real `python -m engine --enable-clock-control` subprocess stands for "any gateway": a pytest
subprocess runs a process test module against it with `--engine=HOST:PORT`, and what that run did is
then found in that engine. The Camunda 8 container (`--engine=testcontainers`) runs where a Docker
engine answers and is skipped, saying why, where none does.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from engine.testing.camunda_container import CamundaContainer, camunda_version, docker_unavailable
from engine.testing.handle import EngineHandle
from engine.testing.remote import EngineOption, parse_engine_option
from engine.testing.subprocess_engine import EngineSubprocess, free_port

ROOT = Path(__file__).resolve().parents[2]
PROCESS_MODULE = "tests/process/test_deadline_timer_process.py"
# A test of the engine itself (it uses `engine.execute`): embedded only.
ENGINE_OWN_TEST = "tests/engine/test_engine_user_tasks.py"


def run_pytest(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rs", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture(scope="module")
def engine_elsewhere(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EngineSubprocess]:
    folder = tmp_path_factory.mktemp("engine-elsewhere")
    engine = EngineSubprocess(
        f"sqlite:///{folder / 'engine.db'}",
        folder / "engine.log",
        rest_address=f"127.0.0.1:{free_port()}",
        clock_control=True,
    )
    with engine:
        yield engine


# The pytest subprocess imports everything anew; on a busy machine that alone can take a minute.
@pytest.mark.timeout(600)
def test_a_process_test_module_runs_on_an_engine_subprocess(engine_elsewhere: EngineSubprocess) -> None:
    rest_url = engine_elsewhere.rest_url
    assert rest_url is not None
    done = run_pytest(
        PROCESS_MODULE,
        ENGINE_OWN_TEST,
        f"--engine={engine_elsewhere.address}",
        f"--engine-rest={rest_url}",
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "1 passed" in output and "skipped" in output, output
    assert (
        f"embedded_only: needs the embedded engine's internals, but --engine={engine_elsewhere.address}"
        in output
    )
    # The run happened on that engine: its instance is there, completed; nothing was left active.
    search = httpx.post(
        f"{rest_url}/v2/process-instances/search", json={"filter": {"processDefinitionId": "deadline-demo"}}
    ).json()
    assert [item["state"] for item in search["items"]] == ["COMPLETED"], search
    clock = httpx.get(f"{rest_url}/v2/clock").json()["timestamp"]
    active = httpx.post(f"{rest_url}/v2/process-instances/search", json={"filter": {"state": "ACTIVE"}})
    assert active.json()["items"] == [], "each test's instances are cancelled when it ends"
    assert clock > 0, "the clock answers (reset to wall time after the run)"


def test_the_engine_option_names_embedded_a_container_or_a_gateway() -> None:
    assert parse_engine_option("embedded") == parse_engine_option("") == EngineOption("embedded")
    assert parse_engine_option("testcontainers").kind == parse_engine_option("camunda").kind == "container"
    assert parse_engine_option("zeebe.local:26500") == EngineOption(
        "remote", "zeebe.local:26500", "http://zeebe.local:8080"
    )
    assert (
        parse_engine_option("127.0.0.1:26500", "http://127.0.0.1:8088/").rest_url == "http://127.0.0.1:8088"
    )
    for wrong in ("no-port-here", "host:port", "http://host:26500/path"):
        with pytest.raises(ValueError, match="expected embedded, testcontainers or HOST:PORT"):
            parse_engine_option(wrong)


# ------------------------------------------------------------------------------------- Camunda 8


@pytest.fixture(scope="module")
def camunda() -> Iterator[CamundaContainer]:
    reason = docker_unavailable()
    if reason is not None:
        pytest.skip(f"camunda/camunda:{camunda_version()} not started: {reason}")
    container = CamundaContainer().start()
    try:
        yield container
    finally:
        container.stop()


TIMER_THEN_END = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="container-timer" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition>
      <bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait"/>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


async def test_the_handle_drives_camunda_in_a_container(camunda: CamundaContainer, tmp_path: Path) -> None:
    """Where a Docker engine answers: Camunda's clock API and /v2 searches behind `EngineHandle.connect`."""
    handle = EngineHandle.connect(camunda.gateway, camunda.rest_url)
    try:
        path = tmp_path / "container-timer.bpmn"
        path.write_text(TIMER_THEN_END)
        client = handle.client()
        await client.deploy_resource(str(path))
        key = (await client.run_process("container-timer")).process_instance_key
        await handle.is_waiting_at(key, "wait", timeout=60)
        handle.increase_time(timedelta(hours=1, seconds=1))
        await handle.is_completed(key, timeout=60)
    finally:
        handle.reset_time()
        await handle.aclose()


@pytest.mark.timeout(600)
def test_without_docker_the_container_run_is_skipped_saying_why() -> None:
    if docker_unavailable() is None:
        pytest.skip("a Docker engine answers: test_the_handle_drives_camunda_in_a_container runs instead")
    done = run_pytest(PROCESS_MODULE, "--engine=testcontainers")
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "1 skipped" in output and "passed" not in output, output
    assert "--engine=testcontainers: no Docker engine" in output, output
