"""Camunda 8 (`camunda/camunda`) in a throwaway container, for `pytest --engine=testcontainers`.

Configured as Camunda Process Test runs it: one broker with the gateway, the /v2 API without
authentication, H2 in memory as secondary storage (so the /v2 searches need no Elasticsearch), and
the engine's clock controllable (`ZEEBE_CLOCK_CONTROLLED`), so that `EngineHandle.connect` can pin it.
It needs a Docker engine; `docker_unavailable()` says why there is none, for a skip reason.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
IMAGE = "camunda/camunda"
# Used when .env (the compose file's pinned versions) does not name one.
DEFAULT_VERSION = "8.8.36"
GATEWAY_PORT = 26500
REST_PORT = 8080
READY_TIMEOUT_S = 240.0

ENVIRONMENT = {
    "SPRING_PROFILES_ACTIVE": "broker,consolidated-auth,operate,tasklist,identity",
    "CAMUNDA_DATA_SECONDARYSTORAGE_TYPE": "rdbms",
    "CAMUNDA_DATA_SECONDARYSTORAGE_RDBMS_URL": "jdbc:h2:mem:camunda;DB_CLOSE_DELAY=-1",
    "CAMUNDA_DATA_SECONDARYSTORAGE_RDBMS_USERNAME": "sa",
    "CAMUNDA_DATA_SECONDARYSTORAGE_RDBMS_PASSWORD": "",
    "CAMUNDA_SECURITY_AUTHENTICATION_UNPROTECTEDAPI": "true",
    "CAMUNDA_SECURITY_AUTHORIZATIONS_ENABLED": "false",
    "ZEEBE_CLOCK_CONTROLLED": "true",
}


def camunda_version(env_file: Path = ROOT / ".env") -> str:
    """`CAMUNDA_VERSION` of .env, the one the compose file runs; else `DEFAULT_VERSION`."""
    if env_file.exists():
        for line in env_file.read_text().splitlines():
            name, _, value = line.partition("=")
            if name.strip() == "CAMUNDA_VERSION" and value.strip():
                return value.strip()
    return DEFAULT_VERSION


def docker_unavailable() -> str | None:
    """None when a Docker engine answers; else why not, as a skip reason."""
    try:
        import docker  # type: ignore[import-untyped]
    except ImportError as error:
        return f"no Docker client library ({error}): pip install -e '.[dev]'"
    try:
        client = docker.from_env(timeout=5)
        try:
            client.ping()
        finally:
            client.close()
    except Exception as error:
        return f"no Docker engine: {error}"
    return None


class CamundaContainer:
    """`camunda/camunda:<version>` started with testcontainers; `gateway` and `rest_url` once ready."""

    def __init__(self, version: str | None = None) -> None:
        self.image = f"{IMAGE}:{version or camunda_version()}"
        self._container: Any = None
        self.gateway = ""
        self.rest_url = ""

    def start(self, timeout: float = READY_TIMEOUT_S) -> CamundaContainer:
        from testcontainers.core.container import DockerContainer

        container = DockerContainer(self.image).with_exposed_ports(GATEWAY_PORT, REST_PORT)
        for name, value in ENVIRONMENT.items():
            container = container.with_env(name, value)
        self._container = container.start()
        host = container.get_container_host_ip()
        self.gateway = f"{host}:{container.get_exposed_port(GATEWAY_PORT)}"
        self.rest_url = f"http://{host}:{container.get_exposed_port(REST_PORT)}"
        try:
            self._wait_until_ready(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_ready(self, timeout: float) -> None:
        """Ready when the topology shows a broker whose partitions are healthy."""
        give_up = time.monotonic() + timeout
        last = "no answer yet"
        while time.monotonic() < give_up:
            try:
                answer = httpx.get(f"{self.rest_url}/v2/topology", timeout=2)
                brokers = answer.json().get("brokers") or [] if answer.status_code == 200 else []
                partitions = [p for broker in brokers for p in broker.get("partitions", [])]
                if partitions and all(p.get("health") == "healthy" for p in partitions):
                    return
                last = f"GET /v2/topology: {answer.status_code} {answer.text[:200]}"
            except (httpx.TransportError, ValueError) as error:
                last = repr(error)
            time.sleep(1)
        logs: Any = self._container.get_logs() if self._container is not None else (b"", b"")
        tail = b"".join(part or b"" for part in logs).decode(errors="replace")[-4000:]
        raise RuntimeError(
            f"{self.image} was not ready within {timeout:g} s ({last}); last log lines:\n{tail}"
        )

    def stop(self) -> None:
        if self._container is not None:
            self._container.stop()
            self._container = None
