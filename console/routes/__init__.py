"""One router per concern of the console."""

from fastapi import APIRouter

from console.routes import (
    admin,
    cases,
    dashboards,
    imports,
    instances,
    intake,
    messages,
    open311,
    session,
    tasks,
)

ROUTERS: tuple[APIRouter, ...] = (
    session.router,
    imports.router,
    intake.router,
    open311.router,
    tasks.router,
    cases.router,
    messages.router,
    instances.router,
    dashboards.router,
    admin.router,
)
