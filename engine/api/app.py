"""The FastAPI application of the /v2 subset, and its OpenAPI description at /v2/openapi.json."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPBearer

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
from engine.security import Authenticator, Unauthenticated

PREFIX = "/v2"


def create_app(services: Services, authenticator: Authenticator | None = None) -> FastAPI:
    """The API; with `authenticator`, every endpoint but the API's description needs a bearer token."""
    app = FastAPI(
        dependencies=[] if authenticator is None else [Depends(_bearer_token(authenticator))],
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
    app.add_exception_handler(Unauthenticated, _unauthenticated)
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


def _bearer_token(authenticator: Authenticator) -> Callable[[Request], Awaitable[None]]:
    # Declared for the OpenAPI description (the docs' "Authorize" button); the header is read here
    # rather than by HTTPBearer so that every refusal has the same problem body.
    scheme = HTTPBearer(auto_error=False, description="A static token or an OAuth2 access token (JWT)")

    async def check(request: Request, _: object = Depends(scheme)) -> None:
        await authenticator.authenticate(request.headers.get("authorization"))

    return check


async def _unauthenticated(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, Unauthenticated)
    response = problems.problem_response(request, 401, "UNAUTHORIZED", str(error))
    # RFC 6750: a request without credentials gets the scheme only, a bad token gets the error too.
    challenge = 'Bearer realm="minsheng"'
    if not error.missing:
        challenge += ', error="invalid_token"'
    response.headers["WWW-Authenticate"] = challenge
    return response
