"""Fixtures of the engine tests: the raw gateway stub next to pyzeebe's client.

`diagrams.py` (BPMN builders, gRPC helpers) lives next to this file; it is put on the import path
here so that the test modules import it as a top-level module whatever pytest's import mode.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

from engine.testing.handle import EngineHandle

sys.path.insert(0, str(Path(__file__).parent))

from diagrams import stub
from rest_fixtures import rest, rest_sqlite  # noqa: F401 - the REST API tests' fixtures


@pytest.fixture
async def gateway(engine: EngineHandle) -> AsyncIterator[GatewayStub]:
    """pyzeebe's bundled GatewayStub on its own channel, for the RPCs ZeebeClient does not expose."""
    channel, gateway_stub = stub(engine.address)
    yield gateway_stub
    await channel.close()
