"""The /v2 answers validate against Camunda's published schema for the endpoints the engine serves.

`clients/rest_schema.mjs` drives the engine with Camunda's own REST client for 8.8
(`@camunda8/orchestration-cluster-api`, a devDependency in package.json), whose Zod schemas are
generated from Camunda's OpenAPI description: requests are validated strictly and responses
"fanatically" (wrong types, missing required fields and unknown fields all fail the call).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from engine.testing.handle import EngineHandle

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).resolve().parent / "clients" / "rest_schema.mjs"
PACKAGE = ROOT / "node_modules" / "@camunda8" / "orchestration-cluster-api" / "package.json"

# Every call the script makes: a call missing from its output is a failure too.
CALLS = [
    "getTopology",
    "createDeployment",
    "searchProcessDefinitions",
    "getProcessDefinition",
    "getProcessDefinitionXml",
    "getStartProcessForm",
    "createProcessInstance",
    "createProcessInstanceAwaitingCompletion",
    "searchProcessInstances",
    "getProcessInstance",
    "getProcessInstanceCompleted",
    "searchElementInstances",
    "getElementInstance",
    "getProcessInstanceSequenceFlows",
    "getProcessDefinitionStatistics",
    "searchVariables",
    "getVariable",
    "createProcessInstanceWithIncident",
    "searchIncidents",
    "getIncident",
    "getProcessInstanceStatistics",
    "resolveIncident",
    "searchJobs",
    "updateJob",
    "searchUserTasks",
    "getUserTask",
    "getUserTaskForm",
    "assignUserTask",
    "unassignUserTask",
    "completeUserTask",
    "searchUserTasksCompleted",
    "publishMessage",
    "publishMessageBuffered",
    "cancelProcessInstance",
    "searchProcessInstancesTerminated",
    "pinClock",
    "resetClock",
]

BPMN = 'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"'

# Waits at a user task with a form, a job, and a message; a decision's result on the way.
MAIN = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {BPMN} id="schema-main-definitions" targetNamespace="http://minsheng.test">
  <bpmn:message id="go-message" name="schema-go"><bpmn:extensionElements>
    <zeebe:subscription correlationKey="=orderId"/></bpmn:extensionElements></bpmn:message>
  <bpmn:process id="schema-main" name="Schema check" isExecutable="true">
    <bpmn:extensionElements><zeebe:versionTag value="v1"/></bpmn:extensionElements>
    <bpmn:startEvent id="start" name="Order received"><bpmn:extensionElements>
      <zeebe:formDefinition formId="schema-form"/></bpmn:extensionElements></bpmn:startEvent>
    <bpmn:businessRuleTask id="decide" name="Decide"><bpmn:extensionElements>
      <zeebe:calledDecision decisionId="schema-decision" resultVariable="level"/>
    </bpmn:extensionElements></bpmn:businessRuleTask>
    <bpmn:parallelGateway id="fork"/>
    <bpmn:userTask id="review" name="Review"><bpmn:extensionElements><zeebe:userTask/>
      <zeebe:formDefinition formId="schema-form"/>
      <zeebe:assignmentDefinition candidateGroups="clerks" candidateUsers="demo"/>
      <zeebe:taskSchedule dueDate="2030-01-01T12:00:00Z"/>
      <zeebe:taskHeaders><zeebe:header key="desk" value="front"/></zeebe:taskHeaders>
    </bpmn:extensionElements></bpmn:userTask>
    <bpmn:serviceTask id="work" name="Work"><bpmn:extensionElements>
      <zeebe:taskDefinition type="schema-work" retries="3"/>
      <zeebe:taskHeaders><zeebe:header key="kind" value="schema"/></zeebe:taskHeaders>
    </bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:intermediateCatchEvent id="wait-go" name="Go">
      <bpmn:messageEventDefinition messageRef="go-message"/></bpmn:intermediateCatchEvent>
    <bpmn:parallelGateway id="join"/>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="decide"/>
    <bpmn:sequenceFlow id="f2" sourceRef="decide" targetRef="fork"/>
    <bpmn:sequenceFlow id="f3" sourceRef="fork" targetRef="review"/>
    <bpmn:sequenceFlow id="f4" sourceRef="fork" targetRef="work"/>
    <bpmn:sequenceFlow id="f5" sourceRef="fork" targetRef="wait-go"/>
    <bpmn:sequenceFlow id="f6" sourceRef="review" targetRef="join"/>
    <bpmn:sequenceFlow id="f7" sourceRef="work" targetRef="join"/>
    <bpmn:sequenceFlow id="f8" sourceRef="wait-go" targetRef="join"/>
    <bpmn:sequenceFlow id="f9" sourceRef="join" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""

# An exclusive gateway whose only condition does not hold: a CONDITION_ERROR incident.
INCIDENT = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {BPMN} id="schema-incident-definitions" targetNamespace="http://minsheng.test">
  <bpmn:process id="schema-incident" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:exclusiveGateway id="check"/>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check"/>
    <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="end">
      <bpmn:conditionExpression>=amount &gt; 100</bpmn:conditionExpression></bpmn:sequenceFlow>
  </bpmn:process>
</bpmn:definitions>
"""

# Completes at once (for awaitCompletion and a COMPLETED instance with an end date).
QUICK = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {BPMN} id="schema-quick-definitions" targetNamespace="http://minsheng.test">
  <bpmn:process id="schema-quick" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""

FORM = json.dumps(
    {
        "id": "schema-form",
        "type": "default",
        "schemaVersion": 16,
        "components": [{"type": "checkbox", "key": "approved", "label": "Approved"}],
    }
)

DECISION = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="schema-decisions"
  name="Schema decisions" namespace="http://minsheng.test">
  <decision id="schema-decision" name="Level">
    <decisionTable id="table" hitPolicy="FIRST">
      <input id="in-amount" label="Amount">
        <inputExpression id="in-amount-expression" typeRef="number"><text>amount</text></inputExpression>
      </input>
      <output id="out-level" name="level" typeRef="string"/>
      <rule id="high"><inputEntry id="high-in"><text>&gt; 100</text></inputEntry>
        <outputEntry id="high-out"><text>"high"</text></outputEntry></rule>
      <rule id="low"><inputEntry id="low-in"><text>-</text></inputEntry>
        <outputEntry id="low-out"><text>"low"</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>
"""

RESOURCES = {
    "schema-main.bpmn": MAIN,
    "schema-incident.bpmn": INCIDENT,
    "schema-quick.bpmn": QUICK,
    "schema-form.form": FORM,
    "schema-decision.dmn": DECISION,
}


def _node() -> str:
    node = shutil.which("node")
    assert node is not None, "node (Node.js 20) is not on PATH: install it, then run `npm ci`"
    assert PACKAGE.is_file(), (
        "@camunda8/orchestration-cluster-api is not in node_modules: run `npm ci` (package.json)"
    )
    return node


def _run_script(rest_url: str, resources: Path) -> list[dict[str, Any]]:
    done = subprocess.run(
        [_node(), str(SCRIPT), rest_url, str(resources)],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, (
        f"{SCRIPT.name} exited with {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    )
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert lines, f"{SCRIPT.name} printed no results\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    return lines


def test_rest_answers_validate_against_camundas_schema(sqlite_url: str, tmp_path: Path) -> None:
    _node()  # before starting the engine: fail fast when the Node tools are missing
    for name, text in RESOURCES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    handle = EngineHandle.start_embedded(sqlite_url)
    try:
        rest_url = handle.rest_url
        assert rest_url is not None
        results = _run_script(rest_url, tmp_path)
    finally:
        handle.stop()

    failures = [
        f"{r['call']} ({r.get('validation', '?')}): {r.get('error', '')}" for r in results if not r["ok"]
    ]
    assert not failures, "calls that failed Camunda's schema validation:\n" + "\n".join(failures)
    made = [r["call"] for r in results]
    assert made == CALLS, f"expected the calls {CALLS}, but the script made {made}"
