"""Diagrams Zeebe would refuse are refused, with every problem named by file and element."""

from __future__ import annotations

from pathlib import Path

import pytest
from bpmn_diagram import HEADER, MESSAGE, START, diagram, flow, service_task

from engine.model import ModelError, Problem, parse_bpmn

DIAGRAMS = Path(__file__).parent / "diagrams"


def problems_of(body: str, definitions: str = "") -> list[Problem]:
    with pytest.raises(ModelError) as caught:
        parse_bpmn("test.bpmn", diagram(body, definitions=definitions))
    assert caught.value.resource_name == "test.bpmn"
    return caught.value.problems


def assert_problem(body: str, element_id: str | None, fragment: str, definitions: str = "") -> None:
    problems = problems_of(body, definitions)
    matching = [p for p in problems if p.element_id == element_id and fragment in p.message]
    assert matching, f"no problem of {element_id!r} mentioning {fragment!r} in {problems}"


def test_error_message_names_file_element_and_problem() -> None:
    with pytest.raises(ModelError) as caught:
        parse_bpmn(
            "hotline-ticket.bpmn",
            diagram(START + '<bpmn:serviceTask id="ClassifyTask" />' + flow("f", "start", "ClassifyTask")),
        )
    assert str(caught.value) == (
        "hotline-ticket.bpmn: element 'ClassifyTask': a service task must have a job type "
        "(zeebe:taskDefinition type)"
    )


def test_all_problems_of_a_file_are_reported() -> None:
    data = (DIAGRAMS / "many-problems.bpmn").read_bytes()
    with pytest.raises(ModelError) as caught:
        parse_bpmn("many-problems.bpmn", data)
    reported = {(p.element_id, p.message) for p in caught.value.problems}
    lines = str(caught.value).splitlines()
    assert len(lines) == len(caught.value.problems) == len(reported)
    assert all(line.startswith("many-problems.bpmn: ") for line in lines)
    expected = {
        "NoJobTask": "must have a job type",
        "BadConditionFlow": "is not a valid FEEL expression",
        "DanglingFlow": "targetRef 'Nowhere' is not an element",
        "AwaitTask": "must reference a message",
        "Gateway": "default flow 'Flow_Missing'",
        "Complex": "element type complexGateway is not supported",
        "LostBoundary": "attached to 'Ghost'",
        "BadMappingTask": "zeebe:input source",
    }
    for element_id, fragment in expected.items():
        assert any(p.element_id == element_id and fragment in p.message for p in caught.value.problems), (
            element_id,
            fragment,
            lines,
        )


@pytest.mark.parametrize("task", ["serviceTask", "sendTask", "scriptTask", "businessRuleTask"])
def test_job_tasks_need_a_job_type(task: str) -> None:
    assert_problem(f'<bpmn:{task} id="t" />' + START, "t", "must have a job type (zeebe:taskDefinition type)")


def test_blank_job_type_is_missing() -> None:
    assert_problem(START + service_task("t", job_type=" "), "t", "must have a job type")


def test_script_task_cannot_have_both_script_and_job() -> None:
    assert_problem(
        START + '<bpmn:scriptTask id="t"><bpmn:extensionElements><zeebe:taskDefinition type="x" />'
        '<zeebe:script expression="=1" resultVariable="r" /></bpmn:extensionElements></bpmn:scriptTask>',
        "t",
        "either zeebe:script or zeebe:taskDefinition",
    )


def test_called_decision_needs_decision_id_and_result_variable() -> None:
    problems = problems_of(
        START + '<bpmn:businessRuleTask id="t"><bpmn:extensionElements><zeebe:calledDecision />'
        "</bpmn:extensionElements></bpmn:businessRuleTask>"
    )
    assert [p.message for p in problems] == [
        "zeebe:calledDecision must have a non-empty 'decisionId' attribute",
        "zeebe:calledDecision must have a non-empty 'resultVariable' attribute",
    ]


@pytest.mark.parametrize("event", ["endEvent", "intermediateThrowEvent"])
def test_message_throw_events_need_a_job(event: str) -> None:
    assert_problem(
        START + f'<bpmn:{event} id="e"><bpmn:messageEventDefinition messageRef="Msg" /></bpmn:{event}>',
        "e",
        "must have a job type",
        MESSAGE,
    )


def test_retries_must_be_a_number_or_expression() -> None:
    assert_problem(
        START + '<bpmn:serviceTask id="t"><bpmn:extensionElements><zeebe:taskDefinition type="x" '
        'retries="many" /></bpmn:extensionElements></bpmn:serviceTask>',
        "t",
        "retries must be a number or a FEEL expression",
    )


@pytest.mark.parametrize(
    ("where", "body"),
    [
        ("condition", START + '<bpmn:exclusiveGateway id="g" />' + flow("f", "g", "start", "=a >")),
        (
            "zeebe:input source",
            START
            + service_task(
                "t", extra='<zeebe:ioMapping><zeebe:input source="=(" target="x" /></zeebe:ioMapping>'
            ),
        ),
        ("zeebe:taskDefinition type", START + service_task("t", job_type="=1 +")),
        (
            "timeDuration",
            START + '<bpmn:intermediateCatchEvent id="t"><bpmn:timerEventDefinition>'
            "<bpmn:timeDuration>=duration(</bpmn:timeDuration></bpmn:timerEventDefinition>"
            "</bpmn:intermediateCatchEvent>",
        ),
    ],
)
def test_invalid_feel_is_reported_with_where_it_is(where: str, body: str) -> None:
    problems = problems_of(body)
    assert any(
        where in p.message and "is not a valid FEEL expression: line 1" in p.message for p in problems
    ), problems


def test_invalid_feel_in_correlation_key_and_message_name() -> None:
    definitions = (
        '<bpmn:message id="M" name="=&quot;a&quot; +"><bpmn:extensionElements>'
        '<zeebe:subscription correlationKey="=id +" /></bpmn:extensionElements></bpmn:message>'
    )
    problems = problems_of(START + '<bpmn:receiveTask id="r" messageRef="M" />', definitions)
    messages = [p.message for p in problems if p.element_id == "r"]
    assert any("the name of message 'M' is not a valid FEEL expression" in m for m in messages)
    assert any("the correlation key of message 'M' is not a valid FEEL expression" in m for m in messages)


def test_condition_must_be_feel() -> None:
    assert_problem(
        START + '<bpmn:exclusiveGateway id="g" />' + flow("f", "g", "start", "a > 1"),
        "f",
        "must be a FEEL expression starting with '='",
    )


def test_flow_to_unknown_element() -> None:
    problems = problems_of(START + flow("f", "nope", "start") + flow("g", "start", "gone"))
    assert [(p.element_id, p.message) for p in problems] == [
        ("f", "sourceRef 'nope' is not an element of process 'p'"),
        ("g", "targetRef 'gone' is not an element of process 'p'"),
    ]


def test_flow_without_source() -> None:
    assert_problem(START + '<bpmn:sequenceFlow id="f" targetRef="start" />', "f", "must have a sourceRef")


def test_flow_crossing_scopes() -> None:
    body = (
        START
        + '<bpmn:subProcess id="sub"><bpmn:startEvent id="inner" /><bpmn:endEvent id="innerEnd" />'
        + "</bpmn:subProcess>"
        + flow("f", "start", "innerEnd")
    )
    assert_problem(body, "f", "targetRef 'innerEnd' is in another scope")


def test_process_needs_a_start_event() -> None:
    assert_problem(service_task("t"), "p", "at least one start event")


def test_process_with_two_none_start_events() -> None:
    assert_problem(START + '<bpmn:startEvent id="start2" />', "p", "only one none start event")


def test_subprocess_needs_exactly_one_none_start_event() -> None:
    assert_problem(START + '<bpmn:subProcess id="sub" />', "sub", "exactly one start event (has 0)")
    assert_problem(
        START
        + '<bpmn:subProcess id="sub"><bpmn:startEvent id="a" /><bpmn:startEvent id="b" /></bpmn:subProcess>',
        "sub",
        "exactly one start event (has 2)",
    )
    assert_problem(
        START
        + '<bpmn:subProcess id="sub"><bpmn:startEvent id="a"><bpmn:messageEventDefinition messageRef="Msg" />'
        "</bpmn:startEvent></bpmn:subProcess>",
        "a",
        "a start event of a subprocess cannot be a message event; supported: none",
        MESSAGE,
    )


def test_event_subprocess_needs_a_triggered_start_event() -> None:
    assert_problem(
        START
        + '<bpmn:subProcess id="es" triggeredByEvent="true"><bpmn:startEvent id="a" /></bpmn:subProcess>',
        "a",
        "a start event of an event subprocess cannot be a none event",
    )
    assert_problem(
        START + '<bpmn:subProcess id="es" triggeredByEvent="true" />', "es", "exactly one start event"
    )


def test_event_subprocess_cannot_have_flows() -> None:
    body = (
        START + '<bpmn:subProcess id="es" triggeredByEvent="true"><bpmn:startEvent id="a">'
        "<bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>"
        "</bpmn:startEvent></bpmn:subProcess>" + flow("f", "start", "es")
    )
    assert_problem(body, "es", "cannot have incoming or outgoing sequence flows")


def test_receive_task_needs_a_message_with_name_and_key() -> None:
    assert_problem(START + '<bpmn:receiveTask id="r" />', "r", "must reference a message (messageRef)")
    assert_problem(START + '<bpmn:receiveTask id="r" messageRef="Unknown" />', "r", "'Unknown', which is not")
    assert_problem(
        START + '<bpmn:receiveTask id="r" messageRef="M" />',
        "r",
        "message 'M' must have a correlation key",
        '<bpmn:message id="M" name="x" />',
    )
    assert_problem(
        START + '<bpmn:receiveTask id="r" messageRef="M" />',
        "r",
        "message 'M' must have a name",
        '<bpmn:message id="M"><bpmn:extensionElements><zeebe:subscription correlationKey="=k" />'
        "</bpmn:extensionElements></bpmn:message>",
    )


def test_message_catch_event_needs_correlation_key() -> None:
    assert_problem(
        START + '<bpmn:intermediateCatchEvent id="c"><bpmn:messageEventDefinition messageRef="M" />'
        "</bpmn:intermediateCatchEvent>",
        "c",
        "must have a correlation key",
        '<bpmn:message id="M" name="x" />',
    )


def test_message_start_event_in_event_subprocess_needs_correlation_key() -> None:
    assert_problem(
        START + '<bpmn:subProcess id="es" triggeredByEvent="true"><bpmn:startEvent id="a">'
        '<bpmn:messageEventDefinition messageRef="M" /></bpmn:startEvent></bpmn:subProcess>',
        "a",
        "must have a correlation key",
        '<bpmn:message id="M" name="x" />',
    )


def test_boundary_event_problems() -> None:
    assert_problem(
        START
        + '<bpmn:boundaryEvent id="b" attachedToRef="ghost"><bpmn:errorEventDefinition />'
        + "</bpmn:boundaryEvent>",
        "b",
        "attached to 'ghost', which is not an element",
    )
    assert_problem(
        START + '<bpmn:boundaryEvent id="b"><bpmn:errorEventDefinition /></bpmn:boundaryEvent>',
        "b",
        "must be attached to an activity (attachedToRef)",
    )
    assert_problem(
        START + service_task("t") + '<bpmn:boundaryEvent id="b" attachedToRef="t" />',
        "b",
        "a boundary event cannot be a none event; supported: error, message, timer, escalation, signal",
    )
    assert_problem(
        START
        + '<bpmn:boundaryEvent id="b" attachedToRef="start"><bpmn:errorEventDefinition />'
        + "</bpmn:boundaryEvent>",
        "b",
        "must be attached to an activity, not a start event",
    )


def test_default_flow_must_leave_the_gateway() -> None:
    body = (
        START
        + '<bpmn:endEvent id="end" /><bpmn:exclusiveGateway id="g" default="other" />'
        + flow("f", "g", "end")
        + flow("other", "start", "end")
    )
    assert_problem(body, "g", "the default flow 'other' is not one of its outgoing flows")


def test_gateway_flows_need_conditions() -> None:
    body = (
        START
        + '<bpmn:endEvent id="e1" /><bpmn:endEvent id="e2" /><bpmn:exclusiveGateway id="g" />'
        + flow("f0", "start", "g")
        + flow("f1", "g", "e1", "=a")
        + flow("f2", "g", "e2")
    )
    assert_problem(body, "f2", "must have a condition or be the gateway's default flow")


def test_conditional_flow_only_out_of_exclusive_or_inclusive_gateways() -> None:
    body = START + '<bpmn:endEvent id="end" />' + flow("f", "start", "end", "=a")
    assert_problem(body, "f", "can only leave an exclusive or inclusive gateway, not a start event")


def test_duplicate_ids() -> None:
    assert_problem(START + '<bpmn:endEvent id="start" />', "start", "the id is used by 2 elements")


@pytest.mark.parametrize(
    ("element", "kind"),
    [
        ('<bpmn:complexGateway id="x" />', "complexGateway"),
        ('<bpmn:transaction id="x" />', "transaction"),
        ('<bpmn:adHocSubProcess id="x" />', "adHocSubProcess"),
    ],
)
def test_unsupported_element_types(element: str, kind: str) -> None:
    assert_problem(START + element, "x", f"element type {kind} is not supported")


def test_compensation_handlers_are_not_supported() -> None:
    assert_problem(
        START + '<bpmn:task id="undo" isForCompensation="true" />', "undo", "compensation handlers"
    )


def test_unsupported_event_definitions() -> None:
    assert_problem(
        START + service_task("t") + '<bpmn:boundaryEvent id="b" attachedToRef="t">'
        "<bpmn:compensateEventDefinition /></bpmn:boundaryEvent>",
        "b",
        "a boundary event cannot be a compensate event",
    )
    assert_problem(
        START + '<bpmn:intermediateCatchEvent id="c"><bpmn:conditionalEventDefinition />'
        "</bpmn:intermediateCatchEvent>",
        "c",
        "cannot be a conditional event",
    )
    assert_problem(
        START + '<bpmn:endEvent id="e"><bpmn:cancelEventDefinition /></bpmn:endEvent>',
        "e",
        "an end event cannot be a cancel event",
    )


def test_unsupported_listeners_are_refused() -> None:
    assert_problem(
        START
        + service_task(
            "t",
            extra='<zeebe:executionListeners><zeebe:executionListener eventType="start" '
            'type="x" /></zeebe:executionListeners>',
        ),
        "t",
        "execution listeners are not supported",
    )


def test_elements_without_incoming_or_outgoing_flows_are_accepted() -> None:
    (process,) = parse_bpmn(
        "ok.bpmn", diagram(START + service_task("orphan") + '<bpmn:parallelGateway id="g" />')
    )
    assert process.element("orphan").incoming == ()


def test_no_executable_process() -> None:
    data = (HEADER + '<bpmn:process id="p" isExecutable="false" /></bpmn:definitions>').encode()
    with pytest.raises(ModelError) as caught:
        parse_bpmn("draft.bpmn", data)
    assert str(caught.value) == (
        'draft.bpmn: the file has no executable process (bpmn:process isExecutable="true")'
    )


def test_not_well_formed_xml_names_line_and_column() -> None:
    with pytest.raises(ModelError) as caught:
        parse_bpmn("broken.bpmn", b'<?xml version="1.0"?>\n<definitions>\n  <process></definitions>')
    (problem,) = caught.value.problems
    assert problem.element_id is None
    assert problem.message.startswith("not well-formed XML at line 3, column ")
    assert "mismatched tag" in problem.message


def test_doctype_is_refused() -> None:
    data = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
        b"<definitions>&lol2;</definitions>"
    )
    with pytest.raises(ModelError) as caught:
        parse_bpmn("evil.bpmn", data)
    assert "DOCTYPE declarations are not allowed" in str(caught.value)


def test_root_must_be_definitions() -> None:
    with pytest.raises(ModelError, match="root element must be bpmn:definitions"):
        parse_bpmn("x.bpmn", b"<html />")


def non_interrupting_timer_boundary(tag: str, value: str) -> str:
    return (
        '<bpmn:boundaryEvent id="b" attachedToRef="t" cancelActivity="false"><bpmn:timerEventDefinition>'
        f"<bpmn:{tag}>{value}</bpmn:{tag}></bpmn:timerEventDefinition></bpmn:boundaryEvent>"
    )


@pytest.mark.parametrize(
    ("tag", "value", "fragment"),
    [
        ("timeDuration", "10 minutes", "is not an ISO 8601 duration"),
        ("timeDate", "tomorrow", "is not an ISO 8601 date-time"),
        ("timeDate", "2025-01-31", "is not an ISO 8601 date-time"),
        ("timeCycle", "R5/soon", "is not an ISO 8601 repetition"),
    ],
)
def test_static_timer_values_are_checked(tag: str, value: str, fragment: str) -> None:
    body = START + service_task("t") + non_interrupting_timer_boundary(tag, value)
    assert_problem(body, "b", fragment)


@pytest.mark.parametrize(
    ("tag", "value"),
    [
        ("timeDuration", "PT10S"),
        ("timeDuration", "P1DT2H"),
        ("timeCycle", "R5/PT10S"),
        ("timeCycle", "R/2025-01-01T09:00:00Z/P1D"),
        ("timeCycle", "@daily"),
        ("timeCycle", "0 0/15 8-17 * * MON-FRI"),
        ("timeDate", "2025-01-31T09:00:00Z"),
        ("timeDate", "2025-01-31T09:00:00@Asia/Shanghai"),
    ],
)
def test_static_timer_values_accepted(tag: str, value: str) -> None:
    body = START + service_task("t") + non_interrupting_timer_boundary(tag, value)
    (process,) = parse_bpmn("ok.bpmn", diagram(body))
    assert process.element("b").timer is not None


def test_timer_needs_exactly_one_value() -> None:
    assert_problem(
        START + '<bpmn:intermediateCatchEvent id="c"><bpmn:timerEventDefinition />'
        "</bpmn:intermediateCatchEvent>",
        "c",
        "exactly one of timeDate, timeDuration or timeCycle",
    )


def test_intermediate_timer_cannot_cycle() -> None:
    assert_problem(
        START + '<bpmn:intermediateCatchEvent id="c"><bpmn:timerEventDefinition><bpmn:timeCycle>R3/PT1H'
        "</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>",
        "c",
        "an intermediate timer catch event must have a timeDuration or timeDate, not a timeCycle",
    )


def test_interrupting_timer_boundary_cannot_cycle() -> None:
    assert_problem(
        START
        + service_task("t")
        + '<bpmn:boundaryEvent id="b" attachedToRef="t"><bpmn:timerEventDefinition><bpmn:timeCycle>R3/PT1H'
        "</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:boundaryEvent>",
        "b",
        "an interrupting timer boundary event must have a timeDuration or timeDate, not a timeCycle",
    )


def test_timer_start_event_cannot_have_a_duration() -> None:
    assert_problem(
        '<bpmn:startEvent id="s"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H'
        "</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:startEvent>",
        "s",
        "a timer start event must have a timeDate or timeCycle, not a timeDuration",
    )


def test_error_end_event_needs_an_error_code() -> None:
    assert_problem(
        START + '<bpmn:endEvent id="e"><bpmn:errorEventDefinition /></bpmn:endEvent>',
        "e",
        "must reference an error (errorRef)",
    )
    assert_problem(
        START + '<bpmn:endEvent id="e"><bpmn:errorEventDefinition errorRef="E" /></bpmn:endEvent>',
        "e",
        "error 'E' must have an errorCode",
        '<bpmn:error id="E" />',
    )


def test_error_catch_code_cannot_be_an_expression() -> None:
    assert_problem(
        START + service_task("t") + '<bpmn:boundaryEvent id="b" attachedToRef="t">'
        '<bpmn:errorEventDefinition errorRef="E" /></bpmn:boundaryEvent>',
        "b",
        "cannot be an expression",
        '<bpmn:error id="E" errorCode="=code" />',
    )


def test_signal_events_need_a_named_signal() -> None:
    assert_problem(
        START + '<bpmn:endEvent id="e"><bpmn:signalEventDefinition /></bpmn:endEvent>',
        "e",
        "must reference a signal (signalRef)",
    )


def test_link_events_must_match() -> None:
    body = (
        START + '<bpmn:intermediateThrowEvent id="throw"><bpmn:linkEventDefinition name="a" />'
        "</bpmn:intermediateThrowEvent>"
        '<bpmn:intermediateCatchEvent id="c1"><bpmn:linkEventDefinition name="b" />'
        "</bpmn:intermediateCatchEvent>"
        '<bpmn:intermediateCatchEvent id="c2"><bpmn:linkEventDefinition name="b" />'
        "</bpmn:intermediateCatchEvent>"
    )
    problems = problems_of(body)
    assert ("throw", "no link catch event named 'a' in the same scope") in [
        (p.element_id, p.message) for p in problems
    ]
    assert any(p.element_id == "p" and "link names must be unique" in p.message for p in problems)


def test_event_based_gateway_rules() -> None:
    body = (
        START
        + '<bpmn:eventBasedGateway id="g" />'
        + service_task("t")
        + flow("f0", "start", "g")
        + flow("f1", "g", "t")
    )
    problems = problems_of(body)
    assert any(p.element_id == "g" and "at least 2 outgoing" in p.message for p in problems)
    assert any(p.element_id == "g" and "'t' is not one" in p.message for p in problems)


def test_call_activity_needs_process_id() -> None:
    assert_problem(START + '<bpmn:callActivity id="c" />', "c", "zeebe:calledElement processId")


def test_multi_instance_needs_input_collection_and_paired_outputs() -> None:
    problems = problems_of(
        START + '<bpmn:subProcess id="s"><bpmn:startEvent id="in" /><bpmn:multiInstanceLoopCharacteristics>'
        '<bpmn:extensionElements><zeebe:loopCharacteristics outputCollection="out" />'
        "</bpmn:extensionElements>"
        "</bpmn:multiInstanceLoopCharacteristics></bpmn:subProcess>"
    )
    messages = [p.message for p in problems if p.element_id == "s"]
    assert "zeebe:loopCharacteristics must have a non-empty 'inputCollection' attribute" in messages
    assert "zeebe:loopCharacteristics outputCollection and outputElement must be set together" in messages


def test_mapping_target_must_be_a_path() -> None:
    assert_problem(
        START
        + service_task(
            "t", extra='<zeebe:ioMapping><zeebe:output source="=a" target="x..y" /></zeebe:ioMapping>'
        ),
        "t",
        "must be a variable name or a dotted path",
    )


def test_form_definition_needs_a_reference() -> None:
    assert_problem(
        START + '<bpmn:userTask id="u"><bpmn:extensionElements><zeebe:formDefinition />'
        "</bpmn:extensionElements></bpmn:userTask>",
        "u",
        "must have a formId, formKey or externalReference",
    )


def test_end_event_cannot_have_outgoing_flows() -> None:
    assert_problem(START + '<bpmn:endEvent id="e" />' + flow("f", "e", "start"), "e", "outgoing")
