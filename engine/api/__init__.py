"""The Camunda 8 Orchestration Cluster REST API (/v2) subset served by the embedded engine."""

from engine.api.app import create_app
from engine.api.server import RestServer, start_rest_server
from engine.api.services import Services

__all__ = ["RestServer", "Services", "create_app", "start_rest_server"]
