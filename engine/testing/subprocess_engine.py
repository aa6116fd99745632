"""`python -m engine` as a subprocess of a test or a benchmark: start it, wait until it answers, stop it.

Tests that kill and restart the engine, benchmarks that measure it from outside, and test runs that
point `pytest --engine=...` at an engine of their own all need the same three steps; this is the one
place that does them. Ready means the gRPC health service answers SERVING for the gateway and, when a
REST address is given, `GET /v2/topology` answers 200.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import grpc
import httpx
from grpc_health.v1 import health_pb2, health_pb2_grpc

ROOT = Path(__file__).resolve().parents[2]
GATEWAY_SERVICE = "gateway_protocol.Gateway"
READY_TIMEOUT_S = 30.0


class EngineStartError(RuntimeError):
    """The engine exited while starting, or did not answer in time; the message carries its log."""


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:
    """Linux: the engine gets SIGKILL if the process that started it dies without stopping it."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class EngineSubprocess:
    """`python -m engine` on a fixed gateway address and database; can be SIGKILLed and started again.

    `rest_address` (host:port, or "" for none) serves the /v2 REST API at `rest_url`;
    `clock_control` lets tests pin its clock over REST (`EngineHandle.connect`).
    """

    def __init__(
        self,
        database_url: str,
        log_path: Path,
        *,
        gateway_address: str | None = None,
        rest_address: str = "",
        clock_control: bool = False,
        log_level: str = "WARNING",
        engine_root: Path = ROOT,
    ) -> None:
        self.database_url = database_url
        self.address = gateway_address or f"127.0.0.1:{free_port()}"
        self.port = int(self.address.rsplit(":", 1)[1])
        self.rest_address = rest_address
        self.clock_control = clock_control
        self.log_level = log_level
        self.log_path = log_path
        self.engine_root = engine_root
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def rest_url(self) -> str | None:
        return f"http://{self.rest_address}" if self.rest_address else None

    @property
    def pid(self) -> int:
        assert self.process is not None, "the engine has not been started"
        return self.process.pid

    def command(self) -> list[str]:
        command = [
            sys.executable,
            "-m",
            "engine",
            "--gateway-address",
            self.address,
            "--database",
            self.database_url,
            "--rest-address",
            self.rest_address,
            "--log-level",
            self.log_level,
        ]
        return [*command, "--enable-clock-control"] if self.clock_control else command

    def start(self, timeout: float = READY_TIMEOUT_S) -> EngineSubprocess:
        if self.alive:
            raise RuntimeError(f"the engine at {self.address} is already running")
        self.starts += 1
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            log.write(f"---- start #{self.starts}: {' '.join(self.command())}\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                self.command(),
                cwd=self.engine_root,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )
        try:
            self.wait_until_ready(timeout)
        except EngineStartError:
            self.kill()
            raise
        return self

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_until_ready(self, timeout: float = READY_TIMEOUT_S) -> None:
        """Poll the gRPC health service until SERVING, then the REST API (if any) until it answers."""
        give_up = time.monotonic() + timeout
        last_error = "no answer yet"
        with grpc.insecure_channel(self.address) as channel:
            health = health_pb2_grpc.HealthStub(channel)
            while True:
                self._check_alive()
                try:
                    answer = health.Check(health_pb2.HealthCheckRequest(service=GATEWAY_SERVICE), timeout=1)
                    if answer.status == health_pb2.HealthCheckResponse.SERVING:
                        break
                    last_error = f"health status {answer.status}"
                except grpc.RpcError as error:
                    last_error = f"{error.code()}: {error.details()}"
                self._check_deadline(give_up, timeout, last_error)
                time.sleep(0.05)
        while self.rest_url is not None:
            self._check_alive()
            try:
                answer = httpx.get(f"{self.rest_url}/v2/topology", timeout=1)
                if answer.status_code == 200:
                    return
                last_error = f"GET /v2/topology answered {answer.status_code}"
            except httpx.TransportError as error:
                last_error = f"REST API: {error!r}"
            self._check_deadline(give_up, timeout, last_error)
            time.sleep(0.05)

    def _check_alive(self) -> None:
        assert self.process is not None
        if self.process.poll() is not None:
            raise EngineStartError(
                f"the engine exited with {self.process.returncode} while starting:\n{self.log()}"
            )

    def _check_deadline(self, give_up: float, timeout: float, last_error: str) -> None:
        if time.monotonic() >= give_up:
            raise EngineStartError(
                f"the engine at {self.address} was not ready within {timeout:g} s ({last_error}):\n"
                f"{self.log()}"
            )

    def kill(self) -> None:
        """`kill -9`: no shutdown code runs in the engine."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=10)

    def restart(self, timeout: float = READY_TIMEOUT_S) -> EngineSubprocess:
        self.kill()
        return self.start(timeout)

    def stop(self) -> None:
        """SIGTERM (the engine shuts down in order), then SIGKILL if it does not end promptly."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def __enter__(self) -> EngineSubprocess:
        return self.start() if not self.alive else self

    def __exit__(self, *exc: object) -> None:
        self.stop()
