"""The FastAPI application of the /v2 subset, and its OpenAPI description at /v2/openapi.json."""

from __future__ import annotations

from fastapi import FastAPI

from engine.api import problems
from engine.api.routes import (
    cluster,
    deployments,
    element_instances,
    incidents,
    jobs,
    messages,
    process_definitions,
    process_instances,
    user_tasks,
    variables,
)
from engine.api.services import Services
from engine.gateway.servicer import GATEWAY_VERSION

PREFIX = "/v2"


def create_app(services: Services) -> FastAPI:
    app = FastAPI(
        title="Minsheng engine: Orchestration Cluster API subset",
        description=(
            "The part of Camunda 8's Orchestration Cluster REST API (/v2) that Minsheng's embedded engine "
            "serves: what a task list, a live process view and a starter need."
        ),
        version=GATEWAY_VERSION,
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=f"{PREFIX}/docs",
        redoc_url=None,
    )
    app.state.services = services
    problems.install(app)
    for module in (
        cluster,
        deployments,
        process_definitions,
        process_instances,
        element_instances,
        variables,
        incidents,
        jobs,
        messages,
        user_tasks,
    ):
        app.include_router(module.router, prefix=PREFIX)
    return app
