"""Errors as RFC 9457 problem details, with the status codes Camunda's REST gateway uses."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from engine.runtime.engine import InternalError
from engine.runtime.errors import Rejection, RejectionType

PROBLEM_JSON = "application/problem+json"

STATUS = {
    RejectionType.NOT_FOUND: 404,
    RejectionType.INVALID_ARGUMENT: 400,
    RejectionType.INVALID_STATE: 409,
    RejectionType.ALREADY_EXISTS: 409,
    RejectionType.RESOURCE_EXHAUSTED: 503,
}

TITLES = {
    400: "INVALID_ARGUMENT",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "INVALID_STATE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    500: "INTERNAL_ERROR",
    503: "RESOURCE_EXHAUSTED",
    504: "DEADLINE_EXCEEDED",
}


class Problem(Exception):
    """An error answered as a problem detail."""

    def __init__(self, status: int, detail: str, title: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title or TITLES.get(status, "Error")


def bad_request(detail: str) -> Problem:
    return Problem(400, detail)


def not_found(detail: str) -> Problem:
    return Problem(404, detail)


def problem_response(request: Request, status: int, title: str, detail: str) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def _location(loc: tuple[Any, ...]) -> str:
    parts = [str(part) for part in loc if part not in ("body", "query", "path")]
    return ".".join(parts) or "request"


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def on_problem(request: Request, error: Problem) -> JSONResponse:
        return problem_response(request, error.status, error.title, error.detail)

    @app.exception_handler(Rejection)
    async def on_rejection(request: Request, rejection: Rejection) -> JSONResponse:
        status = STATUS[rejection.type]
        return problem_response(request, status, str(rejection.type), rejection.message)

    @app.exception_handler(InternalError)
    async def on_internal(request: Request, error: InternalError) -> JSONResponse:
        return problem_response(request, 500, "INTERNAL_ERROR", str(error))

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        messages = []
        for problem in error.errors():
            where = _location(tuple(problem.get("loc", ())))
            messages.append(f"{where}: {problem.get('msg', 'invalid')}")
        detail = "Request is invalid: " + "; ".join(messages) if messages else "Request is invalid"
        return problem_response(request, 400, "Bad Request", detail)

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        status = error.status_code
        detail = str(error.detail)
        # Starlette's own answers for a path or method that no route serves say only "Not Found".
        if status == 404 and detail == "Not Found":
            detail = f"No resource of this API is at '{request.url.path}'"
        elif status == 405 and detail == "Method Not Allowed":
            detail = f"The method {request.method} is not allowed on '{request.url.path}'"
        return problem_response(request, status, TITLES.get(status, "Error"), detail)
