"""The console's web application: pages rendered on the server (Jinja2) with small scripts, and
JSON endpoints under `/api` for what the pages fetch and for the live views.

`create_app` takes everything it uses (settings, policy, the console's store, the ledger, the
engine client, a clock), so tests build it against real databases and a real engine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from console import routes
from console.context import Console
from console.engine_client import EngineClient, EngineError
from console.open311 import load_catalogue
from console.policy import load_console_policy
from console.security import Sessions
from console.store import ConsoleStore
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

    return app


def local_time(value: datetime | str | None, timezone: ZoneInfo) -> str:
    """An instant as people here read it: local date and time to the minute."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value.astimezone(timezone).strftime("%Y-%m-%d %H:%M")


def _error(request: Request, status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    if request.url.path.startswith(("/api/", "/open311/")):
        return JSONResponse(
            {"status": status, "detail": message}, status_code=status, headers=dict(headers or {})
        )
    console: Console = request.app.state.console
    return console.templates.TemplateResponse(
        request,
        "error.html",
        {"status": status, "message": message},
        status_code=status,
        headers=dict(headers or {}),
    )
