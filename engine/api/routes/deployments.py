"""Deploying BPMN processes, DMN decisions and forms (`/deployments`, multipart)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, File, Form, UploadFile

from engine.api import schemas as s
from engine.api.problems import bad_request
from engine.api.routes import camunda_router
from engine.api.services import Services, services
from engine.runtime import commands

router = camunda_router(tags=["Resource"])
Deps = Annotated[Services, Depends(services)]


@router.post("/deployments", response_model=s.DeploymentResult)
async def create_deployment(
    deps: Deps,
    resources: Annotated[list[UploadFile], File(description="The files to deploy")],
    tenantId: Annotated[str | None, Form()] = None,
) -> s.DeploymentResult:
    if tenantId not in (None, "", s.TENANT):
        raise bad_request(f"Expected tenant '{s.TENANT}' (multi-tenancy is disabled), but got '{tenantId}'")
    files = [(resource.filename or "resource", await resource.read()) for resource in resources]
    deployment = await deps.engine.execute(lambda ctx: commands.deploy(ctx, files))
    entries = [
        s.DeploymentMetadata(
            processDefinition=s.DeploymentProcess(
                processDefinitionId=p.bpmn_process_id,
                processDefinitionVersion=p.version,
                resourceName=p.resource_name,
                processDefinitionKey=str(p.key),
            )
        )
        for p in deployment.processes
    ]
    entries += [
        s.DeploymentMetadata(
            decisionDefinition=s.DeploymentDecision(
                decisionDefinitionId=decision.decision_id,
                version=decision.version,
                name=decision.name or decision.decision_id,
                decisionRequirementsId=decision.drg_id,
                decisionDefinitionKey=str(decision.key),
                decisionRequirementsKey=str(decision.drg_key),
            )
        )
        for decision in deployment.decisions
    ]
    entries += [
        s.DeploymentMetadata(
            decisionRequirements=s.DeploymentDecisionRequirements(
                decisionRequirementsId=drg.drg_id,
                version=drg.version,
                decisionRequirementsName=drg.name or drg.drg_id,
                resourceName=drg.resource_name,
                decisionRequirementsKey=str(drg.key),
            )
        )
        for drg in deployment.decision_requirements
    ]
    entries += [
        s.DeploymentMetadata(
            form=s.DeploymentForm(
                formId=form.form_id,
                version=form.version,
                resourceName=form.resource_name,
                formKey=str(form.key),
            )
        )
        for form in deployment.forms
    ]
    return s.DeploymentResult(deploymentKey=str(deployment.key), deployments=entries)
