"""Deploying BPMN processes and forms (`/deployments`, multipart)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, UploadFile

from engine.api import schemas as s
from engine.api.problems import bad_request
from engine.api.services import Services, services
from engine.runtime import commands

router = APIRouter(tags=["Resource"])
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
    ] + [
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
