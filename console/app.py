"""The console's web application: pages rendered on the server (Jinja2) with small scripts, and
JSON endpoints under `/api` for what the pages fetch and for the live views.

`create_app` takes everything it uses (settings, policy, the console's store, the ledger, the
engine client, a clock), so tests build it against real databases and a real engine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from console import routes
from console.auth import principal
from console.context import Console
from console.engine_client import EngineClient, EngineError
from console.open311 import load_catalogue
from console.pages import render
from console.policy import load_console_policy
from console.security import Sessions
from console.store import ConsoleStore
from console.times import local_time
from workers.deadline_policy import load_calendar_policy, load_deadline_policy
from workers.ledger.service import Ledger
from workers.services.calendar import WorkingCalendar
from workers.settings import Settings

HERE = Path(__file__).parent
# Where `make install` puts the Node packages whose browser builds the pages load.
NODE_MODULES = Path("node_modules")


def _utc_now() -> datetime:
    return datetime.now(UTC)


def create_app(
    settings: Settings,
    store: ConsoleStore,
    ledger: Ledger,
    engine: EngineClient,
    *,
    session_key: str,
    clock: Callable[[], datetime] = _utc_now,
    node_modules: Path = NODE_MODULES,
) -> FastAPI:
    app = FastAPI(title="民声 控制台", docs_url=None, redoc_url=None, openapi_url=None)
    deadline_policy = load_deadline_policy(settings.config_dir)
    timezone = deadline_policy.timezone
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.filters["localtime"] = lambda value: local_time(value, timezone)
    app.state.console = Console(
        settings=settings,
        policy=load_console_policy(settings.config_dir),
        store=store,
        ledger=ledger,
        engine=engine,
        sessions=Sessions(session_key, timedelta(hours=settings.console_session_hours)),
        templates=templates,
        clock=clock,
        timezone=timezone,
        calendar=WorkingCalendar(load_calendar_policy(settings.config_dir)),
        cases=ledger.case_search(),
        open311=load_catalogue(settings.config_dir, timezone),
    )
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.mount("/vendor/bpmn-js", StaticFiles(directory=node_modules / "bpmn-js" / "dist"), name="bpmn-js")
    app.mount(
        "/vendor/form-js",
        StaticFiles(directory=node_modules / "@bpmn-io" / "form-js-viewer" / "dist" / "assets"),
        name="form-js",
    )
    for router in routes.ROUTERS:
        app.include_router(router)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], object]) -> Response:
        response: Response = await call_next(request)  # type: ignore[misc]
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "font-src 'self' data:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    @app.exception_handler(EngineError)
    async def engine_error(request: Request, error: EngineError) -> Response:
        status = error.status if error.status in (400, 404, 409) else 502
        return _error(request, status, f"流程引擎返回错误：{error.detail}")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if error.status_code == 401 and not request.url.path.startswith(("/api/", "/open311/")):
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        return _error(request, error.status_code, str(error.detail), error.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        # FastAPI's own answer is an English JSON list, which a page would show as it is: a link
        # with a malformed number leads nowhere (404), a malformed query is a bad request (400).
        problems = error.errors()
        if any(problem["loc"][0] == "path" for problem in problems):
            return _error(request, 404, "链接中的编号格式不正确，请从列表或菜单进入")
        names = "、".join(dict.fromkeys(str(problem["loc"][-1]) for problem in problems))
        return _error(request, 400, f"请求参数有误（{names}），请检查链接或返回上一页重试")

    return app


def _error(request: Request, status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    if request.url.path.startswith(("/api/", "/open311/")):
        return JSONResponse(
            {"status": status, "detail": message}, status_code=status, headers=dict(headers or {})
        )
    # Signed in, the user keeps the menu on an error page, to go on from there.
    try:
        user = principal(request, request.app.state.console)
    except HTTPException:
        user = None
    response = render(request, user, "error.html", status_code=status, status=status, message=message)
    response.headers.update(headers or {})
    return response
