"""Assembling the engine process: database, engine, gateway server."""

from __future__ import annotations

from dataclasses import dataclass

import grpc

from engine.gateway.server import start_server
from engine.runtime.clock import Clock
from engine.runtime.engine import Engine
from engine.store.database import Ownership, open_database
from engine.store.repository import Repository


@dataclass
class RunningEngine:
    engine: Engine
    server: grpc.aio.Server
    port: int
    ownership: Ownership

    async def stop(self, grace: float | None = 1.0) -> None:
        await self.server.stop(grace)
        await self.engine.stop()
        self.ownership.release()


async def start_engine(database_url: str, gateway_address: str, clock: Clock | None = None) -> RunningEngine:
    database = open_database(database_url)
    ownership = Ownership(database, database_url)
    ownership.acquire()
    engine = Engine(Repository(database), clock)
    try:
        await engine.start()
        server, port = await start_server(engine, gateway_address)
    except BaseException:
        await engine.stop()
        ownership.release()
        raise
    return RunningEngine(engine, server, port, ownership)
