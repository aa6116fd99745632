"""One router per concern of the console."""

from fastapi import APIRouter

from console.routes import (
    admin,
    cases,
    dashboards,
    imports,
    instances,
    intake,
    knowledge,
    messages,
    open311,
    session,
    tasks,
    upstream,
)

ROUTERS: tuple[APIRouter, ...] = (
    session.router,
    imports.router,
    intake.router,
    open311.router,
    tasks.router,
    cases.router,
    knowledge.router,
    upstream.router,
    messages.router,
    instances.router,
    dashboards.router,
    admin.router,
)
