"""Zeebe clients other than pyzeebe against the engine: Camunda's Node.js client and `zbctl`.

Both are npm packages of `package.json` (`@camunda8/sdk`, pure-JS gRPC; `zbctl`, whose package ships
Camunda's Go binaries). They deploy, start instances, activate and complete jobs and publish
messages; the engine's state is then checked through the test handle.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from engine.testing.handle import EngineHandle

ROOT = Path(__file__).resolve().parents[2]
NODE_SCRIPT = Path(__file__).resolve().parent / "clients" / "camunda8_sdk.js"
# The package's `bin/zbctl` is a node wrapper that asks the npm registry for updates: run the binary.
ZBCTL = ROOT / "node_modules" / "zbctl" / "bin" / "zbctl-cli.linux"

ORDER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
  <bpmn:message id="paid-message" name="paid"><bpmn:extensionElements>
    <zeebe:subscription correlationKey="=orderId"/></bpmn:extensionElements></bpmn:message>
  <bpmn:process id="other-client-order" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:serviceTask id="pack"><bpmn:extensionElements>
      <zeebe:taskDefinition type="pack"/></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:intermediateCatchEvent id="wait-paid">
      <bpmn:messageEventDefinition messageRef="paid-message"/></bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="pack"/>
    <bpmn:sequenceFlow id="f2" sourceRef="pack" targetRef="wait-paid"/>
    <bpmn:sequenceFlow id="f3" sourceRef="wait-paid" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


def _node() -> str:
    node = shutil.which("node")
    assert node is not None, "node (Node.js 20) is not on PATH; `make install` sets up the Node tools"
    return node


def _run(args: list[str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, cwd=ROOT, check=False)
    assert done.returncode == 0, (
        f"{' '.join(args)} exited with {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    )
    return done


def _write_diagram(tmp_path: Path) -> Path:
    path = tmp_path / "other-client-order.bpmn"
    path.write_text(ORDER)
    return path


async def test_camunda8_node_sdk_deploys_starts_works_jobs_and_publishes(
    engine: EngineHandle, tmp_path: Path
) -> None:
    assert NODE_SCRIPT.exists()
    assert (ROOT / "node_modules" / "@camunda8" / "sdk").is_dir(), "run `npm ci` (package.json)"
    done = _run([_node(), str(NODE_SCRIPT), engine.address, str(_write_diagram(tmp_path))])
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert len(lines) == 1, done.stdout
    result: dict[str, Any] = json.loads(lines[0].removeprefix("RESULT "))

    assert result["topology"]["brokers"] == 1
    assert result["deployment"]["bpmnProcessId"] == "other-client-order"
    assert result["deployment"]["version"] == 1

    first = int(result["created"]["processInstanceKey"])
    assert [job["processInstanceKey"] for job in result["activated"]] == [str(first)]
    job = result["activated"][0]
    assert job["elementId"] == "pack"
    assert job["variables"] == {"orderId": "node-1", "items": 2}
    assert job["customHeaders"] == {}
    assert job["worker"] == "camunda8-sdk"
    assert job["retries"] == 3

    view = await engine.is_completed(first)
    assert view.passed[-3:] == ["pack", "wait-paid", "end"]
    assert view.variables == {"orderId": "node-1", "items": 2, "packedBy": "camunda8-sdk", "amount": 42}

    second = int(result["withResult"]["processInstanceKey"])
    assert result["withResult"]["variables"] == {"orderId": "node-2", "packedBy": "zbworker", "amount": 7}
    view = await engine.is_completed(second)
    assert view.taken_flows == ["f1", "f2", "f3"]


def _zbctl(address: str, *args: str) -> str:
    assert ZBCTL.exists(), f"{ZBCTL} is missing: run `npm ci` (package.json has zbctl)"
    return _run([str(ZBCTL), "--insecure", "--address", address, *args]).stdout


async def test_zbctl_deploys_starts_works_jobs_and_publishes(engine: EngineHandle, tmp_path: Path) -> None:
    diagram = _write_diagram(tmp_path)
    address = engine.address

    status = _zbctl(address, "status")
    assert "Cluster size: 1" in status
    assert "Partition 1 : Leader, Healthy" in status

    deployed = json.loads(_zbctl(address, "deploy", "resource", str(diagram)))
    process = deployed["deployments"][0]["process"]
    assert process["bpmnProcessId"] == "other-client-order"
    assert process["version"] == 1
    # the older form goes through the deprecated DeployProcess RPC: the same bytes, the same version
    legacy = json.loads(_zbctl(address, "deploy", str(diagram)))
    assert legacy["processes"][0]["processDefinitionKey"] == process["processDefinitionKey"], legacy

    created = json.loads(
        _zbctl(address, "create", "instance", "other-client-order", "--variables", '{"orderId": "zb-1"}')
    )
    key = int(created["processInstanceKey"])
    assert created["processDefinitionKey"] == process["processDefinitionKey"]
    await engine.is_waiting_at(key, "pack")

    activated = json.loads(
        _zbctl(
            address,
            "activate",
            "jobs",
            "pack",
            "--maxJobsToActivate",
            "5",
            "--timeout",
            "30s",
            "--worker",
            "zbctl",
            "--requestTimeout",
            "5s",
        )
    )
    jobs = activated["jobs"]
    assert [int(job["processInstanceKey"]) for job in jobs] == [key]
    assert json.loads(jobs[0]["variables"]) == {"orderId": "zb-1"}
    assert jobs[0]["worker"] == "zbctl"

    completed = _zbctl(address, "complete", "job", jobs[0]["key"], "--variables", '{"packedBy": "zbctl"}')
    assert jobs[0]["key"] in completed
    await engine.is_waiting_at(key, "wait-paid")

    published = json.loads(
        _zbctl(
            address,
            "publish",
            "message",
            "paid",
            "--correlationKey",
            "zb-1",
            "--variables",
            '{"amount": 5}',
            "--ttl",
            "1m",
            "--messageId",
            "payment-zb-1",
        )
    )
    assert int(published["key"]) > 0

    view = await engine.is_completed(key)
    assert view.variables == {"orderId": "zb-1", "packedBy": "zbctl", "amount": 5}
    assert view.taken_flows == ["f1", "f2", "f3"]

    # Nothing is left for the job type.
    left = json.loads(
        _zbctl(address, "activate", "jobs", "pack", "--maxJobsToActivate", "5", "--requestTimeout", "1s")
    )
    assert left["jobs"] == []
