"""Messages: subscriptions of receive tasks, catch events and boundary events, PublishMessage,
buffering with time-to-live, messageId deduplication and once-per-process correlation."""

from __future__ import annotations

import grpc
from diagrams import Diagram, activate_one, complete, create, no_job, publish, rejected, waits_for_message
from pyzeebe import ZeebeClient
from pyzeebe.errors import MessageAlreadyExistsError
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

from engine.testing.handle import EngineHandle


async def still_waiting(engine: EngineHandle, instance: int, element: str, why: str) -> None:
    view = await engine.is_waiting_at(instance, element)
    assert view.state == "ACTIVE" and element not in view.passed, (
        f"instance {instance} must still wait at '{element}' ({why}), but passed {view.passed}"
    )


async def test_a_receive_task_correlates_on_its_feel_key_and_merges_variables(
    engine: EngineHandle, gateway: GatewayStub, client: ZeebeClient, deploy
) -> None:
    diagram = (
        Diagram("reply")
        .start()
        .receive_task("await-reply", "citizen-reply", '="ticket-" + string(ticket.id)')
        .end()
        .chain("start", "await-reply", "end")
    )
    await deploy(diagram.file())
    instance = await create(gateway, "reply", {"ticket": {"id": 17}})
    await engine.is_waiting_at(instance, "await-reply")
    await client.publish_message(
        "citizen-reply", "ticket-99", {"text": "wrong one"}, time_to_live_in_milliseconds=0
    )
    await still_waiting(engine, instance, "await-reply", "the key ticket-99 is not its key")
    await client.publish_message(
        "citizen-reply", "ticket-17", {"text": "谢谢"}, time_to_live_in_milliseconds=0
    )
    view = await engine.is_completed(instance)
    assert view.variables == {"ticket": {"id": 17}, "text": "谢谢"}, (
        f"the message's variables must be merged into the instance, got {view.variables}"
    )


async def test_a_catch_event_with_a_numeric_key(engine: EngineHandle, gateway: GatewayStub, deploy) -> None:
    await deploy(waits_for_message("numeric", "paid", "=orderId").file())
    instance = await create(gateway, "numeric", {"orderId": 42})
    await engine.is_waiting_at(instance, "wait")
    await publish(gateway, "paid", "42", {"amount": 10})
    view = await engine.is_completed(instance)
    assert view.variables.get("amount") == 10, f"a number key 42 must match '42', got {view.variables}"


async def test_a_buffered_message_correlates_when_the_subscription_opens_later(
    engine: EngineHandle, gateway: GatewayStub, deploy
) -> None:
    await deploy(waits_for_message("early", "early-bird").file())
    await publish(gateway, "early-bird", "k1", {"early": True}, ttl_ms=60_000)
    instance = await create(gateway, "early", {"key": "k1"})
    view = await engine.is_completed(instance)
    assert view.variables.get("early") is True, f"the buffered message must correlate, got {view.variables}"


async def test_a_message_without_ttl_is_not_buffered(
    engine: EngineHandle, gateway: GatewayStub, deploy
) -> None:
    await deploy(waits_for_message("no-ttl", "fleeting").file())
    await publish(gateway, "fleeting", "k", ttl_ms=0)
    instance = await create(gateway, "no-ttl", {"key": "k"})
    await still_waiting(engine, instance, "wait", "a message with time-to-live 0 is never buffered")


async def test_an_expired_message_no_longer_correlates(
    engine: EngineHandle, gateway: GatewayStub, deploy
) -> None:
    await deploy(waits_for_message("too-late", "short-lived").file())
    await publish(gateway, "short-lived", "k", ttl_ms=10_000)
    engine.increase_time(10_001)
    instance = await create(gateway, "too-late", {"key": "k"})
    await still_waiting(engine, instance, "wait", "the message expired before the subscription opened")
    await publish(gateway, "short-lived", "k")
    await engine.is_completed(instance)


async def test_message_id_deduplication_while_buffered(
    engine: EngineHandle, gateway: GatewayStub, client: ZeebeClient, deploy
) -> None:
    first = await publish(gateway, "order-paid", "o-1", {"n": 1}, ttl_ms=60_000, message_id="pay-1")
    assert first.key > 0, "PublishMessage must answer with the message's key"
    details = await rejected(
        publish(gateway, "order-paid", "o-1", {"n": 2}, ttl_ms=60_000, message_id="pay-1"),
        grpc.StatusCode.ALREADY_EXISTS,
        "publishing a message whose messageId is still buffered",
    )
    assert "pay-1" in details, f"the refusal must name the message id: {details}"
    try:
        await client.publish_message("order-paid", "o-1", message_id="pay-1")
    except MessageAlreadyExistsError:
        pass
    else:
        raise AssertionError("pyzeebe must raise MessageAlreadyExistsError for a duplicate messageId")
    await publish(gateway, "order-paid", "o-1", ttl_ms=60_000, message_id="pay-2")
    engine.increase_time(60_001)
    again = await publish(gateway, "order-paid", "o-1", {"n": 3}, ttl_ms=60_000, message_id="pay-1")
    assert again.key != first.key, "after the first message expired the id must be accepted again"
    await deploy(waits_for_message("paid-order", "order-paid").file())
    instance = await create(gateway, "paid-order", {"key": "o-1"})
    view = await engine.is_completed(instance)
    assert view.variables.get("n") == 3, (
        f"only the message published after expiry is live, got {view.variables}"
    )


async def test_one_message_correlates_once_per_process(
    engine: EngineHandle, gateway: GatewayStub, deploy
) -> None:
    await deploy(waits_for_message("listener", "broadcast").file())
    await deploy(waits_for_message("other-listener", "broadcast").file())
    first = await create(gateway, "listener", {"key": "same"})
    second = await create(gateway, "listener", {"key": "same"})
    other = await create(gateway, "other-listener", {"key": "same"})
    for instance in (first, second, other):
        await engine.is_waiting_at(instance, "wait")
    await publish(gateway, "broadcast", "same", {"round": 1}, ttl_ms=60_000)
    await engine.is_completed(other)
    done = [key for key in (first, second) if engine.instance(key).state == "COMPLETED"]
    await engine.is_completed(first)
    await still_waiting(engine, second, "wait", "the message already correlated to an instance of 'listener'")
    assert done in ([], [first]), f"only one instance of 'listener' may get the message, got {done}"
    third = await create(gateway, "listener", {"key": "same"})
    await still_waiting(engine, third, "wait", "the buffered message was already correlated to 'listener'")
    await publish(gateway, "broadcast", "same", {"round": 2})
    view = await engine.is_completed(second)
    assert view.variables.get("round") == 2, (
        f"the second message goes to the second instance: {view.variables}"
    )
    await still_waiting(engine, third, "wait", "each message correlates once to 'listener'")


async def test_a_null_correlation_key_raises_an_extract_value_incident(
    engine: EngineHandle, gateway: GatewayStub, deploy
) -> None:
    await deploy(waits_for_message("keyless", "needs-key", "=customer.id").file())
    instance = await create(gateway, "keyless", {"customer": {}})
    view = await engine.has_incident(instance, "EXTRACT_VALUE_ERROR")
    [incident] = view.incidents.values()
    assert incident.element_id == "wait", (
        f"the incident must be at the catch event, got {incident.element_id}"
    )
    assert "customer.id" in incident.error_message, (
        f"the message must name the expression: {incident.error_message}"
    )
    await gateway.SetVariables(
        pb.SetVariablesRequest(elementInstanceKey=instance, variables='{"customer": {"id": "c-9"}}')
    )
    await gateway.ResolveIncident(pb.ResolveIncidentRequest(incidentKey=incident.key))
    await engine.is_waiting_at(instance, "wait")
    await publish(gateway, "needs-key", "c-9")
    await engine.is_completed(instance)


def guarded_task(process_id: str, interrupting: bool) -> Diagram:
    """start → handle(job) → end; a message 'withdrawn' on the task leads to 'withdrawn-end'."""
    return (
        Diagram(process_id)
        .start()
        .task("handle", f"{process_id}-handle")
        .end()
        .message_boundary("OnWithdrawn", "handle", "withdrawn", "=ticketId", interrupting=interrupting)
        .end("withdrawn-end")
        .chain("start", "handle", "end")
        .chain("OnWithdrawn", "withdrawn-end")
    )


async def test_an_interrupting_message_boundary_cancels_the_task(
    engine: EngineHandle, gateway: GatewayStub, deploy
) -> None:
    await deploy(guarded_task("interrupted", interrupting=True).file())
    instance = await create(gateway, "interrupted", {"ticketId": "t-1"})
    job = await activate_one(gateway, "interrupted-handle")
    await publish(gateway, "withdrawn", "t-1", {"reason": "resolved by phone"})
    view = await engine.is_completed(instance)
    assert "withdrawn-end" in view.passed and "handle" in view.terminated and "end" not in view.passed, (
        f"the boundary path must be taken and the task terminated; passed {view.passed}, "
        f"terminated {view.terminated}"
    )
    assert view.variables.get("reason") == "resolved by phone", (
        f"message variables are merged: {view.variables}"
    )
    await rejected(
        complete(gateway, job.key), grpc.StatusCode.NOT_FOUND, "completing the interrupted task's job"
    )


async def test_a_non_interrupting_message_boundary_keeps_the_task(
    engine: EngineHandle, gateway: GatewayStub, deploy
) -> None:
    await deploy(guarded_task("side-path", interrupting=False).file())
    instance = await create(gateway, "side-path", {"ticketId": "t-2"})
    job = await activate_one(gateway, "side-path-handle")
    await publish(gateway, "withdrawn", "t-2")
    view = await engine.has_passed(instance, "withdrawn-end")
    assert "handle" not in view.terminated and view.state == "ACTIVE", (
        f"a non-interrupting boundary must leave the task running; terminated {view.terminated}"
    )
    await engine.is_waiting_at(instance, "handle")
    await complete(gateway, job.key)
    view = await engine.is_completed(instance)
    assert "end" in view.passed, f"the task's own path must go on, passed {view.passed}"


async def test_the_boundary_subscription_closes_with_the_task(
    engine: EngineHandle, gateway: GatewayStub, deploy
) -> None:
    await deploy(guarded_task("closed", interrupting=True).file())
    instance = await create(gateway, "closed", {"ticketId": "t-3"})
    await complete(gateway, (await activate_one(gateway, "closed-handle")).key)
    await engine.is_completed(instance)
    await publish(gateway, "withdrawn", "t-3")
    view = engine.instance(instance)
    assert "withdrawn-end" not in view.passed, (
        f"a completed task's boundary must not fire, passed {view.passed}"
    )
    await no_job(gateway, "closed-handle", "the task completed")


async def test_publish_without_a_name_is_invalid(gateway: GatewayStub) -> None:
    await rejected(
        publish(gateway, "", "k"), grpc.StatusCode.INVALID_ARGUMENT, "publishing a message without name"
    )
    await rejected(
        gateway.PublishMessage(pb.PublishMessageRequest(name="n", correlationKey="k", variables="[]")),
        grpc.StatusCode.INVALID_ARGUMENT,
        "publishing a message whose variables are a JSON array",
    )


async def test_a_correlated_message_stays_buffered_for_other_processes(
    engine: EngineHandle, gateway: GatewayStub, deploy
) -> None:
    await deploy(waits_for_message("first-reader", "notice").file())
    await deploy(waits_for_message("second-reader", "notice").file())
    early = await create(gateway, "first-reader", {"key": "n-1"})
    await engine.is_waiting_at(early, "wait")
    await publish(gateway, "notice", "n-1", {"text": "公告"}, ttl_ms=60_000)
    await engine.is_completed(early)
    late = await create(gateway, "second-reader", {"key": "n-1"})
    view = await engine.is_completed(late)
    assert view.variables.get("text") == "公告", (
        f"a message that correlated to one process stays buffered for the others, got {view.variables}"
    )


async def test_message_id_scope_and_unbuffered_duplicates(gateway: GatewayStub) -> None:
    await publish(gateway, "scoped", "a", ttl_ms=60_000, message_id="same-id")
    await publish(gateway, "scoped", "b", ttl_ms=60_000, message_id="same-id")
    await publish(gateway, "other-name", "a", ttl_ms=60_000, message_id="same-id")
    await publish(gateway, "fleeting", "a", ttl_ms=0, message_id="once")
    await publish(gateway, "fleeting", "a", ttl_ms=0, message_id="once")


async def test_a_non_interrupting_boundary_fires_for_every_message(
    engine: EngineHandle, gateway: GatewayStub, deploy
) -> None:
    await deploy(guarded_task("reminded", interrupting=False).file())
    instance = await create(gateway, "reminded", {"ticketId": "t-4"})
    job = await activate_one(gateway, "reminded-handle")
    await publish(gateway, "withdrawn", "t-4", {"nth": 1})
    await engine.has_passed(instance, "withdrawn-end")
    await publish(gateway, "withdrawn", "t-4", {"nth": 2})
    view = await engine.has_variable(instance, "nth", 2)
    await engine.wait_until(
        lambda: engine.instance(instance).passed.count("withdrawn-end") == 2,
        lambda: f"expected the boundary path twice, passed {engine.instance(instance).passed}",
    )
    assert view.state == "ACTIVE", "the task must still be waiting"
    await complete(gateway, job.key)
    await engine.is_completed(instance)


async def test_a_receive_task_output_mapping_shapes_the_message_variables(
    engine: EngineHandle, gateway: GatewayStub, deploy
) -> None:
    diagram = (
        Diagram("mapped-reply")
        .start()
        .receive_task("await-reply", "mapped", "=key", outputs=[("=text", "reply")])
        .end()
        .chain("start", "await-reply", "end")
    )
    await deploy(diagram.file())
    instance = await create(gateway, "mapped-reply", {"key": "r"})
    await engine.is_waiting_at(instance, "await-reply")
    await publish(gateway, "mapped", "r", {"text": "ok", "noise": 1})
    view = await engine.is_completed(instance)
    assert view.variables == {"key": "r", "reply": "ok"}, (
        f"with an output mapping only its result may reach the process, got {view.variables}"
    )
