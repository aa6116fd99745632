"""Cases (案件查询): the search and list of the ledger's cases, one case with its timeline, replies,
deadlines counted down in working days, reminders, supervision, returns, extensions, return visits,
and its attachments.

Who sees which case: every case with `cases.all`; with `cases.unit`, the cases the user's unit
leads or co-handles, restricted in the search's SQL (workers/ledger/queries.py), so another unit's
case is neither listed, counted nor found by its number or text. A case outside the user's scope
answers 404, as an unknown number does, for its page, its JSON and its attachments: the answer does
not tell whether it exists.

Appellants' data is shown as the user's ledger role may see it (config/ledger.toml); every view of
it in the clear, in the list or on the case's page, is written to the audit log.

Decisions:
- The countdown counts working days as the dashboards do (console/dashboard.py): the days left
  include today, so the due day itself shows 1 left, as the workers' reminder counts; past the
  deadline, the working days since the due day.
- Attachments live in the console's database (console_attachments), at most 10 MB each, of the
  types in ALLOWED_TYPES, checked by extension, declared type and, for images and PDF, the file's
  own signature; the stored type is ours, not the browser's.
"""

from __future__ import annotations

import asyncio
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from console.auth import Allowed, ConsoleDep, CsrfDep, Principal, audit
from console.case_messages import case_messages
from console.context import Console
from console.dashboard import (
    DUE_SOON_WORKING_DAYS,
    due_day,
    policies,
    working_days_left,
    working_days_overdue,
)
from console.pages import render
from console.policy import Permission
from console.routes.tasks import case_tasks
from console.store import AttachmentInfo, attachments_of
from console.times import local_deadline
from workers.classification_policy import ClassificationPolicy, load_classification_policy
from workers.ledger.masking import Appellant
from workers.ledger.queries import (
    COUNT_CAP,
    CasePage,
    CaseQuery,
    CaseSummary,
    Cursor,
)
from workers.ledger.service import CaseView, HistoryEntry, UnknownCase
from workers.services.calendar import UncoveredYearError

router = APIRouter()

CaseUser = Annotated[Principal, Depends(Allowed(Permission.CASES_ALL, Permission.CASES_UNIT))]
CaseNumber = Annotated[str, PathParam(max_length=40)]
AttachmentId = Annotated[int, PathParam(ge=1, le=2**62)]

NOT_FOUND = "案件不存在，或不在您的查看范围内"
ATTACHMENT_NOT_FOUND = "附件不存在，或不在您的查看范围内"
VIEW_APPELLANT = "view-appellant"

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# Room for the multipart framing and the CSRF field around a file at the limit.
MAX_UPLOAD_REQUEST_BYTES = MAX_ATTACHMENT_BYTES + 64 * 1024
# Extension → (the type stored and served, the types a browser may declare for it).
ALLOWED_TYPES: dict[str, tuple[str, frozenset[str]]] = {
    ".pdf": ("application/pdf", frozenset({"application/pdf"})),
    ".jpg": ("image/jpeg", frozenset({"image/jpeg", "image/pjpeg"})),
    ".jpeg": ("image/jpeg", frozenset({"image/jpeg", "image/pjpeg"})),
    ".png": ("image/png", frozenset({"image/png"})),
    ".txt": ("text/plain", frozenset({"text/plain"})),
    ".doc": ("application/msword", frozenset({"application/msword"})),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        frozenset({"application/vnd.openxmlformats-officedocument.wordprocessingml.document"}),
    ),
    ".xls": ("application/vnd.ms-excel", frozenset({"application/vnd.ms-excel"})),
    ".xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        frozenset({"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
    ),
    ".mp3": ("audio/mpeg", frozenset({"audio/mpeg", "audio/mp3"})),
    ".wav": ("audio/wav", frozenset({"audio/wav", "audio/x-wav", "audio/wave"})),
}
# Browsers declare this for a file type the system does not know; the extension decides then.
UNKNOWN_TYPE = "application/octet-stream"
SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}
ALLOWED_NAMES = "PDF、JPG、PNG、TXT、Word（DOC/DOCX）、Excel（XLS/XLSX）、MP3、WAV"

CHANNELS = {
    "hotline-ticket": "12345热线",
    "online-message": "网上留言",
    "deputy-suggestion": "建议提案",
    "forum-post": "论坛帖",
    "meeting-attendance": "列席常务会议",
    "weibo-release": "微博发布",
    "online-interview": "在线访谈",
    "online-survey": "在线调查",
    "leader-reception": "领导接访",
    "radio-hotline": "政风行风热线",
}
STATUSES = {
    "received": "已登记",
    "not-accepted": "不予受理",
    "dispatched": "已交办",
    "signed": "已签收",
    "handling": "办理中",
    "handled": "已答复",
    "responded": "已初步回应",
    "instructed": "领导已批示",
    "reported-upward": "已上报",
    "checked": "已核查",
    "following-up": "落实中",
    "published": "已公开",
    "completed": "已办结",
    "closed": "已办结归档",
    "express-dispatched": "督办已派发",
    "express-answered": "督办已反馈",
    # The communication circular's other channels; a status not named here shows as recorded.
    "previewed": "已发布预告",
    "held": "已举办",
    "approved": "已审核通过",
    "rejected": "审核未通过",
    "scheduled": "已排期",
    "broadcast": "已上线直播",
    "deferred": "改至下季度上线",
    "owned": "接访领导已包案",
    "assigned": "已交办",
}
# Where a channel's status means something else than in the others (a reception's leader signs, a
# unit signs for a work order).
CHANNEL_STATUSES = {
    "leader-reception": {"signed": "接访领导已签署"},
    "weibo-release": {"published": "已发布"},
    "online-survey": {"published": "调查已发布"},
    "meeting-attendance": {"held": "会议已召开"},
}
# Who recorded a transition: a candidate group, or a unit (shown as it is).
ACTORS = {"hotline-centre": "热线中心", "supervision": "督查室", "forum-office": "论坛办"}
HISTORY_KINDS = {
    "transition": "状态变更",
    "deadline": "办理期限变更",
    "reminder": "催办",
    "return": "退回",
    "extension": "延期申请",
    "escalation": "督办",
    "reply": "答复",
    "satisfaction": "回访",
    # Each activity row shows its own label, recorded with it; this names the kind.
    "activity": "工作记录",
}
DECISIONS = {"approved": "批准", "rejected": "不予批准"}
# An activity recorded within this of when it happened shows one time only.
SAME_MOMENT = timedelta(minutes=1)
# The answers of the callback forms (forms/callback.form, deputy-feedback.form).
SATISFACTION = {"satisfied": "满意", "basically": "基本满意", "unsatisfied": "不满意"}


# ------------------------------------------------------------------------------------------ the list


@router.get("/cases", response_class=HTMLResponse)
async def cases_page(request: Request, console: ConsoleDep, user: CaseUser) -> Response:
    found = await _search(request, console, user)
    return render(request, user, "cases.html", **found, **_choices(console))


@router.get("/api/cases")
async def cases_api(request: Request, console: ConsoleDep, user: CaseUser) -> Response:
    found = await _search(request, console, user)
    page: CasePage = found["page"]
    return JSONResponse(
        jsonable_encoder(
            {
                "items": [_summary_json(case) for case in page.cases],
                "total": found["total"],
                "totalCapped": found["total"] > COUNT_CAP,
                "newer": page.newer.token() if page.newer else None,
                "older": page.older.token() if page.older else None,
                "problems": found["problems"],
            }
        )
    )


async def _search(request: Request, console: Console, user: Principal) -> dict[str, Any]:
    """The page of cases the request's filters ask for, within the user's scope, and what to show."""
    params = request.query_params
    form = {name: params.get(name, "").strip() for name in _FILTERS}
    problems: list[str] = []
    received_from = _day(form["from"], "受理日期（起）", problems)
    received_to = _day(form["to"], "受理日期（止）", problems)
    now = console.clock()
    unit = case_scope(user)
    query = CaseQuery(
        number=form["number"].upper() or None,
        text=form["q"] or None,
        channel=form["channel"] or None,
        category=form["category"] or None,
        status=form["status"] or None,
        lead_unit=form["unit"] or None,
        received_from=None if received_from is None else _local_midnight(console, received_from),
        received_before=None if received_to is None else _local_midnight(console, received_to + timedelta(1)),
        overdue_at=now if form["overdue"] else None,
        completed_statuses=policies(console.settings.config_dir).report.cases.completed_statuses,
        unit=unit if isinstance(unit, str) else None,
    )
    after = Cursor.parse(params.get("after", ""))
    before = None if after is not None else Cursor.parse(params.get("before", ""))
    if unit is False:
        page, total = CasePage((), None, None), 0
    else:
        search = console.cases
        page = await asyncio.to_thread(search.search, query, user.viewer, after=after, before=before)
        total = await asyncio.to_thread(search.count, query)
    deadline = policies(console.settings.config_dir).deadline
    due_labels, overdue = {}, set()
    for case in page.cases:
        if case.appellant_in_clear:
            audit(console, request, user, VIEW_APPELLANT, case.case_number, "案件列表")
        if case.due_at is not None:
            due_labels[case.case_number] = local_deadline(case.due_at, deadline.timezone)
            if case.due_at < now and case.archived_at is None and case.status not in query.completed_statuses:
                overdue.add(case.case_number)
    return {
        "page": page,
        "total": total,
        "count_cap": COUNT_CAP,
        "form": form,
        "problems": problems,
        "overdue": overdue,
        "due_labels": due_labels,
        "paging": {name: value for name, value in form.items() if value},
    }


_FILTERS = ("number", "q", "channel", "category", "status", "unit", "from", "to", "overdue")


def case_scope(user: Principal) -> str | bool | None:
    """Whose cases the user reads: None for every case, a unit's name, or False for none at all (a
    unit's role without a unit)."""
    if user.may(Permission.CASES_ALL):
        return None
    unit = user.account.unit
    return unit if unit is not None and user.may(Permission.CASES_UNIT) else False


def _day(text: str, label: str, problems: list[str]) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems.append(f"{label}格式不正确，应为“年-月-日”，如 2026-10-08；此条件未生效。")
        return None


def _local_midnight(console: Console, day: date) -> datetime:
    return datetime.combine(day, time(), console.timezone)


def _choices(console: Console) -> dict[str, Any]:
    classification = _classification(console.settings.config_dir)
    return {
        "channels": CHANNELS,
        "statuses": STATUSES,
        "status_name": status_name,
        "categories": sorted(classification.categories.cues),
        "units": sorted(classification.units),
    }


def status_name(channel: str, status: str) -> str:
    """A status in words; one that no map names shows as recorded rather than not at all."""
    return CHANNEL_STATUSES.get(channel, {}).get(status) or STATUSES.get(status, status)


def _summary_json(case: CaseSummary) -> dict[str, Any]:
    return {
        "caseNumber": case.case_number,
        "channel": case.channel,
        "channelName": CHANNELS.get(case.channel, case.channel),
        "receivedAt": case.received_at,
        "title": case.title,
        "category": case.category,
        "leadUnit": case.lead_unit,
        "coUnits": list(case.co_units),
        "status": case.status,
        "statusName": status_name(case.channel, case.status),
        "dueAt": case.due_at,
        "archivedAt": case.archived_at,
        "processInstanceKey": None if case.process_instance_key is None else str(case.process_instance_key),
        "appellant": _appellant_json(case.appellant),
    }


def _appellant_json(appellant: Appellant) -> dict[str, Any]:
    return {
        "name": appellant.name,
        "phone": appellant.phone,
        "address": appellant.address,
        "confidential": appellant.confidential,
    }


@cache
def _classification(config_dir: Path) -> ClassificationPolicy:
    return load_classification_policy(config_dir)


# ------------------------------------------------------------------------------------------ one case


@router.get("/cases/{number}", response_class=HTMLResponse)
async def case_page(request: Request, console: ConsoleDep, user: CaseUser, number: CaseNumber) -> Response:
    view = await visible_case(console, user, number)
    notice = "附件已上传。" if request.query_params.get("uploaded") else None
    return render(
        request,
        user,
        "case.html",
        **_case_context(request, console, user, view),
        notice=notice,
        messages=await case_messages(console, user, view),
        tasks=await case_tasks(console, user, view.case_number),
        may_do_tasks=user.may(Permission.TASKS),
        now=console.clock().astimezone(console.timezone).strftime("%Y-%m-%dT%H:%M"),
    )


@router.get("/api/cases/{number}")
async def case_api(request: Request, console: ConsoleDep, user: CaseUser, number: CaseNumber) -> Response:
    view = await visible_case(console, user, number)
    context = _case_context(request, console, user, view)
    countdown: Countdown | None = context["countdown"]
    return JSONResponse(
        jsonable_encoder(
            {
                "caseNumber": view.case_number,
                "channel": view.channel,
                "channelName": CHANNELS.get(view.channel, view.channel),
                "receivedAt": view.received_at,
                "title": view.title,
                "content": view.content,
                "location": view.location,
                "category": view.category,
                "accepted": view.accepted,
                "acceptanceReason": view.acceptance_reason,
                "leadUnit": view.lead_unit,
                "coUnits": list(view.co_units),
                "status": view.status,
                "statusName": status_name(view.channel, view.status),
                "dueAt": view.due_at,
                "archivedAt": view.archived_at,
                "processInstanceKey": context["instance_key"],
                "appellant": _appellant_json(view.appellant),
                "countdown": None if countdown is None else vars(countdown),
                "history": context["timeline"],
                "attachments": [_attachment_json(item) for item in context["attachments"]],
            }
        )
    )


async def visible_case(console: Console, user: Principal, number: str) -> CaseView:
    """The case `number` as `user` may see it; 404 alike for an unknown case and one out of scope."""
    try:
        view = await asyncio.to_thread(console.ledger.view_case, number.strip().upper(), user.viewer)
    except UnknownCase:
        raise HTTPException(404, NOT_FOUND) from None
    if not user.may_see_case(view.lead_unit, view.co_units):
        raise HTTPException(404, NOT_FOUND)
    return view


@dataclass(frozen=True)
class Countdown:
    # The deadline as people read it: the due day and the time it runs out ("24:00").
    due: str
    # overdue, today, soon, ok, done (the case is completed) or unknown (a year the calendar lacks).
    state: str
    # Working days left, today included, or working days overdue.
    working_days: int | None
    text: str


def _countdown(console: Console, view: CaseView) -> Countdown | None:
    if view.due_at is None:
        return None
    found = policies(console.settings.config_dir)
    deadline = found.deadline
    last_day = due_day(view.due_at, deadline)
    due = local_deadline(view.due_at, deadline.timezone)
    if view.archived_at is not None or view.status in found.report.cases.completed_statuses:
        return Countdown(due, "done", None, "已办结")
    now = console.clock()
    today = now.astimezone(deadline.timezone).date()
    try:
        if now >= view.due_at:
            late = working_days_overdue(console.calendar, today, last_day)
            text = f"已超期 {late} 个工作日" if late else "已超期"
            return Countdown(due, "overdue", late, text)
        left = working_days_left(console.calendar, today, last_day)
    except UncoveredYearError as error:
        return Countdown(due, "unknown", None, f"工作日历未覆盖 {error.year} 年，无法计算剩余工作日")
    if last_day == today:
        return Countdown(due, "today", left, "今日到期")
    state = "soon" if left <= DUE_SOON_WORKING_DAYS else "ok"
    return Countdown(due, state, left, f"剩余 {left} 个工作日")


def _case_context(request: Request, console: Console, user: Principal, view: CaseView) -> dict[str, Any]:
    search = console.cases
    if search.in_clear(user.viewer, view.appellant):
        audit(console, request, user, VIEW_APPELLANT, view.case_number, "案件详情")
    timeline = [_entry(console, view.channel, entry) for entry in view.history]
    key = view.process_instance_key
    return {
        "case": view,
        "channel_name": CHANNELS.get(view.channel, view.channel),
        "status_name": status_name(view.channel, view.status),
        "countdown": _countdown(console, view),
        "timeline": timeline,
        "by_kind": {kind: [entry for entry in timeline if entry["kind"] == kind] for kind in HISTORY_KINDS},
        "instance_key": None if key is None else str(key),
        "may_see_instance": user.may(Permission.INSTANCES),
        "attachments": attachments_of(console.store).of_case(view.case_number),
        "max_attachment_mb": MAX_ATTACHMENT_BYTES // (1024 * 1024),
        "allowed_names": ALLOWED_NAMES,
        "accept": ",".join(ALLOWED_TYPES),
        "upload_error": None,
    }


def _entry(console: Console, channel: str, entry: HistoryEntry) -> dict[str, Any]:
    """One row of the timeline: what happened, when, by whom, in words."""
    fields = entry.fields
    deadline = policies(console.settings.config_dir).deadline

    def due(at: datetime | None) -> str:
        return "无" if at is None else local_deadline(at, deadline.timezone)

    who = fields.get("unit")
    details: list[str] = []
    match entry.kind:
        case "transition":
            who = ACTORS.get(fields["actor"], fields["actor"]) if fields.get("actor") else None
            before = fields.get("from_status")
            details.append(
                f"{status_name(channel, before) if before else '（新建）'} → "
                f"{status_name(channel, fields['to_status'])}"
            )
            details.append(fields.get("note") or "")
        case "deadline":
            details.append(f"办理期限：{due(fields.get('previous_due_at'))} → {due(fields['due_at'])}")
            details.append(fields.get("reason") or "")
        case "reminder":
            details.append(fields.get("note") or "")
        case "return" | "escalation":
            details.append(fields["reason"])
        case "extension":
            details.append(f"理由：{fields['reason']}")
            details.append(f"审批：{DECISIONS.get(fields['decision'], fields['decision'])}")
            if fields.get("new_due_at") is not None:
                details.append(f"新期限：{due(fields['new_due_at'])}")
            if fields.get("signer"):
                details.append(f"签发人：{fields['signer']}")
        case "reply":
            details.append(fields["text"])
            if fields.get("signer"):
                details.append(f"签发人：{fields['signer']}")
            if fields.get("grade"):
                details.append(f"答复等级：{fields['grade']}")
        case "satisfaction":
            details.append(f"回访结果：{SATISFACTION.get(fields['result'], fields['result'])}")
            details.append(fields.get("note") or "")
        case "activity":
            who = "，".join(part for part in (fields.get("unit"), fields.get("actor")) if part) or None
            details.extend(f"{name}：{_datum(value)}" for name, value in (fields.get("data") or {}).items())
    occurred = fields.get("occurredAt") if entry.kind == "activity" else None
    return {
        "kind": entry.kind,
        "label": (fields.get("label") if entry.kind == "activity" else None)
        or HISTORY_KINDS.get(entry.kind, entry.kind),
        "at": entry.recorded_at,
        # When an activity happened, if it was recorded later (a broadcast recorded the next day).
        "occurred": occurred
        if occurred is not None and abs(occurred - entry.recorded_at) >= SAME_MOMENT
        else None,
        "who": who,
        "text": "；".join(part for part in details if part),
        "fields": dict(fields),
    }


def _datum(value: Any) -> str:
    """An activity's figure or flag as people read it."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None:
        return "无"
    if isinstance(value, list):
        return "、".join(_datum(item) for item in value)
    if isinstance(value, dict):
        return "，".join(f"{name}：{_datum(item)}" for name, item in value.items())
    return str(value)


# ---------------------------------------------------------------------------------------- attachments


def _upload_size(request: Request) -> None:
    """Refuse an upload too large before reading its body, when it says how large it is."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_UPLOAD_REQUEST_BYTES:
        raise HTTPException(413, _too_large())


def _too_large() -> str:
    return f"附件不能超过 {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB，请压缩或拆分后再上传。"


@router.post("/cases/{number}/attachments", dependencies=[Depends(_upload_size)])
async def upload_attachment(
    request: Request, console: ConsoleDep, user: CaseUser, _checked: CsrfDep, number: CaseNumber
) -> Response:
    view = await visible_case(console, user, number)
    form = await request.form(max_files=1, max_fields=5)
    upload = form.get("file")
    problem, status = None, 400
    if not isinstance(upload, UploadFile) or not upload.filename:
        problem = "请选择要上传的文件。"
    else:
        content = await upload.read(MAX_ATTACHMENT_BYTES + 1)
        filename = _safe_filename(upload.filename)
        stored_type = _stored_type(filename, upload.content_type, content)
        if len(content) > MAX_ATTACHMENT_BYTES:
            problem, status = _too_large(), 413
        elif not content:
            problem = "文件是空的，请重新选择。"
        elif stored_type is None:
            problem, status = f"不支持此文件类型，只能上传 {ALLOWED_NAMES} 文件。", 415
        else:
            attachments_of(console.store).add(
                view.case_number, filename, stored_type, content, user.username, console.clock()
            )
            return RedirectResponse(
                f"/cases/{quote(view.case_number)}?uploaded=1#attachments", status_code=303
            )
    context = _case_context(request, console, user, view)
    context["upload_error"] = problem
    return render(request, user, "case.html", status_code=status, **context)


@router.get("/api/cases/{number}/attachments")
async def attachments_api(console: ConsoleDep, user: CaseUser, number: CaseNumber) -> Response:
    view = await visible_case(console, user, number)
    items = attachments_of(console.store).of_case(view.case_number)
    return JSONResponse(jsonable_encoder({"items": [_attachment_json(item) for item in items]}))


@router.get("/cases/{number}/attachments/{attachment_id}")
async def download_attachment(
    console: ConsoleDep, user: CaseUser, number: CaseNumber, attachment_id: AttachmentId
) -> Response:
    view = await visible_case(console, user, number)
    found = attachments_of(console.store).content(view.case_number, attachment_id)
    if found is None:
        raise HTTPException(404, ATTACHMENT_NOT_FOUND)
    info, content = found
    ascii_name = info.filename.encode("ascii", "ignore").decode() or "attachment"
    ascii_name = re.sub(r'["\\]', "_", ascii_name)
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(info.filename)}"
    return Response(
        content,
        media_type=info.content_type,
        headers={
            "Content-Disposition": disposition,
            "Cache-Control": "private, no-store",
        },
    )


def _attachment_json(item: AttachmentInfo) -> dict[str, Any]:
    return {
        "id": item.id,
        "filename": item.filename,
        "contentType": item.content_type,
        "size": item.size,
        "uploadedBy": item.uploaded_by,
        "uploadedAt": item.uploaded_at,
        "url": f"/cases/{quote(item.case_number)}/attachments/{item.id}",
    }


def _safe_filename(name: str) -> str:
    """The file's own name, without a path or control characters, at most 200 characters."""
    base = re.split(r"[\\/]", name)[-1]
    cleaned = "".join(char for char in base if unicodedata.category(char)[0] != "C").strip()
    if len(cleaned) > 200:
        stem, dot, extension = cleaned.rpartition(".")
        cleaned = stem[: 200 - len(extension) - 1] + dot + extension if dot else cleaned[:200]
    return cleaned or "附件"


def _stored_type(filename: str, declared: str | None, content: bytes) -> str | None:
    """The type to store the file as, or None when it is not one of ALLOWED_TYPES."""
    _, dot, extension = filename.lower().rpartition(".")
    allowed = ALLOWED_TYPES.get(dot + extension) if dot else None
    if allowed is None:
        return None
    stored, declarable = allowed
    declared_type = (declared or UNKNOWN_TYPE).split(";")[0].strip().lower()
    if declared_type != UNKNOWN_TYPE and declared_type not in declarable:
        return None
    signatures = SIGNATURES.get(stored)
    if signatures is not None and not content.startswith(signatures):
        return None
    return stored
