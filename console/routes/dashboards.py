"""Dashboards (统计看板) and bulletins (通报下载): cases overdue and due soon, a period's indicators
by unit and by category with charts, the published bulletins for download, and a bulletin
generated on request as a followed operation."""

from __future__ import annotations

import asyncio
import mimetypes
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from pydantic import BaseModel, ConfigDict

from console import dashboard
from console.auth import Allowed, ConsoleDep, CsrfDep, Principal, PrincipalDep
from console.context import Console
from console.operations import Link, Operation, OperationRefused, operations_of
from console.pages import render
from console.policy import Permission
from workers.reports.bulletin import compile_bulletin
from workers.reports.periods import Period, PeriodKind, previous_period
from workers.reports.publish import publish
from workers.reports.tables import shown
from workers.services.calendar import UncoveredYearError

router = APIRouter()

Dashboards = Annotated[Principal, Depends(Allowed(Permission.DASHBOARDS))]
Reports = Annotated[Principal, Depends(Allowed(Permission.REPORTS))]


@router.get("/dashboards", response_class=HTMLResponse)
async def dashboards_page(
    request: Request,
    console: ConsoleDep,
    user: Dashboards,
    period: str = "monthly",
    of: Annotated[str | None, Query(max_length=20)] = None,
    soon: Annotated[int, Query(ge=1, le=20)] = dashboard.DUE_SOON_WORKING_DAYS,
) -> Response:
    now = console.clock()
    policies = dashboard.policies(console.settings.config_dir)
    try:
        chosen = dashboard.period_of(period, of, now.astimezone(policies.report.timezone).date())
    except dashboard.PeriodChoiceError as error:
        raise HTTPException(400, str(error)) from None
    # Seconds of SQL over a large ledger: in a thread, so that the console serves others meanwhile.
    figures = await asyncio.to_thread(_figures, console, user, chosen, soon)
    return render(
        request,
        user,
        "dashboards.html",
        period=chosen,
        kinds=dashboard.PERIOD_NAMES,
        forms=dashboard.PERIOD_FORMS,
        earlier=dashboard.earlier_period(chosen),
        following=dashboard.following_period(chosen),
        soon=soon,
        table_ids=dashboard.INDICATOR_TABLES,
        shown=shown,
        **figures,
    )


def _figures(console: Console, user: Principal, period: Period, soon: int) -> dict[str, Any]:
    """The period's bulletin, and the cases overdue and due soon that `user` may see: every case,
    their unit's (a role given dashboards without every case), or none."""
    now = console.clock()
    policies = dashboard.policies(console.settings.config_dir)
    with dashboard.reading(console.settings.ledger_database_url) as reader:
        bulletin = compile_bulletin(reader, policies.report, period, now)
        overdue = due_soon = None
        calendar_problem = None
        unit = None if user.may(Permission.CASES_ALL) else user.account.unit
        may_list = user.may(Permission.CASES_ALL) or (user.may(Permission.CASES_UNIT) and unit is not None)
        with reader.connect() as connection:
            try:
                if may_list:
                    overdue = dashboard.overdue_cases(connection, policies, console.calendar, now, unit)
                    due_soon = dashboard.due_soon_cases(
                        connection, policies, console.calendar, now, soon, unit
                    )
            except UncoveredYearError as error:
                calendar_problem = (
                    f"工作日历缺少{error.year}年的节假日安排，无法计算工作日；"
                    "请在 config/calendar.toml 中补充。"
                )
    return {
        "bulletin": bulletin,
        "tiles": dashboard.kpi_tiles(bulletin),
        "tables": dashboard.indicator_tables(bulletin),
        "charts": [dashboard.chart(bulletin, chart) for chart in policies.report.charts],
        "overdue": overdue,
        "due_soon": due_soon,
        "calendar_problem": calendar_problem,
        "unit": unit,
    }


@router.get("/reports", response_class=HTMLResponse)
async def reports_page(request: Request, console: ConsoleDep, user: Reports) -> Response:
    policies = dashboard.policies(console.settings.config_dir)
    today = console.clock().astimezone(policies.report.timezone).date()
    return render(
        request,
        user,
        "reports.html",
        bulletins=dashboard.published_bulletins(console.settings.report_dir, console.timezone),
        choices=dashboard.bulletin_choices(today),
        # The previous month's: the hotline's monthly bulletin, the one most asked for.
        usual=previous_period(PeriodKind.MONTHLY, today),
        kinds=dashboard.BULLETIN_NAMES,
    )


@router.get("/reports/files/{path:path}")
async def report_file(console: ConsoleDep, user: Reports, path: str) -> Response:
    found = dashboard.report_file(console.settings.report_dir, path)
    if found is None:
        raise HTTPException(404, "没有这个通报文件")
    media_type = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
    # The workbook is saved; the HTML report and its charts open in the browser.
    download = found.suffix == ".xlsx"
    return FileResponse(
        found,
        media_type=media_type,
        filename=found.name if download else None,
        content_disposition_type="attachment" if download else "inline",
    )


class BulletinOrder(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period: str
    of: str


@router.post("/api/reports/bulletins", status_code=202)
async def generate_bulletin(
    request: Request, console: ConsoleDep, user: Reports, _csrf: CsrfDep, order: BulletinOrder
) -> dict[str, object]:
    """Compile and publish a period's bulletin now, as the report worker does, followed as an operation."""
    policies = dashboard.policies(console.settings.config_dir)
    today = console.clock().astimezone(policies.report.timezone).date()
    try:
        period = dashboard.period_of(order.period, order.of, today)
    except dashboard.PeriodChoiceError as error:
        raise HTTPException(400, str(error)) from None

    async def work(operation: Operation) -> tuple[Link, ...]:
        now = console.clock()
        with dashboard.reading(console.settings.ledger_database_url) as reader:
            async with operation.step_of("统计台账数据"):
                bulletin = await asyncio.to_thread(compile_bulletin, reader, policies.report, period, now)
        async with operation.step_of("绘制图表并生成HTML、XLSX文件"):
            published = await asyncio.to_thread(
                publish, bulletin, console.settings.report_dir, console.settings.report_font, now
            )
        folder = published.directory.name
        return (
            Link("查看HTML通报", f"/reports/files/{folder}/{published.html.name}"),
            Link("下载XLSX报表", f"/reports/files/{folder}/{published.workbook.name}"),
        )

    try:
        operation = operations_of(request).start(
            user.username,
            f"生成{period.title}通报",
            2,
            work,
            subject=f"bulletin:{period.kind}:{period.label}",
        )
    except OperationRefused as error:
        raise HTTPException(409, str(error)) from None
    return {"id": operation.id, "href": f"/api/operations/{operation.id}"}


@router.get("/api/operations/{operation_id}")
async def operation_progress(request: Request, user: PrincipalDep, operation_id: str) -> dict[str, object]:
    operation = operations_of(request).of(operation_id, user.username)
    if operation is None:
        raise HTTPException(404, "没有这项操作，或它不是您发起的")
    return operation.as_json()
