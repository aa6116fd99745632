"""`make run` end to end: `python -m minsheng.run` started as the Makefile does (on free ports, in a
checkout whose `var/` is the test's own) comes up whole — console, engine, deployment, workers, seed
knowledge base — and a developer's Ctrl-C stops every process it started."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

import httpx
import pytest

from console.demo import DEMO_PASSWORD
from engine.testing.subprocess_engine import free_port
from workers.ids import HotlineTicket, ProcessId

ROOT = Path(__file__).resolve().parents[2]
# What `make run` reads relative to the checkout; `var/` is not among them, so it is the test's.
CHECKOUT = ("bpmn", "forms", "config", "data", "node_modules")
BPMN_PROCESS = "{http://www.omg.org/spec/BPMN/20100524/MODEL}process"
# The banner's last line: everything before it has been started and deployed.
BANNER_END = "Ctrl-C stops everything."
CHILDREN = ("engine", "workers", "console")

START_TIMEOUT_S = 60.0
READY_TIMEOUT_S = 30.0
# run.py waits up to 10 s for each child before killing it.
STOP_TIMEOUT_S = 40.0
POLL_S = 0.2

HOTLINE_CALL = {
    "title": "酒吧噪音扰民",
    "content": "楼下酒吧每晚噪音扰民到凌晨，投诉多次仍未解决，请尽快处理",
    "appellant": {
        "name": "张三",
        "phone": "13800001111",
        "address": "铁东区某小区3栋",
        "confidential": False,
    },
    "location": "铁东区幸福路8号",
}


@dataclass(frozen=True)
class Member:
    """A process of the session `make run` was started in."""

    pid: int
    state: str
    command: str


def session_members(session: int) -> list[Member]:
    """The live processes whose session is `session` (orphans keep it when re-parented)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        # The command name in parentheses may contain spaces; the fields after it do not.
        state, _ppid, _group, sid, *_ = stat.rsplit(")", 1)[1].split()
        if int(sid) == session and state != "Z":
            members.append(Member(int(entry.name), state, command.strip()))
    return members


def said(what: str | Callable[[], str]) -> str:
    return what if isinstance(what, str) else what()


class MakeRun:
    """`python -m minsheng.run` in a session of its own, so that a Ctrl-C reaches its whole group."""

    def __init__(self, directory: Path) -> None:
        self.checkout = directory / "checkout"
        self.checkout.mkdir()
        for name in CHECKOUT:
            (self.checkout / name).symlink_to(ROOT / name)
        self.gateway = f"127.0.0.1:{free_port()}"
        self.rest_url = f"http://127.0.0.1:{free_port()}"
        self.console_url = f"http://127.0.0.1:{free_port()}"
        self.output = directory / "make-run.out"
        # A clean shell: nothing of the developer's own engine, ledger or console settings.
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("MINSHENG_", "ZEEBE_", "CAMUNDA_"))
        }
        env.update(MINSHENG_CONSOLE_ADDRESS=self.console_url.removeprefix("http://"), PYTHONUNBUFFERED="1")
        with self.output.open("wb") as output:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "minsheng.run",
                    "--gateway-address",
                    self.gateway,
                    "--rest-address",
                    self.rest_url.removeprefix("http://"),
                ],
                cwd=self.checkout,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def members(self) -> list[Member]:
        return session_members(self.process.pid)

    def printed(self) -> str:
        return self.output.read_text(errors="replace")

    def tail(self, lines: int = 25) -> str:
        """The end of what `make run` printed and of each log it keeps in `var/`."""
        parts = [f"--- make run (exit status {self.process.poll()}):", *self.printed().splitlines()[-lines:]]
        for log in sorted((self.checkout / "var").glob("*.log")):
            parts += [f"--- var/{log.name}:", *log.read_text(errors="replace").splitlines()[-lines:]]
        return "\n".join(parts)

    def fail(self, what: str) -> NoReturn:
        pytest.fail(f"{what}\n{self.tail()}", pytrace=False)

    def wait_for(
        self, what: str | Callable[[], str], check: Callable[[], Any], timeout: float = READY_TIMEOUT_S
    ) -> Any:
        """Poll `check` until it answers something truthy; fail naming `what` (or what it answers
        then) if it never does or if `make run` exits meanwhile. HTTP errors count as not yet."""
        give_up = time.monotonic() + timeout
        last: object = None
        while True:
            if self.process.poll() is not None:
                self.fail(f"make run exited while waiting for {said(what)}")
            try:
                found = check()
            except httpx.HTTPError as error:
                found, last = None, error
            if found:
                return found
            if time.monotonic() > give_up:
                self.fail(f"{said(what)}: not within {timeout:g} s (last error: {last!r})")
            time.sleep(POLL_S)

    def running_children(self) -> dict[str, Member] | None:
        """The engine, workers and console processes, once all three run."""
        found = {
            child: member for member in self.members for child in CHILDREN if f"-m {child}" in member.command
        }
        return found if len(found) == len(CHILDREN) else None

    def left_after_exit(self, timeout: float) -> list[Member]:
        """Once `make run` has exited: the processes of its session still running after `timeout`."""
        give_up = time.monotonic() + timeout
        while (left := self.members) and time.monotonic() < give_up:
            time.sleep(POLL_S)
        return left

    def stop(self) -> None:
        """Teardown: whatever is left of the session is killed."""
        for member in self.members:
            with contextlib.suppress(ProcessLookupError):
                os.kill(member.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


@pytest.fixture
def make_run(tmp_path: Path) -> Iterator[MakeRun]:
    started = MakeRun(tmp_path)
    try:
        yield started
    finally:
        started.stop()


def process_ids() -> dict[str, str]:
    """The id of every executable process of bpmn/, by the file that holds it."""
    found = {}
    for path in sorted((ROOT / "bpmn").glob("*.bpmn")):
        for process in ElementTree.parse(path).getroot().iter(BPMN_PROCESS):
            if process.get("isExecutable") == "true":
                found[process.attrib["id"]] = path.name
    return found


def seed_question_valid_now() -> str:
    now = datetime.now(UTC)
    for line in (ROOT / "data/knowledge/entries.jsonl").read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        until = entry.get("valid_until")
        if datetime.fromisoformat(entry["valid_from"]) <= now and (
            until is None or now < datetime.fromisoformat(until)
        ):
            return str(entry["question"])
    raise AssertionError("data/knowledge/entries.jsonl has no entry valid today to search for")


def test_make_run_comes_up_whole_and_ctrl_c_stops_every_process(make_run: MakeRun) -> None:
    make_run.wait_for(
        "the banner saying where to look", lambda: BANNER_END in make_run.printed(), START_TIMEOUT_S
    )
    printed = make_run.printed()
    for where in (make_run.gateway, f"{make_run.rest_url}/v2", f"{make_run.console_url}/"):
        if where not in printed:
            make_run.fail(f"the banner does not say where to look: {where} is missing")
    deployed = re.search(r"deployed:\s+(.*) \(deployment \d+\)", printed)
    names = set(deployed.group(1).split(", ")) if deployed else set()
    resources = {path.name for folder in ("bpmn", "forms") for path in (ROOT / folder).iterdir()}
    if missing := sorted(resources - names):
        make_run.fail(f"the banner does not list as deployed: {', '.join(missing)}")
    children: dict[str, Member] = make_run.wait_for(
        f"the {', '.join(CHILDREN)} processes", make_run.running_children
    )

    with (
        httpx.Client(base_url=make_run.console_url, timeout=20) as console,
        httpx.Client(base_url=f"{make_run.rest_url}/v2", timeout=20) as engine,
    ):
        make_run.wait_for("the console's login page", lambda: console.get("/login").status_code == 200)
        signed_in = console.post("/login", data={"username": "operator", "password": DEMO_PASSWORD})
        if signed_in.status_code != 303:
            make_run.fail(
                f"the demo user operator cannot sign in: {signed_in.status_code} {signed_in.text[:300]}"
            )
        token = re.search(r'<meta name="csrf-token" content="([^"]+)"', console.get("/").text)
        if token is None:
            make_run.fail("the operator's start page carries no CSRF token")
        console.headers["X-CSRF-Token"] = token.group(1)

        expected = process_ids()
        undeployed: dict[str, str] = {}

        def every_process_deployed() -> bool:
            found = engine.post("/process-definitions/search", json={"page": {"limit": 1000}})
            found.raise_for_status()
            ids = {item["processDefinitionId"] for item in found.json()["items"]}
            undeployed.clear()
            undeployed.update({pid: name for pid, name in expected.items() if pid not in ids})
            return not undeployed

        make_run.wait_for(
            lambda: f"the engine's process definitions of bpmn/ (missing: {undeployed})",
            every_process_deployed,
        )

        started = console.post(f"/api/intake/{ProcessId.HOTLINE_TICKET}", json=HOTLINE_CALL)
        if started.status_code != 201:
            make_run.fail(
                f"the console's intake refused a hotline call: {started.status_code} {started.text[:300]}"
            )
        key = started.json()["processInstanceKey"]

        def intake_task() -> dict[str, Any] | None:
            incidents = engine.post("/incidents/search", json={"filter": {"processInstanceKey": key}})
            if incidents.json()["items"]:
                make_run.fail(f"the hotline ticket {key} has incidents: {incidents.text[:600]}")
            found = engine.post(
                "/user-tasks/search",
                json={"filter": {"processInstanceKey": key, "elementId": HotlineTicket.INTAKE}},
            )
            found.raise_for_status()
            items: list[dict[str, Any]] = found.json()["items"]
            return items[0] if items else None

        task = make_run.wait_for(
            f"the hotline ticket {key} at {HotlineTicket.INTAKE} (the workers)", intake_task
        )
        form = engine.get(f"/user-tasks/{task['userTaskKey']}/form")
        if form.status_code != 200:
            make_run.fail(f"the intake task has no deployed form: {form.status_code} {form.text[:300]}")
        schema = form.json()["schema"]
        sources = {json.loads(path.read_text())["id"]: path for path in (ROOT / "forms").glob("*.form")}
        assert schema == json.loads(sources[schema["id"]].read_text()), (
            f"the engine's form {schema['id']} is not forms/{sources[schema['id']].name}"
        )

        question = seed_question_valid_now()
        proposals = console.get("/intake/knowledge", params={"q": question})
        if proposals.status_code != 200 or question not in [p["question"] for p in proposals.json()]:
            make_run.fail(
                f"the seed knowledge base does not find its own entry {question!r}: "
                f"{proposals.status_code} {proposals.text[:300]}"
            )

    # A developer's Ctrl-C: SIGINT to the foreground process group, `make run` and its children alike;
    # `make run` then sends its children SIGTERM.
    os.killpg(make_run.process.pid, signal.SIGINT)
    try:
        status = make_run.process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        make_run.process.send_signal(signal.SIGTERM)
        try:
            make_run.process.wait(timeout=STOP_TIMEOUT_S)
            after = "SIGTERM stopped it"
        except subprocess.TimeoutExpired:
            after = "nor within as long of SIGTERM"
        make_run.fail(f"make run did not stop within {STOP_TIMEOUT_S:g} s of Ctrl-C ({after})")
    left = make_run.left_after_exit(timeout=5)
    orphans = {name: member.pid for name, member in children.items() if member.pid in {m.pid for m in left}}
    assert not orphans, f"make run exited but its children are still running: {orphans}\n{make_run.tail()}"
    assert not left, f"make run exited but left running: {left}\n{make_run.tail()}"
    assert status == 0, f"Ctrl-C ended make run with exit status {status}\n{make_run.tail()}"
