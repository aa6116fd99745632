"""The knowledge base (知识库): search it as the front desk's proposals are found, list its entries by
status, unit and topic, read one with its version history, and submit a new entry, which is saved
as a draft and handed to the `knowledge-entry` process for the owning unit's review.

Who sees what: every user with `knowledge` sees every published entry; a unit's user sees the
unpublished ones (drafts, in review, expired, withdrawn) of their own unit only, in the SQL
(workers/knowledge/queries.py), so another unit's draft answers 404 as an unknown number does. With
`knowledge.submit` a unit's user submits for their own unit only, whatever the form says; the hotline
centre submits for any handling unit.

Decisions:
- The dates of validity are days in the jurisdiction's time zone: valid from the start of the first
  day, until the start of the day after the last one.
- If the process cannot be started, the draft just saved is withdrawn, so that no entry waits for a
  review nobody was asked for, and the form is shown again with what was typed.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from console.auth import Allowed, ConsoleDep, CsrfDep, Principal, audit
from console.context import Console
from console.engine_client import EngineError
from console.intake import handling_units
from console.pages import render
from console.policy import Permission
from workers.ids import ProcessId
from workers.knowledge.queries import EntryFilter, Reader, filter_choices, get_entry, list_entries
from workers.knowledge.search import KnowledgeSearch
from workers.knowledge.store import STATUSES, EntryText, KnowledgeError, KnowledgeStore

router = APIRouter()

KnowledgeUser = Annotated[Principal, Depends(Allowed(Permission.KNOWLEDGE))]
Submitter = Annotated[Principal, Depends(Allowed(Permission.KNOWLEDGE_SUBMIT))]
EntryNumber = Annotated[str, PathParam(max_length=32)]

NOT_FOUND = "知识条目不存在，或不在您的查看范围内"
SUBMIT_KNOWLEDGE = "submit-knowledge"
PAGE_SIZE = 20
PROPOSALS = 10
STATUS_NAMES = {
    "draft": "草稿",
    "in-review": "审核中",
    "published": "已发布",
    "expired": "已过期",
    "withdrawn": "已撤回",
}
CHANGE_NAMES = {
    "create": "创建",
    "revise": "修改",
    "submit": "提交审核",
    "publish": "审核通过并发布",
    "reject": "退回修改",
    "withdraw": "撤回",
    "expire": "到期失效",
}
assert set(STATUS_NAMES) == set(STATUSES), "every status of workers/knowledge/store.py needs a name"


def reader_of(user: Principal) -> Reader:
    """A unit's user reads as their unit; everyone else reads every entry."""
    return Reader(unit=user.account.unit if user.role.per_unit else None)


def _units(console: Console, user: Principal) -> list[str]:
    """The units `user` may submit an entry for."""
    if user.role.per_unit:
        return [user.account.unit] if user.account.unit else []
    return [unit for unit, _ in handling_units(console.settings.config_dir)]


async def _store(console: Console) -> KnowledgeStore:
    segmenter = await asyncio.to_thread(console.knowledge_segmenter)
    return KnowledgeStore(console.cases.engine, segmenter, console.clock)


@router.get("/knowledge", response_class=HTMLResponse)
async def knowledge_page(
    request: Request,
    console: ConsoleDep,
    user: KnowledgeUser,
    q: Annotated[str, Query(max_length=200)] = "",
    status: Annotated[str, Query(max_length=16)] = "",
    unit: Annotated[str, Query(max_length=100)] = "",
    topic: Annotated[str, Query(max_length=100)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    reader = reader_of(user)
    where = EntryFilter(status=status if status in STATUSES else None, unit=unit or None, topic=topic or None)
    engine = console.cases.engine
    proposals = []
    if q.strip():
        segmenter = await asyncio.to_thread(console.knowledge_segmenter)
        search = KnowledgeSearch(engine, segmenter)
        proposals = await asyncio.to_thread(search.search, q, console.clock(), PROPOSALS)
    found = await asyncio.to_thread(list_entries, engine, reader, where, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    units, topics = await asyncio.to_thread(filter_choices, engine, reader)
    filters = {"q": q, "status": where.status or "", "unit": unit, "topic": topic}
    return render(
        request,
        user,
        "knowledge.html",
        form=filters,
        paging={key: value for key, value in filters.items() if value},
        proposals=proposals,
        found=found,
        page=page,
        pages=max(1, -(-found.total // PAGE_SIZE)),
        units=units,
        topics=topics,
        statuses=STATUS_NAMES,
        may_submit=user.may(Permission.KNOWLEDGE_SUBMIT),
    )


@dataclass
class _Typed:
    """What the submission form was filled with, to show it again with the problem."""

    question: str = ""
    answer: str = ""
    topic: str = ""
    unit: str = ""
    policy_basis: str = ""
    valid_from: str = ""
    valid_until: str = ""


def _form_page(
    request: Request, console: Console, user: Principal, typed: _Typed, error: str | None, status: int = 200
) -> Response:
    return render(
        request,
        user,
        "knowledge_new.html",
        status_code=status,
        typed=typed,
        error=error,
        units=_units(console, user),
        fixed_unit=user.role.per_unit,
    )


@router.get("/knowledge/new", response_class=HTMLResponse)
async def new_entry_page(request: Request, console: ConsoleDep, user: Submitter) -> Response:
    today = console.clock().astimezone(console.timezone).date().isoformat()
    units = _units(console, user)
    return _form_page(request, console, user, _Typed(valid_from=today, unit=units[0] if units else ""), None)


@router.post("/knowledge/new", response_class=HTMLResponse)
async def submit_entry(
    request: Request,
    console: ConsoleDep,
    user: Submitter,
    _csrf: CsrfDep,
    question: Annotated[str, Form(max_length=500)],
    answer: Annotated[str, Form(max_length=10_000)],
    topic: Annotated[str, Form(max_length=100)],
    valid_from: Annotated[str, Form(max_length=10)],
    unit: Annotated[str, Form(max_length=100)] = "",
    policy_basis: Annotated[str, Form(max_length=2_000)] = "",
    valid_until: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    units = _units(console, user)
    if user.role.per_unit:
        if unit and unit not in units:
            raise HTTPException(403, f"您只能为本单位（{user.account.unit}）提交知识条目")
        unit = units[0] if units else ""
    typed = _Typed(question, answer, topic, unit, policy_basis, valid_from, valid_until)
    try:
        text = _entry_text(console, typed, units)
    except KnowledgeError as problem:
        return _form_page(request, console, user, typed, str(problem), status=422)
    store = await _store(console)
    try:
        number = await asyncio.to_thread(store.create, text, user.username)
    except KnowledgeError as problem:
        return _form_page(request, console, user, typed, str(problem), status=422)
    try:
        await console.engine.post(
            "/process-instances",
            {
                "processDefinitionId": ProcessId.KNOWLEDGE_ENTRY,
                "variables": {"entryNumber": number, "unit": text.unit, "submittedBy": user.username},
            },
        )
    except EngineError as error:
        await asyncio.to_thread(store.withdraw, number, user.username)
        failed = f"审核流程未能启动，条目 {number} 已撤回，请稍后重新提交（{error.detail}）"
        return _form_page(request, console, user, typed, failed, status=502)
    audit(console, request, user, SUBMIT_KNOWLEDGE, number, text.unit)
    return RedirectResponse(f"/knowledge/{number}?submitted=1", status_code=303)


def _entry_text(console: Console, typed: _Typed, units: list[str]) -> EntryText:
    """The entry the form describes; KnowledgeError saying what is wrong, in the form's words."""
    if not typed.question.strip() or not typed.answer.strip():
        raise KnowledgeError("请填写问题和答复")
    if not typed.topic.strip():
        raise KnowledgeError("请填写主题")
    if typed.unit not in units:
        raise KnowledgeError(f"请选择所属单位（{typed.unit or '未选择'}不在可选单位中）")
    first = _day(typed.valid_from, "生效日期")
    if first is None:
        raise KnowledgeError("请填写生效日期")
    last = _day(typed.valid_until, "截止日期")
    if last is not None and last < first:
        raise KnowledgeError("截止日期不能早于生效日期")
    return EntryText(
        question=typed.question.strip(),
        answer=typed.answer.strip(),
        topic=typed.topic.strip(),
        unit=typed.unit,
        valid_from=_start_of(console, first),
        valid_until=None if last is None else _start_of(console, last + timedelta(days=1)),
        policy_basis=typed.policy_basis.strip() or None,
    )


def _day(value: str, label: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise KnowledgeError(f"{label}格式不正确：{value}") from None


def _start_of(console: Console, day: date) -> datetime:
    return datetime.combine(day, time(), console.timezone)


@router.get("/knowledge/{entry_number}", response_class=HTMLResponse)
async def entry_page(
    request: Request, console: ConsoleDep, user: KnowledgeUser, entry_number: EntryNumber, submitted: int = 0
) -> Response:
    entry = await asyncio.to_thread(get_entry, console.cases.engine, reader_of(user), entry_number)
    if entry is None:
        raise HTTPException(404, NOT_FOUND)
    return render(
        request,
        user,
        "knowledge_entry.html",
        entry=entry,
        statuses=STATUS_NAMES,
        changes=CHANGE_NAMES,
        submitted=bool(submitted),
    )
