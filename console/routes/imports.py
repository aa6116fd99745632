"""Importing appeals (批量导入): an operator uploads a spreadsheet of hotline calls or online messages,
every row is checked as the intake form checks one appeal (console/case_import.py), and only if every
row is right is one process started per row, as an operation the page follows (console/operations.py).

All or nothing: a clerk corrects the file and imports it again, rather than working out which rows
went in. Rows with an external id (外部编号) are remembered (console_imports), so importing the same
file twice starts nothing the second time; rows without one cannot be told apart and start again.

This router is registered before intake's: `POST /api/intake/import` is no channel of
`POST /api/intake/{channel_id}`.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from console import case_import
from console.auth import Allowed, ConsoleDep, CsrfDep, Principal, audit
from console.context import Console
from console.intake import CHANNELS, IntakeChannel, handling_units
from console.operations import Link, Operation, OperationRefused, operations_of
from console.pages import render
from console.policy import Permission
from console.routes.intake import start_appeal
from console.store import imported_appeals_of
from workers.ids import ProcessId
from workers.ledger import models

router = APIRouter()

Operator = Annotated[Principal, Depends(Allowed(Permission.INTAKE))]

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Room for the multipart framing and the other fields around a file at the limit.
FRAMING_BYTES = 64 * 1024


@dataclass(frozen=True)
class Outcome:
    row: case_import.ImportRow
    # The instance the row started, or (skipped) the one an earlier import started for its external id.
    process_instance_key: str | None
    skipped: bool


@dataclass
class ImportRun:
    """What one import did, row by row, for its page to list once its operation has finished."""

    owner: str
    file_name: str
    channel: IntakeChannel
    total: int
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def counts(self) -> str:
        started = sum(not outcome.skipped for outcome in self.outcomes)
        skipped = len(self.outcomes) - started
        text = f"{self.channel.label}：共{self.total}行，启动{started}件，跳过{skipped}件（已导入过）"
        left = self.total - len(self.outcomes)
        return text + (f"，中断，{left}行未导入" if left else "")


def _runs(request: Request) -> dict[str, ImportRun]:
    """The imports by operation id, as long as the console keeps their operations."""
    state = request.app.state
    if not hasattr(state, "case_imports"):
        state.case_imports = {}
    runs: dict[str, ImportRun] = state.case_imports
    operations = operations_of(request)
    for key, run in list(runs.items()):
        if operations.of(key, run.owner) is None:
            del runs[key]
    return runs


def importable_of(user: Principal) -> tuple[str, ...]:
    """The importable channels the user's role registers."""
    return tuple(channel_id for channel_id in case_import.IMPORTABLE if user.role.registers(channel_id))


@router.get("/intake/import", response_class=HTMLResponse)
async def import_page(request: Request, user: Operator, channel: str = "") -> Response:
    allowed = importable_of(user)
    if not allowed:
        raise HTTPException(403, "您的角色受理的渠道不支持批量导入")
    return render(
        request,
        user,
        "import.html",
        channels={channel_id: CHANNELS[channel_id] for channel_id in allowed},
        columns={channel_id: case_import.columns_of(CHANNELS[channel_id]) for channel_id in allowed},
        active=channel if channel in allowed else allowed[0],
        max_mb=case_import.MAX_BYTES // (1024 * 1024),
        max_rows=case_import.MAX_ROWS,
    )


@router.get("/intake/import/template.xlsx")
async def import_template(user: Operator, channel: str = ProcessId.HOTLINE_TICKET) -> Response:
    chosen = case_import.importable(channel)
    if chosen is None:
        raise HTTPException(404, f"没有这个导入渠道：{channel}")
    if channel not in importable_of(user):
        raise HTTPException(403, f"您的角色（{user.role.title}）不受理{chosen.label}")
    name = quote(f"{chosen.label}导入模板.xlsx")
    return Response(
        case_import.template_workbook(chosen),
        media_type=XLSX_TYPE,
        headers={
            "Content-Disposition": f"attachment; filename=\"{channel}-import.xlsx\"; filename*=UTF-8''{name}"
        },
    )


def _upload_size(request: Request) -> None:
    """Refuse a file too large before reading it, when the request says how large it is."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > case_import.MAX_BYTES + FRAMING_BYTES:
        raise HTTPException(413, case_import.TOO_LARGE)


@router.post("/api/intake/import", status_code=202, dependencies=[Depends(_upload_size)])
async def start_import(request: Request, console: ConsoleDep, user: Operator, _csrf: CsrfDep) -> Response:
    form = await request.form(max_files=1, max_fields=5)
    channel = case_import.importable(str(form.get("channel") or ""))
    if channel is None:
        raise HTTPException(400, "请选择导入渠道：热线来电或网上留言。")
    if channel.process_id not in importable_of(user):
        raise HTTPException(403, f"您的角色（{user.role.title}）不受理{channel.label}")
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise HTTPException(400, "请选择要导入的文件。")
    # Browsers send a bare name; some old ones the whole path.
    file_name = upload.filename.replace("\\", "/").rsplit("/", 1)[-1]
    content = await upload.read(case_import.MAX_BYTES + 1)
    now = console.clock().astimezone(console.timezone)
    units = handling_units(console.settings.config_dir)
    try:
        checked = await asyncio.to_thread(_checked, channel, file_name, content, units, now)
    except case_import.ImportRefused as refused:
        raise HTTPException(refused.status, str(refused)) from None
    except case_import.ImportInvalid as invalid:
        return JSONResponse(
            {
                "status": 422,
                "detail": f"文件中有{len(invalid.problems)}处问题，未导入任何诉求；请改正后重新导入。",
                "errors": invalid.problems,
            },
            status_code=422,
        )

    run = ImportRun(user.username, file_name, channel, len(checked.rows))

    async def work(operation: Operation) -> tuple[Link, ...]:
        try:
            for row in checked.rows:
                async with operation.step_of(f"第{row.line}行“{row.title}”"):
                    run.outcomes.append(await _imported(console, run, row))
        finally:
            audit(console, request, user, "import", file_name[:100], run.counts)
        return ()

    try:
        operation = operations_of(request).start(
            user.username,
            f"导入“{file_name}”（{channel.label}）",
            len(checked.rows),
            work,
            # The same file sent twice at once (a double click) runs once.
            subject=f"import:{channel.process_id}:{hashlib.sha256(content).hexdigest()}",
        )
    except OperationRefused as error:
        raise HTTPException(409, str(error)) from None
    _runs(request)[operation.id] = run
    return JSONResponse(
        {
            "id": operation.id,
            "href": f"/api/operations/{operation.id}",
            "result": f"/api/intake/import/{operation.id}",
            "rows": len(checked.rows),
            "ignoredColumns": list(checked.ignored),
        },
        status_code=202,
    )


def _checked(
    channel: IntakeChannel, file_name: str, content: bytes, units: tuple[tuple[str, str], ...], now: datetime
) -> case_import.CheckedFile:
    return case_import.checked_file(channel, case_import.read_table(file_name, content), units, now)


async def _imported(console: Console, run: ImportRun, row: case_import.ImportRow) -> Outcome:
    """Start the row's process, unless its external id was imported before."""
    if row.external_id is None:
        return Outcome(row, await start_appeal(console, run.channel, row.variables), skipped=False)
    imports = imported_appeals_of(console.store)
    process_id = run.channel.process_id
    claimed, earlier = await asyncio.to_thread(
        imports.claim, process_id, row.external_id, run.file_name, run.owner, console.clock()
    )
    if not claimed:
        return Outcome(row, earlier, skipped=True)
    try:
        key = await start_appeal(console, run.channel, row.variables)
    except BaseException:
        await asyncio.to_thread(imports.release, process_id, row.external_id)
        raise
    await asyncio.to_thread(imports.started, process_id, row.external_id, key)
    return Outcome(row, key, skipped=False)


@router.get("/api/intake/import/{operation_id}")
async def import_result(request: Request, console: ConsoleDep, user: Operator, operation_id: str) -> Response:
    """The rows an import has done so far: each one's case number once the workers registered it."""
    run = _runs(request).get(operation_id)
    if run is None or operations_of(request).of(operation_id, user.username) is None:
        raise HTTPException(404, "没有这项导入，或它不是您发起的")
    keys = [outcome.process_instance_key for outcome in run.outcomes if outcome.process_instance_key]
    numbers = await asyncio.to_thread(_case_numbers, console.cases.engine, keys)
    rows = []
    for outcome in run.outcomes:
        key = outcome.process_instance_key
        number = numbers.get(key) if key else None
        rows.append(
            {
                "line": outcome.row.line,
                "externalId": outcome.row.external_id,
                "title": outcome.row.title,
                "status": "skipped" if outcome.skipped else "started",
                "processInstanceKey": key,
                "caseNumber": number,
                "caseUrl": f"/cases/{quote(number)}" if number else None,
            }
        )
    started = sum(row["status"] == "started" for row in rows)
    return JSONResponse(
        {
            "fileName": run.file_name,
            "channel": run.channel.process_id,
            "total": run.total,
            "started": started,
            "skipped": len(rows) - started,
            "rows": rows,
        }
    )


def _case_numbers(engine: Engine, keys: list[str]) -> dict[str, str]:
    """The case number of each instance key the workers have registered a case for."""
    case = models.Case
    query = select(case.process_instance_key, case.case_number).where(
        case.process_instance_key.in_([int(key) for key in keys])
    )
    with Session(engine) as session:
        return {str(key): number for key, number in session.execute(query)}
