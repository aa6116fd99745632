"""Assembling the engine process: database, engine, gateway server."""

from __future__ import annotations

from dataclasses import dataclass

import grpc

from engine.gateway.server import start_server
from engine.runtime.clock import Clock
from engine.runtime.engine import Engine
from engine.store.database import open_database
from engine.store.repository import Repository


@dataclass
class RunningEngine:
    engine: Engine
    server: grpc.aio.Server
    port: int

    async def stop(self, grace: float | None = 1.0) -> None:
        await self.server.stop(grace)
        await self.engine.stop()


async def start_engine(database_url: str, gateway_address: str, clock: Clock | None = None) -> RunningEngine:
    repository = Repository(open_database(database_url))
    engine = Engine(repository, clock)
    await engine.start()
    try:
        server, port = await start_server(engine, gateway_address)
    except BaseException:
        await engine.stop()
        raise
    return RunningEngine(engine, server, port)
