"""Engine results as the gateway's protobuf messages, where the mapping is more than a line."""

from __future__ import annotations

from pyzeebe.proto import gateway_pb2 as pb

from engine.jsoncodec import dumps
from engine.runtime.commands import DecisionEvaluation, Deployment
from engine.runtime.decisions import EvaluatedDecision
from engine.runtime.entities import ProcessDefinition

TENANT = "<default>"


def process_metadata(definition: ProcessDefinition) -> pb.ProcessMetadata:
    return pb.ProcessMetadata(
        bpmnProcessId=definition.bpmn_process_id,
        version=definition.version,
        processDefinitionKey=definition.key,
        resourceName=definition.resource_name,
        tenantId=TENANT,
    )


def deployment_entries(deployment: Deployment) -> list[pb.Deployment]:
    entries = [pb.Deployment(process=process_metadata(p)) for p in deployment.processes]
    entries += [
        pb.Deployment(
            decisionRequirements=pb.DecisionRequirementsMetadata(
                dmnDecisionRequirementsId=d.drg_id,
                dmnDecisionRequirementsName=d.name,
                version=d.version,
                decisionRequirementsKey=d.key,
                resourceName=d.resource_name,
                tenantId=TENANT,
            )
        )
        for d in deployment.decision_requirements
    ]
    entries += [
        pb.Deployment(
            decision=pb.DecisionMetadata(
                dmnDecisionId=d.decision_id,
                dmnDecisionName=d.name,
                version=d.version,
                decisionKey=d.key,
                dmnDecisionRequirementsId=d.drg_id,
                decisionRequirementsKey=d.drg_key,
                tenantId=TENANT,
            )
        )
        for d in deployment.decisions
    ]
    entries += [
        pb.Deployment(
            form=pb.FormMetadata(
                formId=f.form_id,
                version=f.version,
                formKey=f.key,
                resourceName=f.resource_name,
                tenantId=TENANT,
            )
        )
        for f in deployment.forms
    ]
    return entries


def _evaluated(decision: EvaluatedDecision, version: int) -> pb.EvaluatedDecision:
    return pb.EvaluatedDecision(
        decisionId=decision.decision_id,
        decisionName=decision.decision_name or decision.decision_id,
        decisionVersion=version,
        decisionType=str(decision.decision_type),
        decisionOutput=dumps(decision.decision_output),
        matchedRules=[
            pb.MatchedDecisionRule(
                ruleId=rule.rule_id,
                ruleIndex=rule.rule_index,
                evaluatedOutputs=[
                    pb.EvaluatedDecisionOutput(
                        outputId=output.output_id,
                        outputName=output.output_name,
                        outputValue=dumps(output.output_value),
                    )
                    for output in rule.evaluated_outputs
                ],
            )
            for rule in decision.matched_rules
        ],
        evaluatedInputs=[
            pb.EvaluatedDecisionInput(
                inputId=item.input_id,
                inputName=item.input_name or item.input_id,
                inputValue=dumps(item.input_value),
            )
            for item in decision.evaluated_inputs
        ],
        tenantId=TENANT,
    )


def decision_evaluation(outcome: DecisionEvaluation) -> pb.EvaluateDecisionResponse:
    """Zeebe answers a failed evaluation normally, with the failed decision and the reason."""
    definition, result, failure = outcome.definition, outcome.result, outcome.failure
    evaluated = (
        result.evaluated_decisions if result is not None else failure.evaluated_decisions if failure else ()
    )
    return pb.EvaluateDecisionResponse(
        decisionKey=definition.key,
        decisionId=definition.decision_id,
        decisionName=definition.name,
        decisionVersion=definition.version,
        decisionRequirementsId=definition.drg_id,
        decisionRequirementsKey=definition.drg_key,
        decisionOutput=dumps(result.decision_output) if result is not None else "null",
        evaluatedDecisions=[_evaluated(decision, definition.version) for decision in evaluated],
        failedDecisionId=failure.failed_decision_id if failure is not None else "",
        failureMessage=failure.message if failure is not None else "",
        tenantId=TENANT,
    )
