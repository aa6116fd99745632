"""Assembling the engine process: database, engine, gateway server, REST API."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import grpc
from sqlalchemy import Engine as Database

from engine.api import RestServer, Services, create_app, start_rest_server
from engine.gateway.server import start_server
from engine.runtime.clock import Clock
from engine.runtime.engine import MAX_QUEUE, Engine
from engine.security import Security
from engine.store import projections
from engine.store.database import Ownership, open_database
from engine.store.repository import Repository


@dataclass
class RunningEngine:
    engine: Engine
    server: grpc.aio.Server
    port: int
    ownership: Ownership
    rest: RestServer | None = None
    # The read-only connections the REST API searches with.
    reader: Database | None = None
    halt_watch: asyncio.Task[None] | None = None

    @property
    def rest_port(self) -> int | None:
        return self.rest.port if self.rest is not None else None

    async def stop(self, grace: float | None = 1.0) -> None:
        if self.halt_watch is not None:
            self.halt_watch.cancel()
            await asyncio.gather(self.halt_watch, return_exceptions=True)
        if self.rest is not None:
            await self.rest.stop()
        if self.reader is not None:
            await asyncio.to_thread(self.reader.dispose)
        await self.server.stop(grace)
        await self.engine.stop()
        self.ownership.release()


async def start_engine(
    database_url: str,
    gateway_address: str,
    clock: Clock | None = None,
    rest_address: str | None = None,
    clock_control: bool = False,
    max_in_flight: int = MAX_QUEUE,
    security: Security | None = None,
) -> RunningEngine:
    database = open_database(database_url)
    ownership = Ownership(database, database_url)
    ownership.acquire()
    engine = Engine(Repository(database, ownership), clock, max_queue=max_in_flight)
    rest: RestServer | None = None
    # The read-only connections the REST API searches with.
    reader: Database | None = None
    server: grpc.aio.Server | None = None
    try:
        # Records written before the searchable history existed are folded in first.
        await asyncio.to_thread(projections.catch_up, database)
        await engine.start()
        server, port = await start_server(engine, gateway_address, security)
        if rest_address:
            reader = open_database(database_url, writer=False)
            services = Services.create(
                engine,
                reader,
                clock_control=clock_control,
                gateway_host=gateway_address.rsplit(":", 1)[0],
                gateway_port=port,
            )
            authenticator = security.authenticator if security is not None else None
            tls = security.tls if security is not None else None
            rest = await start_rest_server(create_app(services, authenticator), rest_address, tls)
    except BaseException:
        if server is not None:
            await server.stop(0)
        if reader is not None:
            reader.dispose()
        await engine.stop()
        ownership.release()
        raise
    running = RunningEngine(engine, server, port, ownership, rest, reader)
    running.halt_watch = asyncio.create_task(_stop_serving_when_halted(running))
    return running


async def _stop_serving_when_halted(running: RunningEngine) -> None:
    await running.engine.halted.wait()
    # Another engine owns the database now: clients must reach that one, not this one's stale state.
    if running.rest is not None:
        await running.rest.stop()
    await running.server.stop(0)
