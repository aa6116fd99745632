"""A complaint carried through the console in the browser, by the people whose work it is: the
operator registers it, the hotline centre dispatches it at the front desk, the housing unit
(住房城乡建设委) signs for it and replies, a supervisor watches the instance move on its diagram
without reloading, and the centre's callback closes it. Then the other ways a case goes: a return
and re-dispatch, an extension approved by supervision, and an incident retried from the instance
page.

The engine is read only to wait until the workers have done their part (a task exists before the
task list is opened) and its clock is pinned; every step a person takes is taken in the browser.
"""

from __future__ import annotations

import re
import time

from browser_support import (
    COMPLAINT,
    HOUSING,
    HOUSING_NAME,
    LIVE_MS,
    PageFor,
    SmsGateway,
    choose,
    diagram_element,
    dispatch,
    follow_menu,
    is_active_on_diagram,
    move_to,
    not_reloaded,
    open_task,
    pick,
    register_complaint,
    reply,
    screenshot,
    sign_for,
    submit_task,
    watch_instance,
)
from console_support import ConsoleStack
from playwright.async_api import FilePayload, expect

from workers.ids import HotlineTicket, UnitHandling
from workers.ledger.masking import Viewer
from workers.ledger.service import CaseView

SUPERVISION = Viewer(role="supervision")


def history(case: CaseView, kind: str) -> list[dict[str, object]]:
    return [dict(entry.fields) for entry in case.history if entry.kind == kind]


async def test_a_complaint_goes_from_intake_to_closing_with_a_supervisor_watching(
    console: ConsoleStack, page_for: PageFor
) -> None:
    engine = console.engine
    move_to(engine, "2026-09-25 10:00")
    operator = await page_for("operator")
    await operator.goto("/intake")
    await screenshot(operator, "intake")
    key, case_number = await register_complaint(operator)

    supervisor = await page_for("supervisor")
    await watch_instance(supervisor, key)
    await is_active_on_diagram(supervisor, HotlineTicket.INTAKE)
    await expect(supervisor.get_by_test_id("instance-has-incident")).to_be_hidden()

    # The hotline centre's front desk (前台受理): the classification chose the housing unit.
    centre = await page_for("centre")
    form = await open_task(centre, engine, key, HotlineTicket.INTAKE, case_number)
    await expect(form).to_contain_text(COMPLAINT["title"])
    await choose(form, "派送电子工单")
    await expect(form.get_by_label("答复内容"), "a dispatched order needs no direct answer").to_have_count(0)
    lead_unit = form.locator(".fjs-form-field").filter(has=centre.get_by_text("第一责任主体"))
    await expect(lead_unit.locator(".fjs-select-display")).to_have_text(HOUSING_NAME)
    await screenshot(centre, "task-form")
    await submit_task(centre)
    await is_active_on_diagram(supervisor, HotlineTicket.UNIT_HANDLING)

    # The housing unit sees the order to sign for (签收) in its task list ...
    zhujian = await page_for("zhujian")
    await engine.user_task_at(key, UnitHandling.SIGN_FOR)
    await follow_menu(zhujian, "待办任务")
    await expect(zhujian.get_by_test_id("task-row").filter(has_text=case_number)).to_contain_text("签收")
    await screenshot(zhujian, "tasks")
    form = await open_task(zhujian, engine, key, UnitHandling.SIGN_FOR, case_number)
    await expect(form, "the sign-for form shows the deadline").to_contain_text("办结时限")
    await zhujian.get_by_test_id("task-submit").click()
    await expect(zhujian.get_by_test_id("task-message")).to_contain_text("表单中有未填写或填写有误的项目")
    await expect(form.locator(".fjs-form-field-error").first, "form-js marks the field").to_have_text(
        "此项为必填项。"
    )
    await zhujian.get_by_test_id("task-back").click()
    await sign_for(zhujian, engine, key, case_number)

    # The unit opens the case from its task list: 20 working days left (today, 25 September, is the
    # Mid-Autumn Festival holiday); it attaches the record of its inspection.
    await zhujian.goto("/tasks")
    await (
        zhujian.get_by_test_id("task-row")
        .filter(has_text=case_number)
        .get_by_role("link", name=case_number)
        .click()
    )
    await expect(zhujian.get_by_test_id("case-number")).to_have_text(case_number)
    await expect(zhujian.get_by_test_id("case-countdown")).to_have_attribute("data-working-days", "20")
    await expect(
        zhujian.get_by_test_id("case-appellant-name"), "a unit sees the appellant masked"
    ).not_to_have_text(COMPLAINT["name"])
    record = FilePayload(
        name="现场检查记录.txt", mimeType="text/plain", buffer="管道支架松动，已更换。".encode()
    )
    await zhujian.get_by_test_id("case-upload-file").set_input_files(files=[record])
    await zhujian.get_by_test_id("case-upload-submit").click()
    await expect(zhujian.get_by_test_id("case-notice")).to_have_text("附件已上传。")
    await expect(zhujian.get_by_test_id("case-attachment-link")).to_have_text("现场检查记录.txt")

    # ... and replies (办理答复); the supervisor's open page moves on to the callback by itself.
    answer = "已会同供热公司检查，更换松动的管道支架，噪音已消除。"
    await reply(zhujian, engine, key, case_number, answer)
    replied = time.monotonic()
    await engine.user_task_at(key, HotlineTicket.CALLBACK)
    moved = time.monotonic()
    await is_active_on_diagram(supervisor, HotlineTicket.CALLBACK, timeout=LIVE_MS)
    print(
        f"the callback waited {moved - replied:.2f} s after the reply was submitted and was on the "
        f"supervisor's diagram {time.monotonic() - moved:.2f} s later"
    )
    handling = diagram_element(supervisor, HotlineTicket.UNIT_HANDLING)
    await expect(handling).to_have_class(re.compile(r"\bmx-completed\b"))
    await expect(handling).not_to_have_class(re.compile(r"\bmx-active\b"))
    await not_reloaded(supervisor)
    await screenshot(supervisor, "instance")

    # The centre calls the appellant back (回访): satisfied, and the case is closed.
    form = await open_task(centre, engine, key, HotlineTicket.CALLBACK, case_number)
    await choose(form, "满意")
    await form.get_by_label("回访记录").fill("噪音已消除，群众满意")
    await submit_task(centre)
    await engine.is_completed(key)
    await expect(supervisor.get_by_test_id("instance-state")).to_have_attribute(
        "data-state", "COMPLETED", timeout=LIVE_MS
    )
    await not_reloaded(supervisor)

    # The case page: closed, every step on its timeline, the reply, the callback, the attachment.
    await supervisor.get_by_test_id("case-link").click()
    await expect(supervisor.get_by_test_id("case-status")).to_have_attribute("data-status", "closed")
    await expect(supervisor.get_by_test_id("case-appellant-name")).to_have_text(COMPLAINT["name"])
    await expect(supervisor.get_by_test_id("case-reply")).to_contain_text(answer)
    transitions = supervisor.locator('[data-testid="case-event"][data-kind="transition"]')
    await expect(transitions).to_contain_text(
        ["（新建） → 已登记", "已登记 → 已交办", "已交办 → 已签收", "已签收 → 已答复", "已答复 → 已办结归档"]
    )
    await expect(transitions.nth(2).get_by_test_id("case-event-actor")).to_have_text(HOUSING)
    callback = supervisor.locator('[data-testid="case-event"][data-kind="satisfaction"]')
    await expect(callback).to_have_count(1)
    await expect(callback).to_contain_text("回访结果：满意")
    await expect(supervisor.get_by_test_id("case-attachment-link")).to_have_text("现场检查记录.txt")
    await screenshot(supervisor, "case")

    case = console.ledger.view_case(case_number, SUPERVISION)
    assert case.status == "closed", f"the callback should have closed the case, but it is {case.status}"
    assert case.lead_unit == HOUSING
    assert [(r["unit"], r["text"]) for r in history(case, "reply")] == [(HOUSING, answer)]

    # The supervisor read the appellant's data unmasked among the variables: the audit log says so.
    admin = await page_for("admin")
    await follow_menu(admin, "审计日志")
    await admin.get_by_label("对象（案件编号/用户名）").fill(case_number)
    await admin.get_by_role("button", name="筛选").click()
    views = admin.get_by_test_id("audit-log").locator("tbody tr").filter(has_text="查看诉求人信息")
    await expect(views.filter(has_text="supervisor").first).to_be_visible()
    await screenshot(admin, "audit")


async def test_a_unit_returns_an_order_outside_its_duties_and_the_centre_redispatches_it(
    console: ConsoleStack, page_for: PageFor
) -> None:
    engine = console.engine
    move_to(engine, "2026-09-25 10:00")
    key, case_number = await register_complaint(await page_for("operator"))
    centre = await page_for("centre")
    await dispatch(centre, engine, key, case_number)

    zhujian = await page_for("zhujian")
    form = await open_task(zhujian, engine, key, UnitHandling.SIGN_FOR, case_number)
    await choose(form, "不属本单位职责，申请退单")
    await expect(form.get_by_label("阅批领导"), "a return needs no reading leader").to_have_count(0)
    await submit_task(zhujian)
    form = await open_task(zhujian, engine, key, UnitHandling.RETURN_REQUEST, case_number)
    reason = "噪音来自小区外的施工工地，属综合执法局职责"
    await form.get_by_label("退单理由").fill(reason)
    await form.get_by_label("单位领导签批").fill("王主任")
    await submit_task(zhujian)

    # The centre claims the re-dispatch (改派): the operator, of the same group, may only look on
    # until the centre hands it back.
    form = await open_task(centre, engine, key, HotlineTicket.REDISPATCH, case_number)
    await centre.get_by_test_id("task-claim").click()
    await expect(centre.get_by_test_id("task-assignee")).to_have_text("李强（热线中心）（我）")
    operator = await page_for("operator")
    await open_task(operator, engine, key, HotlineTicket.REDISPATCH, case_number)
    await expect(operator.get_by_test_id("task-message")).to_contain_text("此任务已由李强（热线中心）认领")
    await expect(operator.get_by_test_id("task-submit")).to_be_disabled()
    await centre.get_by_test_id("task-unclaim").click()
    await expect(centre.get_by_test_id("task-assignee")).to_have_text("未认领")
    await operator.reload()
    await expect(operator.get_by_test_id("task-claim"), "handed back, anyone may claim it").to_be_visible()
    await pick(form, "新的承办单位", "市城市管理综合行政执法局")
    await submit_task(centre)

    zhifa = await page_for("zhifa")
    await open_task(zhifa, engine, key, UnitHandling.SIGN_FOR, case_number)
    await zhujian.goto("/tasks")
    await expect(
        zhujian.get_by_test_id("task-empty"), "the returned order has left the housing unit's list"
    ).to_be_visible()
    case = console.ledger.view_case(case_number, SUPERVISION)
    assert case.lead_unit == "综合执法局", f"the case should be 综合执法局's now, not {case.lead_unit}"
    assert [(r["unit"], r["reason"]) for r in history(case, "return")] == [(HOUSING, reason)]


async def test_a_unit_asks_for_an_extension_and_supervision_approves_it(
    console: ConsoleStack, page_for: PageFor
) -> None:
    engine = console.engine
    move_to(engine, "2026-09-25 10:00")
    key, case_number = await register_complaint(await page_for("operator"))
    await dispatch(await page_for("centre"), engine, key, case_number)
    zhujian = await page_for("zhujian")
    await sign_for(zhujian, engine, key, case_number)

    # Dispatched Friday 25 September 2026: 20 working days end on Thursday 29 October.
    form = await open_task(zhujian, engine, key, UnitHandling.HANDLING_REPLY, case_number)
    # As the case page writes it, in the task's facts and in the form's text alike.
    await expect(zhujian.get_by_test_id("task-due")).to_contain_text("2026-10-29 24:00")
    await expect(form, "the form prints the deadline in local time").to_contain_text(
        "办结时限：2026-10-29 24:00"
    )
    await expect(zhujian.get_by_test_id("task-case-link")).to_have_attribute("href", f"/cases/{case_number}")
    await choose(form, "无法按时办结，申请延期")
    await submit_task(zhujian)
    form = await open_task(zhujian, engine, key, UnitHandling.EXTENSION_REQUEST, case_number)
    await form.get_by_label("延期原因").fill("需更换整段供暖主管道，须待停暖后施工")
    await form.get_by_label("单位领导签批").fill("王主任")
    await submit_task(zhujian)

    supervisor = await page_for("supervisor")
    form = await open_task(supervisor, engine, key, UnitHandling.EXTENSION_APPROVAL, case_number)
    await choose(form, "同意延期")
    await form.get_by_label("说明").fill("同意，请按期办结")
    await submit_task(supervisor)

    # Another 20 working days from 29 October: the unit answers by the end of 26 November.
    await open_task(zhujian, engine, key, UnitHandling.HANDLING_REPLY, case_number)
    await expect(zhujian.get_by_test_id("task-due")).to_contain_text("2026-11-26 24:00")
    extensions = history(console.ledger.view_case(case_number, SUPERVISION), "extension")
    assert [e["decision"] for e in extensions] == ["approved"], f"the ledger's extensions: {extensions}"


async def test_an_incident_is_shown_on_the_diagram_and_retried_from_the_instance_page(
    sms_gateway: SmsGateway, console: ConsoleStack, page_for: PageFor
) -> None:
    engine = console.engine
    move_to(engine, "2026-09-25 10:00")
    key, case_number = await register_complaint(await page_for("operator"))
    await dispatch(await page_for("centre"), engine, key, case_number)
    zhujian = await page_for("zhujian")
    await sign_for(zhujian, engine, key, case_number)
    supervisor = await page_for("supervisor")
    await watch_instance(supervisor, key)

    # The SMS gateway is down when the unit replies: the appellant's text message cannot go out.
    sms_gateway.up = False
    await reply(zhujian, engine, key, case_number, "已维修管道，噪音消除。")
    incident = supervisor.get_by_test_id("incident-row")
    await expect(incident, "the failed text message becomes an incident").to_have_count(1)
    await expect(incident).to_have_attribute("data-element-id", HotlineTicket.NOTIFY_REPLY)
    await expect(incident.get_by_test_id("incident-message")).to_contain_text("SMS gateway")
    await expect(incident.get_by_test_id("incident-message")).to_contain_text("503")
    await expect(diagram_element(supervisor, HotlineTicket.NOTIFY_REPLY)).to_have_class(
        re.compile(r"\bmx-incident\b")
    )
    await expect(supervisor.get_by_test_id("instance-has-incident")).to_be_visible()
    await screenshot(supervisor, "instance-incident")

    # The gateway is back; the supervisor retries and the case moves on to the callback.
    sms_gateway.up = True
    await incident.get_by_test_id("incident-retry").click()
    await expect(supervisor.get_by_test_id("instance-message")).to_contain_text("任务将重新执行")
    await is_active_on_diagram(supervisor, HotlineTicket.CALLBACK)
    await expect(incident).to_have_count(0)
    await expect(supervisor.get_by_test_id("instance-has-incident")).to_be_hidden()
    await not_reloaded(supervisor)
    assert any(message["to"] == COMPLAINT["phone"] for message in sms_gateway.received), (
        "after the retry the appellant's text message should have gone out"
    )
