// Drives a Zeebe gateway with Camunda's Node.js client (@camunda8/sdk, pure-JS gRPC):
// deploy a diagram, start instances, activate and complete jobs (by hand and with a ZBWorker),
// publish messages that correlate, and print what happened as one JSON document on stdout.
//
// usage: node camunda8_sdk.js GATEWAY_ADDRESS BPMN_FILE
"use strict";

const { Camunda8 } = require("@camunda8/sdk");

async function main() {
  const [address, bpmnFile] = process.argv.slice(2);
  if (!address || !bpmnFile) {
    throw new Error("usage: node camunda8_sdk.js GATEWAY_ADDRESS BPMN_FILE");
  }
  const c8 = new Camunda8({
    ZEEBE_GRPC_ADDRESS: `grpc://${address}`,
    CAMUNDA_AUTH_STRATEGY: "NONE",
    CAMUNDA_LOG_LEVEL: "error",
  });
  const zeebe = c8.getZeebeGrpcApiClient();
  const result = {};
  try {
    const topology = await zeebe.topology();
    result.topology = { brokers: topology.brokers.length, gatewayVersion: topology.gatewayVersion };

    const deployment = await zeebe.deployResource({ processFilename: bpmnFile });
    const process = deployment.deployments[0].process;
    result.deployment = {
      key: deployment.key,
      bpmnProcessId: process.bpmnProcessId,
      version: process.version,
      processDefinitionKey: process.processDefinitionKey,
    };

    // 1. By hand: create, activate, complete, publish.
    const created = await zeebe.createProcessInstance({
      bpmnProcessId: process.bpmnProcessId,
      variables: { orderId: "node-1", items: 2 },
    });
    result.created = { processInstanceKey: created.processInstanceKey, version: created.version };

    const jobs = await zeebe.activateJobs({
      type: "pack",
      worker: "camunda8-sdk",
      maxJobsToActivate: 10,
      timeout: 30000,
      requestTimeout: 5000,
    });
    result.activated = jobs.map((job) => ({
      key: job.key,
      processInstanceKey: job.processInstanceKey,
      elementId: job.elementId,
      variables: job.variables,
      customHeaders: job.customHeaders,
      worker: job.worker,
      retries: job.retries,
    }));
    for (const job of jobs) {
      await zeebe.completeJob({ jobKey: job.key, variables: { packedBy: "camunda8-sdk" } });
    }

    const published = await zeebe.publishMessage({
      name: "paid",
      correlationKey: "node-1",
      variables: { amount: 42 },
      timeToLive: 60000,
      messageId: "payment-node-1",
    });
    result.published = { key: published.key };

    // 2. With a ZBWorker: the message is published first and buffered (TTL); the instance runs to
    // its end and the client waits for the result.
    const worker = zeebe.createWorker({
      taskType: "pack",
      pollInterval: 100,
      taskHandler: (job) => job.complete({ packedBy: "zbworker" }),
    });
    try {
      await zeebe.publishMessage({
        name: "paid",
        correlationKey: "node-2",
        variables: { amount: 7 },
        timeToLive: 60000,
      });
      const outcome = await zeebe.createProcessInstanceWithResult({
        bpmnProcessId: process.bpmnProcessId,
        variables: { orderId: "node-2" },
        requestTimeout: 20000,
      });
      result.withResult = { processInstanceKey: outcome.processInstanceKey, variables: outcome.variables };
    } finally {
      await worker.close();
    }
  } finally {
    await zeebe.close();
  }
  // The SDK logs to stdout too: the result is the one line that starts with RESULT.
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
    process.exit(1);
  },
);
