"""Serving the REST API with uvicorn on the engine's own event loop, next to the gRPC server."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Generator

import uvicorn
from fastapi import FastAPI

from engine.security import Tls

log = logging.getLogger(__name__)


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        # The engine's process owns SIGINT and SIGTERM; stopping goes through `RestServer.stop`.
        yield


class RestServer:
    def __init__(self, server: uvicorn.Server, task: asyncio.Task[None], port: int) -> None:
        self._server = server
        self._task = task
        self.port = port

    async def stop(self) -> None:
        self._server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


def split_address(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise OSError(f"cannot listen on {address}: expected host:port")
    return host.strip("[]"), int(port)


async def start_rest_server(app: FastAPI, address: str, tls: Tls | None = None) -> RestServer:
    """Serve `app` on `address` (host:port; port 0 picks a free one) in the running loop, over
    HTTPS with `tls`."""
    host, port = split_address(address)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        lifespan="off",
        access_log=False,
        loop="none",
        ssl_certfile=tls.cert_file if tls is not None else None,
        ssl_keyfile=tls.key_file if tls is not None else None,
    )
    server = _Server(config)
    task = asyncio.create_task(server.serve(), name="rest-api")
    while not server.started:
        if task.done():
            # uvicorn logs a bind failure and exits with SystemExit(1).
            with contextlib.suppress(BaseException):
                task.result()
            raise OSError(f"cannot listen on {address}: the address is in use or invalid")
        await asyncio.sleep(0.01)
    bound = server.servers[0].sockets[0].getsockname()[1] if server.servers else port
    return RestServer(server, task, int(bound))
