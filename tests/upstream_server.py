"""A fake provincial hotline system on 127.0.0.1, speaking `config/upstream.toml`'s
provincial-hotline dialect: it offers its items until each is acknowledged (as a real platform
does), records acknowledgements and answers (one per answer key, as a platform honouring the
Idempotency-Key header does), and can be switched to fail (503, a wrong token).

Use as a context manager; `policy()` is the configuration that points at it.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self

from workers.upstream_policy import HttpJsonPlatform, UpstreamPolicy, load_upstream_policy

TOKEN = "test-upstream-token-0123456789"
KEY = "provincial-hotline"


def order(number: str, **changes: Any) -> dict[str, Any]:
    """A well-formed work order numbered `number`."""
    return {
        "orderNo": number,
        "assignedAt": "2026-12-15 09:30:00",
        "subject": f"小区路灯不亮（{number}）",
        "content": "幸福小区三号楼前的路灯已经坏了两周。",
        "orderType": "投诉类",
        "caller": {"name": "王女士", "phone": "13800000000", "address": "幸福小区3号楼"},
    } | changes


class FakePlatform(ThreadingHTTPServer):
    """`mode` is "ok", "503" (down) or "401" (refuses the token); `fetches` counts the attempts to
    fetch, failed ones included."""

    daemon_threads = True

    def __init__(self, items: list[object] | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.items: list[object] = list(items or [])
        self.mode = "ok"
        self.fetches = 0
        # Every acknowledgement received, and the items that are no longer offered.
        self.acknowledged: list[str] = []
        self.taken: set[str | None] = set()
        self.answers: dict[str, Any] = {}
        # The Idempotency-Key of every answer posted, repeats included.
        self.answer_keys: list[str | None] = []
        self.lock = threading.Lock()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/api/v1"

    def offered(self) -> list[object]:
        """What a fetch returns now: the items not acknowledged yet."""
        with self.lock:
            return [item for item in self.items if _number(item) not in self.taken]

    def platform(self, config_dir: Path) -> HttpJsonPlatform:
        """config/upstream.toml's provincial hotline, enabled and pointing here."""
        configured = load_upstream_policy(config_dir).platforms[KEY]
        assert isinstance(configured, HttpJsonPlatform)
        return configured.model_copy(update={"enabled": True, "base_url": self.url})

    def policy(self, config_dir: Path) -> UpstreamPolicy:
        """config/upstream.toml with only the provincial hotline, enabled and pointing here."""
        policy = load_upstream_policy(config_dir)
        return policy.model_copy(update={"platforms": {KEY: self.platform(config_dir)}})


def _number(item: object) -> str | None:
    return str(item["orderNo"]) if isinstance(item, dict) and "orderNo" in item else None


class JsonHandler(BaseHTTPRequestHandler):
    """A quiet handler that answers in JSON, for the fake platforms of the tests."""

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keeps pytest's output to the test's own

    def send_json(self, status: int, body: object) -> None:
        data = b"" if body is None else json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        if data:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _Handler(JsonHandler):
    server: FakePlatform

    def do_GET(self) -> None:
        if self.path == "/api/v1/orders?status=assigned":
            # Every attempt counts, answered or not.
            with self.server.lock:
                self.server.fetches += 1
        if self._failing():
            return
        if self.path == "/api/v1/orders?status=assigned":
            self.send_json(200, {"code": 0, "data": {"items": self.server.offered()}})
        else:
            self.send_json(404, {"message": "no such path"})

    def do_POST(self) -> None:
        if self._failing():
            return
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"null")
        parts = self.path.split("/")  # ["", "api", "v1", "orders", id, "ack" | "reply"]
        if len(parts) != 6 or parts[3] != "orders":
            self.send_json(404, {"message": "no such path"})
            return
        with self.server.lock:
            if parts[5] == "ack":
                self.server.acknowledged.append(parts[4])
                self.server.taken.add(parts[4])
                self.send_json(204, None)
            elif parts[5] == "reply":
                key = self.headers.get("Idempotency-Key")
                if key is None or key not in self.server.answer_keys:
                    self.server.answers[parts[4]] = body
                self.server.answer_keys.append(key)
                self.send_json(200, {"code": 0, "data": {"receiptNo": f"R-{parts[4]}"}})
            else:
                self.send_json(404, {"message": "no such path"})

    def _failing(self) -> bool:
        if self.server.mode == "401" or self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self.send_json(401, {"message": "令牌无效"})
        elif self.server.mode == "503":
            self.send_json(503, {"message": "系统维护中"})
        else:
            return False
        return True
