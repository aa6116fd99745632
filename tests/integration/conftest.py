"""The engine as a real subprocess (`python -m engine`), for tests that kill and restart it."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from engine.testing.handle import EngineHandle

ROOT = Path(__file__).resolve().parents[2]
GATEWAY_SERVICE = "gateway_protocol.Gateway"
READY_TIMEOUT_S = 30.0


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:
    """Linux: the engine gets SIGKILL if the test process dies without its teardown."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class EngineProcess:
    """`python -m engine` on a fixed port and database; can be SIGKILLed and started again."""

    def __init__(self, database_url: str, log_path: Path, port: int | None = None) -> None:
        self.database_url = database_url
        self.port = port or free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self._handles: list[EngineHandle] = []

    def start(self, timeout: float = READY_TIMEOUT_S) -> EngineProcess:
        assert not self.alive, "the engine is already running"
        self.starts += 1
        with self.log_path.open("ab") as log:
            log.write(f"---- start #{self.starts}\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "engine",
                    "--gateway-address",
                    self.address,
                    "--database",
                    self.database_url,
                    "--rest-address",
                    "",
                ],
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )
        self.wait_until_ready(timeout)
        return self

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_until_ready(self, timeout: float = READY_TIMEOUT_S) -> None:
        """Poll the standard gRPC health service until the gateway answers SERVING."""
        give_up = time.monotonic() + timeout
        last_error = "no answer yet"
        with grpc.insecure_channel(self.address) as channel:
            health = health_pb2_grpc.HealthStub(channel)
            while True:
                assert self.process is not None
                if self.process.poll() is not None:
                    raise AssertionError(
                        f"the engine exited with {self.process.returncode} while starting:\n{self.log()}"
                    )
                try:
                    answer = health.Check(health_pb2.HealthCheckRequest(service=GATEWAY_SERVICE), timeout=1)
                    if answer.status == health_pb2.HealthCheckResponse.SERVING:
                        return
                    last_error = f"health status {answer.status}"
                except grpc.RpcError as error:
                    last_error = f"{error.code()}: {error.details()}"
                if time.monotonic() >= give_up:
                    raise AssertionError(
                        f"the engine at {self.address} was not ready within {timeout:g} s ({last_error}):\n"
                        f"{self.log()}"
                    )
                time.sleep(0.05)

    def kill(self) -> None:
        """`kill -9`: no shutdown code runs in the engine."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=10)

    def restart(self, timeout: float = READY_TIMEOUT_S) -> EngineProcess:
        self.kill()
        return self.start(timeout)

    def stop(self) -> None:
        """Teardown: SIGTERM, then SIGKILL if it does not end promptly."""
        for handle in self._handles:
            handle.stop()
        self._handles.clear()
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def handle(self) -> EngineHandle:
        """A test handle that reads this engine's database (its clock stays the engine's own)."""
        handle = EngineHandle.attach(self.address, self.database_url)
        self._handles.append(handle)
        return handle


@pytest.fixture
def engine_process(tmp_path: Path) -> Iterator[Callable[[str], EngineProcess]]:
    """Start `python -m engine` subprocesses on a database URL; all are killed when the test ends."""
    started: list[EngineProcess] = []

    def start(database_url: str) -> EngineProcess:
        process = EngineProcess(database_url, tmp_path / f"engine-{len(started)}.log")
        started.append(process)
        return process.start()

    yield start
    for process in started:
        process.stop()
