"""Parsing BPMN elements and their Zeebe properties into the executable model."""

from __future__ import annotations

from pathlib import Path

import pytest
from bpmn_diagram import HEADER, MESSAGE, START, diagram, flow, service_task

from engine.model import (
    ElementType,
    EventType,
    Expr,
    JobDefinition,
    MessageDefinition,
    Process,
    TimerDefinition,
    VariableMapping,
    parse_bpmn,
)

DIAGRAMS = Path(__file__).parent / "diagrams"


def parse_one(body: str, definitions: str = "") -> Process:
    (process,) = parse_bpmn("test.bpmn", diagram(body, definitions=definitions))
    return process


@pytest.fixture(scope="module")
def hotline() -> Process:
    (process,) = parse_bpmn("hotline-ticket.bpmn", (DIAGRAMS / "hotline-ticket.bpmn").read_bytes())
    return process


def test_process_attributes(hotline: Process) -> None:
    assert hotline.id == "hotline-ticket"
    assert hotline.name == "12345 热线工单"
    assert hotline.version_tag == "2025.1"
    assert hotline.start_event == "TicketReceivedStartEvent"
    assert hotline.event_subprocesses == ("WithdrawnEventSubProcess",)


def test_start_event_with_form(hotline: Process) -> None:
    start = hotline.element("TicketReceivedStartEvent")
    assert start.type == ElementType.START_EVENT
    assert start.event_type == EventType.NONE
    assert start.name == "工单受理"
    assert start.form_id == "intake-form"
    assert start.scope_id == "hotline-ticket"
    assert start.incoming == ()
    assert start.outgoing == ("Flow_ToClassify",)


def test_service_task_job_headers_and_mappings(hotline: Process) -> None:
    task = hotline.element("ClassifyTicketTask")
    assert task.type == ElementType.SERVICE_TASK
    assert task.job == JobDefinition(
        type=Expr("classify-ticket", None),
        retries=Expr("5", None),
        headers=(("model", "rules-v2"), ("language", "zh")),
    )
    first, second = task.inputs
    assert first.source.source == "=ticket.text"
    assert first.source.compiled is not None
    assert first.target == ("text",)
    assert second == VariableMapping(Expr("hotline", None), ("channel",))
    (output,) = task.outputs
    assert output.source.source == "=category"
    assert output.target == ("ticket", "category")
    assert task.properties["properties"] == {"owner": "classification"}


def test_job_type_and_retries_can_be_expressions(hotline: Process) -> None:
    job = hotline.element("RemindUnitTask").job
    assert job is not None
    assert job.type.source == '="remind-" + channel'
    assert not job.type.is_static
    assert job.retries.source == "=retries"
    assert not job.retries.is_static


def test_retries_default_to_three() -> None:
    process = parse_one(START + service_task("t") + flow("f", "start", "t"))
    job = process.element("t").job
    assert job is not None
    assert job.retries == Expr("3", None)
    assert job.headers == ()


def test_exclusive_gateway_default_and_conditions(hotline: Process) -> None:
    gateway = hotline.element("RouteGateway")
    assert gateway.type == ElementType.EXCLUSIVE_GATEWAY
    assert gateway.default_flow == "Flow_Normal"
    assert gateway.outgoing == ("Flow_Urgent", "Flow_Normal")
    urgent = hotline.flow("Flow_Urgent")
    assert urgent.name == "紧急"
    assert urgent.source == "RouteGateway"
    assert urgent.target == "CoHandlingSubProcess"
    assert urgent.condition is not None
    assert urgent.condition.source == "=ticket.urgent = true"
    assert urgent.condition.compiled is not None
    assert hotline.flow("Flow_Normal").condition is None


def test_user_task_properties(hotline: Process) -> None:
    task = hotline.element("HandleTicketTask")
    assert task.type == ElementType.USER_TASK
    assert task.form_id == "handle-form"
    assert task.properties["userTask"] is True
    assignment = task.properties["assignmentDefinition"]
    assert assignment["assignee"].source == "=unit.leader"
    assert assignment["candidateGroups"] == Expr("handling-units", None)
    assert "candidateUsers" not in assignment
    assert task.properties["taskSchedule"]["dueDate"].source == "=dueAt"
    assert task.properties["priorityDefinition"] == {"priority": Expr("80", None)}
    assert task.boundary_events == (
        "DeadlineBoundaryEvent",
        "ExtensionApprovedBoundaryEvent",
        "UnitRejectedBoundaryEvent",
    )


def test_boundary_events(hotline: Process) -> None:
    timer = hotline.element("DeadlineBoundaryEvent")
    assert timer.type == ElementType.BOUNDARY_EVENT
    assert timer.event_type == EventType.TIMER
    assert timer.attached_to == "HandleTicketTask"
    assert timer.interrupting is False
    assert timer.timer == TimerDefinition(time_cycle=Expr("R3/PT1H", None))

    message = hotline.element("ExtensionApprovedBoundaryEvent")
    assert message.event_type == EventType.MESSAGE
    assert message.interrupting is True
    assert message.message is not None
    assert message.message.name == Expr("deadline-extension-approved", None)
    assert message.message.correlation_key is not None
    assert message.message.correlation_key.source == "=ticketId"

    error = hotline.element("UnitRejectedBoundaryEvent")
    assert error.event_type == EventType.ERROR
    assert error.error_code == "UNIT_REJECTED"
    assert error.outgoing == ()


def test_script_task_with_zeebe_script(hotline: Process) -> None:
    task = hotline.element("RecomputeDeadlineTask")
    assert task.type == ElementType.SCRIPT_TASK
    assert task.job is None
    script = task.properties["script"]
    assert script["expression"].source == "=extension.days + 5"
    assert script["resultVariable"] == "limitDays"


def test_send_task_is_a_job(hotline: Process) -> None:
    assert hotline.element("RemindUnitTask").type == ElementType.SEND_TASK


def test_multi_instance_subprocess_and_its_scope(hotline: Process) -> None:
    sub = hotline.element("CoHandlingSubProcess")
    assert sub.type == ElementType.SUB_PROCESS
    assert sub.start_event == "CoHandlingStartEvent"
    multi = sub.properties["multiInstance"]
    assert multi["isSequential"] is False
    assert multi["inputCollection"].source == "=units"
    assert multi["inputElement"] == "unit"
    assert multi["outputCollection"] == "replies"
    assert multi["outputElement"].source == "=reply"
    assert multi["completionCondition"].source == "=numberOfCompletedInstances >= 2"
    assert multi["completionCondition"].compiled is not None
    for inner in ("CoHandlingStartEvent", "AwaitReplyTask", "CoHandlingEndEvent"):
        assert hotline.element(inner).scope_id == "CoHandlingSubProcess"
    assert hotline.flow("Flow_InnerToReply").scope_id == "CoHandlingSubProcess"
    # Subprocesses precede their children, following the document.
    ids = list(hotline.elements)
    assert ids.index("CoHandlingSubProcess") < ids.index("CoHandlingStartEvent")


def test_receive_task_message(hotline: Process) -> None:
    task = hotline.element("AwaitReplyTask")
    assert task.type == ElementType.RECEIVE_TASK
    assert task.message is not None
    assert task.message.name.source == '="unit-reply-" + unit'
    assert task.message.name.compiled is not None


def test_business_rule_task_with_called_decision(hotline: Process) -> None:
    task = hotline.element("DecideReviewTask")
    assert task.type == ElementType.BUSINESS_RULE_TASK
    assert task.job is None
    decision = task.properties["calledDecision"]
    assert decision["decisionId"] == Expr("review-chain", None)
    assert decision["resultVariable"] == "reviewers"
    assert decision["bindingType"] == "latest"


def test_call_activity(hotline: Process) -> None:
    call = hotline.element("ReviewCallActivity")
    assert call.type == ElementType.CALL_ACTIVITY
    assert call.properties["calledElement"] == {
        "processId": Expr("ticket-review", None),
        "propagateAllChildVariables": False,
        "propagateAllParentVariables": True,
        "bindingType": "latest",
    }


def test_gateways_and_intermediate_catch_events(hotline: Process) -> None:
    assert hotline.element("JoinGateway").type == ElementType.PARALLEL_GATEWAY
    assert hotline.element("JoinGateway").incoming == ("Flow_ToReview", "Flow_FromCoHandling")
    assert hotline.element("WaitGateway").type == ElementType.EVENT_BASED_GATEWAY
    feedback = hotline.element("FeedbackReceivedEvent")
    assert feedback.type == ElementType.INTERMEDIATE_CATCH_EVENT
    assert feedback.event_type == EventType.MESSAGE
    assert feedback.outputs[0].target == ("feedback", "satisfaction")
    timeout = hotline.element("FeedbackTimeoutEvent")
    assert timeout.timer == TimerDefinition(time_duration=Expr("P3D", None))


def test_link_events(hotline: Process) -> None:
    throw = hotline.element("ToClosingLinkEvent")
    assert throw.type == ElementType.INTERMEDIATE_THROW_EVENT
    assert throw.event_type == EventType.LINK
    assert throw.properties == {"linkName": "closing", "linkTarget": "ClosingLinkEvent"}
    catch = hotline.element("ClosingLinkEvent")
    assert catch.event_type == EventType.LINK
    assert catch.properties == {"linkName": "closing"}


def test_message_throw_event_with_job(hotline: Process) -> None:
    event = hotline.element("NotifyCitizenEvent")
    assert event.event_type == EventType.MESSAGE
    assert event.job is not None
    assert event.job.type == Expr("notify-citizen", None)
    assert event.message is None


def test_event_subprocess(hotline: Process) -> None:
    sub = hotline.element("WithdrawnEventSubProcess")
    assert sub.type == ElementType.EVENT_SUB_PROCESS
    assert sub.start_event == "WithdrawnStartEvent"
    start = hotline.element("WithdrawnStartEvent")
    assert start.scope_id == "WithdrawnEventSubProcess"
    assert start.event_type == EventType.MESSAGE
    assert start.interrupting is True
    assert hotline.element("WithdrawnEndEvent").event_type == EventType.TERMINATE


def test_artifacts_lanes_and_diagram_are_ignored(hotline: Process) -> None:
    assert "TextAnnotation_1" not in hotline.elements
    assert "Association_1" not in hotline.elements
    assert "Lane_Clerk" not in hotline.elements
    assert all(element.name is not None for element in hotline.elements.values())


def test_name_defaults_to_empty() -> None:
    assert parse_one(START).element("start").name == ""


def test_message_start_event_needs_no_correlation_key() -> None:
    definitions = '<bpmn:message id="M" name="ticket-created" />'
    process = parse_one(
        '<bpmn:startEvent id="s"><bpmn:messageEventDefinition messageRef="M" /></bpmn:startEvent>',
        definitions,
    )
    start = process.element("s")
    assert start.message == MessageDefinition(Expr("ticket-created", None), None)
    assert process.start_event is None


def test_timer_and_signal_start_events() -> None:
    process = parse_one(
        START + '<bpmn:startEvent id="daily"><bpmn:timerEventDefinition><bpmn:timeCycle>0 0 9 * * MON-FRI'
        "</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>"
        '<bpmn:startEvent id="once"><bpmn:timerEventDefinition><bpmn:timeDate>2025-03-01T09:00:00+08:00'
        "</bpmn:timeDate></bpmn:timerEventDefinition></bpmn:startEvent>"
        '<bpmn:startEvent id="sig"><bpmn:signalEventDefinition signalRef="S" /></bpmn:startEvent>',
        '<bpmn:signal id="S" name="bulletin-due" />',
    )
    assert process.start_event == "start"
    assert process.element("daily").timer == TimerDefinition(time_cycle=Expr("0 0 9 * * MON-FRI", None))
    assert process.element("once").timer == TimerDefinition(time_date=Expr("2025-03-01T09:00:00+08:00", None))
    assert process.element("sig").event_type == EventType.SIGNAL
    assert process.element("sig").properties["signalName"] == Expr("bulletin-due", None)


def test_end_events() -> None:
    process = parse_one(
        START + '<bpmn:endEvent id="none" />'
        '<bpmn:endEvent id="err"><bpmn:errorEventDefinition errorRef="E1" /></bpmn:endEvent>'
        '<bpmn:endEvent id="errExpr"><bpmn:errorEventDefinition errorRef="E2" /></bpmn:endEvent>'
        '<bpmn:endEvent id="esc"><bpmn:escalationEventDefinition escalationRef="X" /></bpmn:endEvent>'
        '<bpmn:endEvent id="sig"><bpmn:signalEventDefinition signalRef="S" /></bpmn:endEvent>'
        '<bpmn:endEvent id="msg"><bpmn:extensionElements><zeebe:taskDefinition type="send-reply" />'
        '</bpmn:extensionElements><bpmn:messageEventDefinition messageRef="Msg" /></bpmn:endEvent>',
        '<bpmn:error id="E1" errorCode="NOT_IN_JURISDICTION" /><bpmn:error id="E2" errorCode="=code" />'
        '<bpmn:escalation id="X" escalationCode="OVERDUE" /><bpmn:signal id="S" name="=signalName" />'
        + MESSAGE,
    )
    assert process.element("none").event_type == EventType.NONE
    assert process.element("err").error_code == "NOT_IN_JURISDICTION"
    assert process.element("err").error_code_expr is None
    err_expr = process.element("errExpr")
    assert err_expr.error_code is None
    assert err_expr.error_code_expr is not None
    assert err_expr.error_code_expr.source == "=code"
    assert process.element("esc").properties["escalationCode"] == Expr("OVERDUE", None)
    assert process.element("sig").properties["signalName"].source == "=signalName"
    message_end = process.element("msg")
    assert message_end.job is not None
    assert message_end.message is not None
    assert message_end.message.name == Expr("ticket-updated", None)


def test_intermediate_throw_events() -> None:
    process = parse_one(
        START + '<bpmn:intermediateThrowEvent id="none" />'
        '<bpmn:intermediateThrowEvent id="esc"><bpmn:escalationEventDefinition escalationRef="X" />'
        "</bpmn:intermediateThrowEvent>"
        '<bpmn:intermediateThrowEvent id="sig"><bpmn:signalEventDefinition signalRef="S" />'
        "</bpmn:intermediateThrowEvent>" + flow("f1", "start", "none") + flow("f2", "none", "esc"),
        '<bpmn:escalation id="X" escalationCode="OVERDUE" /><bpmn:signal id="S" name="recall" />',
    )
    assert process.element("none").event_type == EventType.NONE
    assert process.element("esc").event_type == EventType.ESCALATION
    assert process.element("sig").event_type == EventType.SIGNAL


def test_catch_all_error_and_escalation_boundaries() -> None:
    process = parse_one(
        START
        + service_task("t")
        + '<bpmn:boundaryEvent id="anyError" attachedToRef="t"><bpmn:errorEventDefinition />'
        "</bpmn:boundaryEvent>"
        '<bpmn:boundaryEvent id="anyEsc" attachedToRef="t" cancelActivity="false">'
        "<bpmn:escalationEventDefinition /></bpmn:boundaryEvent>"
        '<bpmn:boundaryEvent id="sig" attachedToRef="t"><bpmn:signalEventDefinition signalRef="S" />'
        "</bpmn:boundaryEvent>",
        '<bpmn:signal id="S" name="recall" />',
    )
    assert process.element("anyError").error_code is None
    assert process.element("anyError").error_code_expr is None
    assert process.element("anyEsc").properties["escalationCode"] is None
    assert process.element("anyEsc").interrupting is False
    assert process.element("sig").event_type == EventType.SIGNAL
    assert process.element("t").boundary_events == ("anyError", "anyEsc", "sig")


def test_event_subprocess_error_start_and_non_interrupting_timer() -> None:
    process = parse_one(
        START + '<bpmn:subProcess id="onError" triggeredByEvent="true">'
        '<bpmn:startEvent id="errStart"><bpmn:errorEventDefinition errorRef="E" /></bpmn:startEvent>'
        "</bpmn:subProcess>"
        '<bpmn:subProcess id="reminder" triggeredByEvent="true">'
        '<bpmn:startEvent id="timerStart" isInterrupting="false"><bpmn:timerEventDefinition>'
        "<bpmn:timeCycle>R/P1D</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>"
        "</bpmn:subProcess>",
        '<bpmn:error id="E" errorCode="FAILED" />',
    )
    assert process.event_subprocesses == ("onError", "reminder")
    assert process.element("errStart").error_code == "FAILED"
    assert process.element("timerStart").interrupting is False
    assert process.element("reminder").start_event == "timerStart"


def test_tasks_without_work() -> None:
    process = parse_one(
        START
        + '<bpmn:task id="t" name="记录" /><bpmn:manualTask id="m" />'
        + '<bpmn:inclusiveGateway id="g" default="f2" />'
        + flow("f0", "start", "g")
        + flow("f1", "g", "t", "=a")
        + flow("f2", "g", "m")
    )
    assert process.element("t").type == ElementType.TASK
    assert process.element("m").type == ElementType.MANUAL_TASK
    assert process.element("g").type == ElementType.INCLUSIVE_GATEWAY
    assert process.element("g").default_flow == "f2"


def test_script_and_business_rule_tasks_as_jobs() -> None:
    process = parse_one(
        START + '<bpmn:scriptTask id="s"><bpmn:extensionElements><zeebe:taskDefinition type="script" />'
        "</bpmn:extensionElements></bpmn:scriptTask>"
        '<bpmn:businessRuleTask id="b"><bpmn:extensionElements><zeebe:taskDefinition type="dmn" />'
        "</bpmn:extensionElements></bpmn:businessRuleTask>"
    )
    assert process.element("s").job is not None
    assert process.element("b").job is not None
    assert "script" not in process.element("s").properties


def test_sequential_multi_instance_task() -> None:
    process = parse_one(
        START + '<bpmn:serviceTask id="t"><bpmn:extensionElements><zeebe:taskDefinition type="review" />'
        "</bpmn:extensionElements>"
        '<bpmn:multiInstanceLoopCharacteristics isSequential="true"><bpmn:extensionElements>'
        '<zeebe:loopCharacteristics inputCollection="=reviewers" inputElement="reviewer" />'
        "</bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics></bpmn:serviceTask>"
    )
    multi = process.element("t").properties["multiInstance"]
    assert multi["isSequential"] is True
    assert multi["outputCollection"] is None
    assert multi["outputElement"] is None
    assert multi["completionCondition"] is None


def test_several_executable_processes_and_non_executable_ones_skipped() -> None:
    data = (
        HEADER + '<bpmn:process id="a" isExecutable="true"><bpmn:startEvent id="s1" /></bpmn:process>'
        '<bpmn:process id="b" isExecutable="true"><bpmn:startEvent id="s2" /></bpmn:process>'
        '<bpmn:process id="c" isExecutable="false"><bpmn:complexGateway id="x" /></bpmn:process>'
        "</bpmn:definitions>"
    ).encode()
    assert [process.id for process in parse_bpmn("multi.bpmn", data)] == ["a", "b"]
