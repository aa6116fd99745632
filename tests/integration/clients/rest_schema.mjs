// Calls every /v2 endpoint the engine serves with Camunda's own REST client for 8.8
// (@camunda8/orchestration-cluster-api), whose Zod schemas are generated from Camunda's published
// OpenAPI description. Requests are validated strictly, responses "fanatically" (a type mismatch, a
// missing required field or an unknown field fails the call); see RESPONSE_MODE for the exceptions.
//
// Prints one JSON line per call: {"call": name, "ok": bool, "error": "...", "validation": mode}, then
// exits 0; the Python test (tests/integration/test_rest_schema.py) judges the lines.
//
// usage: node rest_schema.mjs REST_URL RESOURCE_DIR
//   REST_URL      the engine's REST base, e.g. http://127.0.0.1:8080 (the client appends /v2)
//   RESOURCE_DIR  holds schema-main.bpmn, schema-incident.bpmn, schema-quick.bpmn, schema-form.form
//                 and schema-decision.dmn (written by the Python test)

import path from "node:path";

import { createCamundaClient } from "@camunda8/orchestration-cluster-api";

const [restUrl, resourceDir] = process.argv.slice(2);
if (!restUrl || !resourceDir) {
  console.error("usage: node rest_schema.mjs REST_URL RESOURCE_DIR");
  process.exit(2);
}

// Calls whose responses cannot be checked for unknown fields, and why. Empty: every answer passes
// fanatical validation.
const RESPONSE_MODE = {};

// The SDK's fanatical mode looks for unknown fields only in the top-level object of a response and
// in nested objects it reaches through plain object schemas: not in list items, nor in responses
// whose schema is an intersection (every search result). This walks the whole response along its
// Zod schema instead, so an unknown field anywhere fails the call: the "fanatical" client below
// validates responses with the SDK's strict mode, then runs this check (a superset of the SDK's own).
function unwrap(schema) {
  let current = schema;
  for (let depth = 0; current && depth < 50; depth++) {
    const def = current._zod?.def;
    if (!def) return current;
    if (["optional", "nullable", "default", "prefault", "readonly", "catch", "nonoptional"].includes(def.type)) {
      current = def.innerType;
    } else if (def.type === "pipe") {
      current = def.in;
    } else if (def.type === "lazy") {
      current = def.getter();
    } else {
      return current;
    }
  }
  return current;
}

function branches(schema) {
  // The schemas a value must satisfy together (intersections) or one of (unions), flattened.
  const found = [];
  const visit = (candidate) => {
    const inner = unwrap(candidate);
    const def = inner?._zod?.def;
    if (def?.type === "intersection") {
      visit(def.left);
      visit(def.right);
    } else if (def?.type === "union") {
      for (const option of def.options) visit(option);
    } else if (inner) {
      found.push(inner);
    }
  };
  visit(schema);
  return found;
}

function unknownFields(value, schema, where, out) {
  if (value === null || typeof value !== "object") return;
  const schemas = branches(schema);
  if (Array.isArray(value)) {
    for (const candidate of schemas) {
      if (candidate._zod.def.type === "array") {
        value.forEach((item, index) => unknownFields(item, candidate._zod.def.element, `${where}[${index}]`, out));
      }
    }
    return;
  }
  const objects = schemas.filter((candidate) => candidate._zod.def.type === "object");
  for (const candidate of schemas) {
    if (candidate._zod.def.type === "record") {
      for (const [key, item] of Object.entries(value)) {
        unknownFields(item, candidate._zod.def.valueType, `${where}.${key}`, out);
      }
    }
  }
  if (!objects.length) return;
  for (const [key, item] of Object.entries(value)) {
    const fields = objects.map((candidate) => candidate._zod.def.shape[key]).filter(Boolean);
    if (!fields.length) {
      out.push(where ? `${where}.${key}` : key);
      continue;
    }
    for (const field of fields) unknownFields(item, field, where ? `${where}.${key}` : key, out);
  }
}

// The body of the last answer, as sent (JSON parsed, or text).
let lastAnswer;

async function recordingFetch(input, init) {
  const answer = await fetch(input, init);
  const text = await answer.clone().text();
  try {
    lastAnswer = text ? JSON.parse(text) : undefined;
  } catch {
    lastAnswer = text;
  }
  return answer;
}

function client(mode) {
  const camunda = createCamundaClient({
    fetch: recordingFetch,
    config: {
      CAMUNDA_REST_ADDRESS: restUrl,
      CAMUNDA_AUTH_STRATEGY: "NONE",
      CAMUNDA_SDK_VALIDATION: `req:strict,res:${mode === "fanatical" ? "strict" : mode}`,
      CAMUNDA_SDK_LOG_LEVEL: "silent",
      CAMUNDA_SDK_HTTP_RETRY_MAX_ATTEMPTS: 1,
    },
  });
  if (mode === "fanatical") {
    const validation = camunda._validation;
    const gate = validation.gateResponse.bind(validation);
    validation.gateResponse = async (operationId, schema, data) => {
      const validated = await gate(operationId, schema, data);
      const unknown = [];
      unknownFields(data, schema, "", unknown);
      if (unknown.length) {
        const error = new Error(`Unknown properties in ${operationId} response: ${unknown.join(", ")}`);
        error.name = "UnknownFieldsError";
        throw error;
      }
      return validated;
    };
  }
  return camunda;
}

const clients = { fanatical: client("fanatical"), strict: client("strict") };

function describe(error) {
  if (error === undefined || error === null) return String(error);
  const parts = [];
  if (error.name) parts.push(error.name);
  if (error.message) parts.push(error.message);
  for (const field of ["status", "title", "detail", "summary", "issues", "body", "problem"]) {
    const value = error[field];
    if (value !== undefined && value !== null && !String(error.message || "").includes(String(value))) {
      parts.push(`${field}: ${typeof value === "string" ? value : JSON.stringify(value)}`);
    }
  }
  if (error.cause) parts.push(`cause: ${describe(error.cause)}`);
  return parts.join(" | ") || String(error);
}

async function call(name, run) {
  const mode = RESPONSE_MODE[name] ?? "fanatical";
  try {
    const value = await run(clients[mode]);
    console.log(JSON.stringify({ call: name, ok: true, validation: mode }));
    return value;
  } catch (error) {
    console.log(JSON.stringify({ call: name, ok: false, validation: mode, error: describe(error) }));
    // An answer that failed validation still carries the keys the later calls need.
    return /valid|Unknown properties/i.test(`${error?.name} ${error?.message}`) ? lastAnswer : undefined;
  }
}

// Search and get answers come from the engine's projections: wait until they show what we need.
function until(predicate, waitUpToMs = 10000) {
  return { consistency: { waitUpToMs, pollIntervalMs: 50, predicate } };
}
const ready = { consistency: { waitUpToMs: 10000, pollIntervalMs: 50 } };
const nonEmpty = until((answer) => Array.isArray(answer.items) && answer.items.length > 0);

function need(value, what) {
  if (value === undefined || value === null) throw new Error(`needs ${what}, which an earlier call did not give`);
  return value;
}

function file(name) {
  return path.join(resourceDir, name);
}

async function main() {
  await call("getTopology", (c) => c.getTopology());

  const deployment = await call("createDeployment", (c) =>
    c.deployResourcesFromFiles([
      file("schema-main.bpmn"),
      file("schema-incident.bpmn"),
      file("schema-quick.bpmn"),
      file("schema-form.form"),
      file("schema-decision.dmn"),
    ]),
  );
  const mainDefinition = deployment?.deployments
    ?.map((entry) => entry.processDefinition)
    .find((process) => process?.processDefinitionId === "schema-main");

  const definitions = await call("searchProcessDefinitions", (c) =>
    c.searchProcessDefinitions(
      {
        filter: { processDefinitionId: "schema-main", isLatestVersion: true },
        sort: [{ field: "version", order: "DESC" }],
        page: { limit: 10 },
      },
      nonEmpty,
    ),
  );
  const definitionKey = mainDefinition?.processDefinitionKey ?? definitions?.items?.[0]?.processDefinitionKey;

  await call("getProcessDefinition", (c) =>
    c.getProcessDefinition({ processDefinitionKey: need(definitionKey, "a process definition key") }, ready),
  );
  await call("getProcessDefinitionXml", async (c) => {
    const xml = await c.getProcessDefinitionXml(
      { processDefinitionKey: need(definitionKey, "a process definition key") },
      ready,
    );
    if (typeof xml !== "string" || !xml.includes("schema-main")) {
      throw new Error(`expected the BPMN XML as text, got ${JSON.stringify(xml).slice(0, 200)}`);
    }
    return xml;
  });
  await call("getStartProcessForm", (c) =>
    c.getStartProcessForm({ processDefinitionKey: need(definitionKey, "a process definition key") }, ready),
  );

  // An instance that waits at a user task, a job, a decision's result and a message.
  const created = await call("createProcessInstance", (c) =>
    c.createProcessInstance({
      processDefinitionId: "schema-main",
      variables: { orderId: "order-1", amount: 120, customer: { name: "Li", tier: "gold" } },
    }),
  );
  const instanceKey = created?.processInstanceKey;

  // An instance that completes at once, awaited with its variables.
  const quick = await call("createProcessInstanceAwaitingCompletion", (c) =>
    c.createProcessInstance({
      processDefinitionId: "schema-quick",
      variables: { a: 1, b: "two", c: null },
      awaitCompletion: true,
      fetchVariables: ["a", "b", "c"],
      requestTimeout: 10000,
    }),
  );

  await call("searchProcessInstances", (c) =>
    c.searchProcessInstances(
      {
        filter: { processDefinitionId: { $in: ["schema-main", "schema-quick"] } },
        sort: [{ field: "startDate", order: "ASC" }],
        page: { from: 0, limit: 10 },
      },
      until((answer) => answer.items?.length >= 2 && answer.items.some((item) => item.state === "COMPLETED")),
    ),
  );
  await call("getProcessInstance", (c) =>
    c.getProcessInstance({ processInstanceKey: need(instanceKey, "a process instance key") }, ready),
  );
  await call("getProcessInstanceCompleted", (c) =>
    c.getProcessInstance(
      { processInstanceKey: need(quick?.processInstanceKey, "a completed process instance key") },
      ready,
    ),
  );

  const elements = await call("searchElementInstances", (c) =>
    c.searchElementInstances(
      {
        filter: { processInstanceKey: need(instanceKey, "a process instance key") },
        sort: [{ field: "startDate", order: "ASC" }],
        page: { limit: 50 },
      },
      until((answer) => answer.items?.some((item) => item.elementId === "review")),
    ),
  );
  await call("getElementInstance", (c) =>
    c.getElementInstance(
      { elementInstanceKey: need(elements?.items?.[0]?.elementInstanceKey, "an element instance key") },
      ready,
    ),
  );

  await call("getProcessInstanceSequenceFlows", (c) =>
    c.getProcessInstanceSequenceFlows({ processInstanceKey: need(instanceKey, "a process instance key") }, nonEmpty),
  );
  await call("getProcessDefinitionStatistics", (c) =>
    c.getProcessDefinitionStatistics(
      {
        processDefinitionKey: need(definitionKey, "a process definition key"),
        filter: { state: "ACTIVE", hasIncident: false },
      },
      nonEmpty,
    ),
  );

  const variables = await call("searchVariables", (c) =>
    c.searchVariables(
      {
        filter: { processInstanceKey: need(instanceKey, "a process instance key") },
        sort: [{ field: "name", order: "ASC" }],
        page: { limit: 50 },
      },
      until((answer) => answer.items?.some((item) => item.name === "customer")),
    ),
  );
  await call("getVariable", (c) =>
    c.getVariable(
      {
        variableKey: need(
          variables?.items?.find((item) => item.name === "customer")?.variableKey,
          "a variable key",
        ),
      },
      ready,
    ),
  );

  // An exclusive gateway without a matching condition raises a CONDITION_ERROR incident.
  const failing = await call("createProcessInstanceWithIncident", (c) =>
    c.createProcessInstance({ processDefinitionId: "schema-incident", variables: { amount: 0 } }),
  );
  const incidents = await call("searchIncidents", (c) =>
    c.searchIncidents(
      {
        filter: { processInstanceKey: need(failing?.processInstanceKey, "a process instance with an incident") },
        sort: [{ field: "creationTime", order: "DESC" }],
      },
      nonEmpty,
    ),
  );
  const incidentKey = incidents?.items?.[0]?.incidentKey;
  await call("getIncident", (c) => c.getIncident({ incidentKey: need(incidentKey, "an incident key") }, ready));
  await call("getProcessInstanceStatistics", (c) =>
    c.getProcessInstanceStatistics(
      { processInstanceKey: need(failing?.processInstanceKey, "a process instance with an incident") },
      until((answer) => answer.items?.some((item) => item.incidents > 0)),
    ),
  );
  await call("resolveIncident", (c) => c.resolveIncident({ incidentKey: need(incidentKey, "an incident key") }));

  const jobs = await call("searchJobs", (c) =>
    c.searchJobs(
      {
        filter: { processInstanceKey: need(instanceKey, "a process instance key"), type: "schema-work" },
        sort: [{ field: "jobKey", order: "ASC" }],
      },
      nonEmpty,
    ),
  );

  await call("updateJob", (c) =>
    c.updateJob({ jobKey: need(jobs?.items?.[0]?.jobKey, "a job key"), changeset: { retries: 5 } }),
  );

  const tasks = await call("searchUserTasks", (c) =>
    c.searchUserTasks(
      {
        filter: { processInstanceKey: need(instanceKey, "a process instance key"), state: "CREATED" },
        sort: [{ field: "creationDate", order: "ASC" }],
        page: { limit: 10 },
      },
      nonEmpty,
    ),
  );
  const userTaskKey = tasks?.items?.[0]?.userTaskKey;
  await call("getUserTask", (c) => c.getUserTask({ userTaskKey: need(userTaskKey, "a user task key") }, ready));
  await call("getUserTaskForm", (c) =>
    c.getUserTaskForm({ userTaskKey: need(userTaskKey, "a user task key") }, ready),
  );
  await call("assignUserTask", (c) =>
    c.assignUserTask({
      userTaskKey: need(userTaskKey, "a user task key"),
      assignee: "demo",
      allowOverride: true,
    }),
  );
  await call("unassignUserTask", (c) => c.unassignUserTask({ userTaskKey: need(userTaskKey, "a user task key") }));
  await call("completeUserTask", (c) =>
    c.completeUserTask({
      userTaskKey: need(userTaskKey, "a user task key"),
      variables: { approved: true, comment: "fine" },
    }),
  );
  await call("searchUserTasksCompleted", (c) =>
    c.searchUserTasks(
      { filter: { userTaskKey: need(userTaskKey, "a user task key"), state: "COMPLETED" } },
      nonEmpty,
    ),
  );

  await call("publishMessage", (c) =>
    c.publishMessage({
      name: "schema-go",
      correlationKey: "order-1",
      timeToLive: 0,
      variables: { goAt: "now" },
    }),
  );
  await call("publishMessageBuffered", (c) =>
    c.publishMessage({ name: "schema-nobody", correlationKey: "x", timeToLive: 60000, messageId: "m-1" }),
  );

  await call("cancelProcessInstance", (c) =>
    c.cancelProcessInstance({ processInstanceKey: need(instanceKey, "a process instance key") }),
  );
  await call("searchProcessInstancesTerminated", (c) =>
    c.searchProcessInstances(
      { filter: { processInstanceKey: need(instanceKey, "a process instance key"), state: "TERMINATED" } },
      nonEmpty,
    ),
  );

  await call("pinClock", (c) => c.pinClock({ timestamp: Date.UTC(2030, 0, 1) }));
  await call("resetClock", (c) => c.resetClock());
}

main()
  .catch((error) => {
    console.log(JSON.stringify({ call: "main", ok: false, error: describe(error) }));
  })
  .finally(() => process.exit(0));
