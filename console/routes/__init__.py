"""One router per concern of the console."""

from fastapi import APIRouter

from console.routes import admin, cases, dashboards, imports, instances, intake, open311, session, tasks

ROUTERS: tuple[APIRouter, ...] = (
    session.router,
    imports.router,
    intake.router,
    open311.router,
    tasks.router,
    cases.router,
    instances.router,
    dashboards.router,
    admin.router,
)
