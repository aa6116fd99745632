"""The HTTP/JSON upstream adapter against a real HTTP server on 127.0.0.1 started by the test.

The server stands in for the provincial hotline system as `config/upstream.toml` describes it: it
serves good, duplicate and malformed items, records acknowledgements and answers, and can be
switched to fail (503, dropped connections, a hang, a wrong token).
"""

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from upstream_server import JsonHandler

from workers.upstream.adapter import Answer, UpstreamPlatform, UpstreamRefused, UpstreamUnavailable
from workers.upstream.http_json import HttpJsonUpstream
from workers.upstream_policy import HttpJsonPlatform, known_categories, load_upstream_policy

CONFIG = Path(__file__).resolve().parents[2] / "config"
TOKEN = "test-upstream-token-0123456789"
SHANGHAI = timezone(timedelta(hours=8))
# What answer_key gives for some answer; these tests only carry it.
ANSWER_KEY = "9f2c" * 16

GOOD = {
    "orderNo": "HL-001",
    "assignedAt": "2026-11-26 09:30:00",
    "subject": "小区路灯不亮",
    "content": "幸福小区三号楼前的路灯已经坏了两周。",
    "orderType": "投诉类",
    "caller": {"name": "王女士", "phone": "13800000000", "address": "幸福小区3号楼"},
}
ITEMS: list[object] = [
    GOOD,
    {
        "orderNo": 1002,
        "assignedAt": "2026-11-26T10:00:00+08:00",
        "subject": "社保卡补办",
        "content": "请问社保卡丢失后到哪里补办？",
        "orderType": "咨询",
        "caller": {"name": "", "phone": 13900000000},
    },
    dict(GOOD),
    {**GOOD, "orderNo": "HL-004", "subject": ""},
    {key: value for key, value in GOOD.items() if key != "subject"} | {"orderNo": "HL-005"},
    {**GOOD, "orderNo": "HL-006", "orderType": "灌水类"},
    {**GOOD, "orderNo": "HL-007", "assignedAt": "2026-13-45 25:00"},
    {"assignedAt": "2026-11-26 11:00:00", "subject": "无编号", "orderType": "建议类"},
    "not an object",
]


class Upstream(ThreadingHTTPServer):
    """The fake platform's state; `mode` is "ok", "503", "close", "hang" or "bad-json"."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.mode = "ok"
        self.acknowledged: list[str] = []
        self.answers: dict[str, Any] = {}
        self.answer_keys: list[str | None] = []
        self.lock = threading.Lock()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # The client gives up on a hanging request by closing the socket; that is the test, not a fault.
        pass

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/api/v1"


class Handler(JsonHandler):
    server: Upstream

    def do_GET(self) -> None:
        if self._failing():
            return
        if self.path == "/api/v1/orders?status=assigned":
            self.send_json(200, {"code": 0, "data": {"items": ITEMS}})
        else:
            self.send_json(404, {"message": "no such path"})

    def do_POST(self) -> None:
        if self._failing():
            return
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"null")
        parts = self.path.split("/")  # ["", "api", "v1", "orders", id, "ack" | "reply"]
        known = {str(item["orderNo"]) for item in ITEMS if isinstance(item, dict) and "orderNo" in item}
        if len(parts) != 6 or parts[3] != "orders" or parts[4] not in known:
            self.send_json(404, {"message": f"工单 {parts[4] if len(parts) > 4 else ''} 不存在"})
            return
        with self.server.lock:
            if parts[5] == "ack":
                self.server.acknowledged.append(parts[4])
                self.send_json(204, None)
            elif parts[5] == "reply":
                if not isinstance(body, dict) or not body.get("replyContent"):
                    self.send_json(422, {"message": "答复内容不能为空"})
                    return
                self.server.answers[parts[4]] = body
                self.server.answer_keys.append(self.headers.get("Idempotency-Key"))
                self.send_json(200, {"code": 0, "data": {"receiptNo": f"R-{parts[4]}"}})
            else:
                self.send_json(404, {"message": "no such path"})

    def _failing(self) -> bool:
        mode = self.server.mode
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self.send_json(401, {"message": "令牌无效"})
        elif mode == "503":
            self.send_json(503, {"message": "系统维护中"})
        elif mode == "close":
            self.close_connection = True  # no status line at all: the connection just ends
        elif mode == "hang":
            time.sleep(1.5)
            self.send_json(200, {"data": {"items": []}})
        elif mode == "bad-json":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "13")
            self.end_headers()
            self.wfile.write(b"<html></html>")
        else:
            return False
        return True


@pytest.fixture
def server() -> Iterator[Upstream]:
    upstream = Upstream()
    thread = threading.Thread(target=upstream.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield upstream
    finally:
        upstream.shutdown()
        upstream.server_close()
        thread.join(timeout=5)


def platform_policy(base_url: str, **changes: object) -> HttpJsonPlatform:
    shipped = load_upstream_policy(CONFIG).platforms["provincial-hotline"]
    return shipped.model_copy(update={"base_url": base_url, "enabled": True, **changes})


def upstream(server: Upstream, token: str = TOKEN, **changes: object) -> HttpJsonUpstream:
    return HttpJsonUpstream(
        "provincial-hotline",
        platform_policy(server.url, **changes),
        known_categories(CONFIG),
        SecretStr(token),
    )


async def test_fetch_parses_items_and_rejects_malformed_ones_with_their_reasons(server: Upstream) -> None:
    platform: UpstreamPlatform
    async with upstream(server) as platform:
        fetched = await platform.fetch_new()

    assert [item.upstream_id for item in fetched.items] == ["HL-001", "1002", "HL-001"]
    first, second, duplicate = fetched.items
    assert first.platform == "provincial-hotline"
    # Local time without an offset is the platform's zone, Asia/Shanghai.
    assert first.received_at == datetime(2026, 11, 26, 9, 30, tzinfo=SHANGHAI)
    assert first.received_at.astimezone(UTC).hour == 1
    assert (first.title, first.category) == ("小区路灯不亮", "投诉")
    assert (first.appellant_name, first.appellant_phone, first.appellant_address) == (
        "王女士",
        "13800000000",
        "幸福小区3号楼",
    )
    assert first.raw == GOOD
    # An empty name is no name, and a phone sent as a number is still the phone.
    assert (second.category, second.appellant_name, second.appellant_phone) == ("咨询", None, "13900000000")
    assert second.appellant_address is None
    assert second.received_at == datetime(2026, 11, 26, 10, tzinfo=SHANGHAI)
    # Served twice, kept twice: the caller deduplicates by upstream id against what it started.
    assert duplicate == first

    # None dropped: every item served is either accepted or rejected.
    assert len(fetched.items) + len(fetched.rejected) == len(ITEMS)
    reasons = {rejected.upstream_id: rejected.reasons for rejected in fetched.rejected}
    assert reasons["HL-004"] == ("title: must not be blank",)
    assert reasons["HL-005"] == ("title: is required",)
    (unknown,) = reasons["HL-006"]
    assert unknown.startswith("category: unknown category '灌水类' (known: ")
    assert reasons["HL-007"] == ("received_at: is not a date-time: '2026-13-45 25:00'",)
    # Several problems at once are all named, and an item without an id still comes back.
    no_id = [rejected for rejected in fetched.rejected if rejected.upstream_id is None]
    assert [r.reasons for r in no_id] == [
        ("upstream_id: is required", "content: is required"),
        ("is not a JSON object",),
    ]
    assert no_id[0].raw == ITEMS[7]
    assert no_id[1].raw == "not an object"


async def test_acknowledgement_and_answer_reach_the_server(server: Upstream) -> None:
    answered_at = datetime(2026, 11, 27, 16, 0, tzinfo=SHANGHAI)
    async with upstream(server) as platform:
        await platform.acknowledge("HL-001")
        await platform.acknowledge("1002")
        receipt = await platform.post_answer(
            "HL-001", Answer("路灯已于今日修复。", answered_at, "城市管理局", ANSWER_KEY)
        )

    assert server.acknowledged == ["HL-001", "1002"]
    assert server.answers["HL-001"] == {
        "replyContent": "路灯已于今日修复。",
        "replyTime": "2026-11-27T16:00:00+08:00",
        "handlingUnit": "城市管理局",
    }
    assert (receipt.upstream_id, receipt.receipt_id) == ("HL-001", "R-HL-001")
    assert server.answer_keys == [ANSWER_KEY], "the answer's key should travel as its Idempotency-Key"


async def test_a_refused_answer_carries_the_servers_message(server: Upstream) -> None:
    answered_at = datetime(2026, 11, 27, 16, 0, tzinfo=SHANGHAI)
    async with upstream(server) as platform:
        with pytest.raises(UpstreamRefused) as empty:
            await platform.post_answer("HL-001", Answer("", answered_at, "城市管理局", ANSWER_KEY))
        with pytest.raises(UpstreamRefused) as unknown:
            await platform.post_answer("HL-999", Answer("已办结。", answered_at, "城市管理局", ANSWER_KEY))
    assert (empty.value.status, empty.value.message, empty.value.endpoint) == (
        422,
        "答复内容不能为空",
        "post_answer",
    )
    assert (unknown.value.status, unknown.value.message) == (404, "工单 HL-999 不存在")
    assert server.answers == {}


async def test_a_wrong_token_is_refused_not_retried(server: Upstream) -> None:
    async with upstream(server, token="another-token-0123456789") as platform:
        with pytest.raises(UpstreamRefused) as raised:
            await platform.fetch_new()
    assert (raised.value.status, raised.value.message) == (401, "令牌无效")


@pytest.mark.parametrize(
    ("mode", "detail"),
    [
        ("503", "server error 503: 系统维护中"),
        ("close", "RemoteProtocolError"),
        ("hang", "timed out"),
        ("bad-json", "the response is not JSON"),
    ],
)
async def test_a_failing_server_is_unavailable(server: Upstream, mode: str, detail: str) -> None:
    server.mode = mode
    answer = Answer("已办结。", datetime(2026, 11, 27, tzinfo=SHANGHAI), "城市管理局", ANSWER_KEY)
    async with upstream(server, timeout_s=0.5) as platform:
        with pytest.raises(UpstreamUnavailable) as fetching:
            await platform.fetch_new()
        with pytest.raises(UpstreamUnavailable) as answering:
            await platform.post_answer("HL-001", answer)
    assert (fetching.value.platform, fetching.value.endpoint) == ("provincial-hotline", "fetch_new")
    assert detail in fetching.value.detail
    assert answering.value.endpoint == "post_answer"
    assert server.answers == {}


async def test_a_server_that_is_down_is_unavailable(server: Upstream) -> None:
    platform = upstream(server)
    # Nothing listens on the port once the server is closed: the connection is refused.
    server.shutdown()
    server.server_close()
    async with platform:
        with pytest.raises(UpstreamUnavailable) as raised:
            await platform.acknowledge("HL-001")
    assert raised.value.endpoint == "acknowledge"
    assert "ConnectError" in raised.value.detail
