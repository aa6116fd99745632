"""Notifications through a real SMTP server (aiosmtpd) and a local HTTP SMS gateway: a job delivered
twice sends one email and one text message; a gateway that fails fails the job, and the retry sends
only what is still undelivered."""

import json
import socket
import threading
from collections.abc import Callable, Iterator
from email import message_from_bytes
from email.message import Message
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from ledger_support import CONFIG, ledger_settings, open_test_ledger
from pyzeebe import ZeebeClient, ZeebeWorker
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub
from test_ledger_worker import LEASE_MS, deliver_without_completing, gateway  # noqa: F401 (a fixture)

from engine.testing.handle import EngineHandle
from workers import notifications
from workers.ids import JobType, TaskHeader
from workers.ledger.events import CaseRegistration, Details
from workers.ledger.masking import Viewer
from workers.ledger.service import Ledger
from workers.notification_policy import load_notification_policy
from workers.notify.channels import DeliveryError, senders
from workers.notify.compose import notification_request
from workers.notify.service import Notifier
from workers.settings import Settings

PROCESS_ID = "notify-test"
DIAGRAM = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="Definitions" targetNamespace="http://minsheng">
  <bpmn:process id="{PROCESS_ID}" isExecutable="true">
    <bpmn:startEvent id="Start"/>
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="NotifyDispatchTask"/>
    <bpmn:serviceTask id="NotifyDispatchTask" name="派单通知">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="{JobType.NOTIFY}"/>
        <zeebe:taskHeaders>
          <zeebe:header key="{TaskHeader.NOTIFICATION_EVENT}" value="dispatched"/>
        </zeebe:taskHeaders>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="F2" sourceRef="NotifyDispatchTask" targetRef="End"/>
    <bpmn:endEvent id="End"/>
  </bpmn:process>
</bpmn:definitions>
"""
APPELLANT = {"name": "张三", "phone": "13812345678", "address": "北京市朝阳区建国路88号"}


class Mailbox:
    """aiosmtpd's handler: every message the server accepted."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    # aiosmtpd needs the port before it binds (it connects to check that the server is up); the
    # integration conftest's `free_port` cannot be imported by name next to the other conftests.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


class SmsGateway:
    """A local SMS gateway: records each POST, answering with `status`."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, Any], str | None]] = []
        self.status = 200


@pytest.fixture
def sms() -> Iterator[tuple[SmsGateway, str]]:
    captured = SmsGateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if captured.status == 200:
                captured.requests.append((body, self.headers["Authorization"]))
            self.send_response(captured.status)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield captured, f"http://127.0.0.1:{server.server_address[1]}/sms"
    server.shutdown()
    server.server_close()


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    ledger = open_test_ledger(f"sqlite:///{tmp_path / 'ledger.db'}")
    yield ledger
    ledger.close()


@pytest.fixture
def notifier(
    ledger: Ledger, tmp_path: Path, mailbox: tuple[Mailbox, int], sms: tuple[SmsGateway, str]
) -> Notifier:
    settings = ledger_settings(
        f"sqlite:///{tmp_path / 'ledger.db'}",
        smtp_host="127.0.0.1",
        smtp_port=mailbox[1],
        smtp_tls=False,
        smtp_from="民声 <noreply@minsheng.example.cn>",
        sms_endpoint=sms[1],
        sms_token="gateway-token",
    )
    return Notifier(ledger, load_notification_policy(CONFIG), senders(settings))


def dispatched_case(ledger: Ledger) -> str:
    number = ledger.register(
        1, CaseRegistration(channel="hotline-ticket", appellant=APPELLANT, title="楼下KTV噪音扰民")
    )
    ledger.record(2, Details(kind="details", case_number=number, lead_unit="环保局", category="投诉"))
    return number


async def test_a_redelivered_job_sends_one_email_and_one_text(
    engine: EngineHandle,
    client: ZeebeClient,
    gateway: GatewayStub,  # noqa: F811 (the fixture imported above)
    ledger: Ledger,
    notifier: Notifier,
    mailbox: tuple[Mailbox, int],
    sms: tuple[SmsGateway, str],
    deploy: Callable[..., Any],
    new_worker: Callable[[], ZeebeWorker],
    start_worker: Callable[[ZeebeWorker], None],
) -> None:
    number = dispatched_case(ledger)
    await deploy(("notify.bpmn", DIAGRAM))
    router = notifications.create_router(notifier, Settings().task_options())
    instance = await client.run_process(PROCESS_ID, {"caseNumber": number})

    # The first delivery sends and queues the inbox post, but its completion never reaches the engine.
    await deliver_without_completing(gateway, router, JobType.NOTIFY)
    engine.increase_time(LEASE_MS + 1)
    worker = new_worker()
    worker.include_router(router)
    start_worker(worker)
    await engine.is_completed(instance.process_instance_key)

    (email,) = mailbox[0].messages
    assert email["To"] == "hbj@gov.example.cn" and email["Subject"] == f"【派单】{number} 楼下KTV噪音扰民"
    body = email.get_content()
    assert "诉求人：张**，138****5678" in body and "13812345678" not in body
    ((text, authorization),) = sms[0].requests
    assert text["to"] == "13900000013" and text["text"].startswith("【民声12345】市环境保护局：您有新工单")
    assert authorization == "Bearer gateway-token"
    (post,) = ledger.inbox(Viewer("handling-unit", unit="环保局"))
    assert post.case_number == number and post.subject == email["Subject"]


def test_a_failed_text_fails_the_job_and_the_retry_sends_only_the_text(
    ledger: Ledger, notifier: Notifier, mailbox: tuple[Mailbox, int], sms: tuple[SmsGateway, str]
) -> None:
    number = dispatched_case(ledger)
    request = notification_request({TaskHeader.NOTIFICATION_EVENT: "dispatched"}, {"caseNumber": number})
    sms[0].status = 503
    with pytest.raises(DeliveryError, match="answered 503"):
        notifier.notify(7, request)
    assert len(mailbox[0].messages) == 1 and sms[0].requests == []

    sms[0].status = 200
    notifier.notify(7, request)
    notifier.notify(7, request)  # and a redelivery after the job completed sends nothing
    assert len(mailbox[0].messages) == 1 and len(sms[0].requests) == 1
    assert len(ledger.inbox(Viewer("handling-unit", unit="环保局"))) == 1
    assert ledger.undelivered(7) == []


def test_the_appellant_is_texted_in_the_clear(
    ledger: Ledger, notifier: Notifier, sms: tuple[SmsGateway, str]
) -> None:
    number = dispatched_case(ledger)
    variables = {"caseNumber": number, "text": "已责令KTV整改，夜间停止营业。", "signer": "李四"}
    notifier.notify(8, notification_request({TaskHeader.NOTIFICATION_EVENT: "reply"}, variables))
    ((text, _),) = sms[0].requests
    assert text["to"] == "13812345678" and text["text"].startswith("【民声12345】张三您好")
