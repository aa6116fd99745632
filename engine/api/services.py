"""What the routers share: the engine, its clock, the catalog of definitions and the searches."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from sqlalchemy import Engine as Database

from engine.api.catalog import Catalog
from engine.api.queries import Queries
from engine.runtime.engine import Engine


@dataclass
class Services:
    engine: Engine
    catalog: Catalog
    queries: Queries
    clock_control: bool
    gateway_host: str
    gateway_port: int

    @classmethod
    def create(
        cls,
        engine: Engine,
        database: Database,
        clock_control: bool = False,
        gateway_host: str = "127.0.0.1",
        gateway_port: int = 26500,
    ) -> Services:
        catalog = Catalog(engine)
        return cls(engine, catalog, Queries(database, catalog), clock_control, gateway_host, gateway_port)


def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found
