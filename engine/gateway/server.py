"""The gRPC server: Zeebe's gateway service and the standard health service on one port."""

from __future__ import annotations

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from pyzeebe.proto.gateway_pb2_grpc import add_GatewayServicer_to_server

from engine.gateway.auth import BearerTokenInterceptor
from engine.gateway.servicer import DecodingRegistration, Gateway
from engine.runtime.engine import Engine
from engine.security import Security

GATEWAY_SERVICE = "gateway_protocol.Gateway"

# Zeebe clients ping every 45 s; without permission for that, the server would answer the pings
# with GOAWAY (too_many_pings) and drop idle worker connections.
_SERVER_OPTIONS = [
    ("grpc.keepalive_permit_without_calls", 1),
    ("grpc.http2.min_recv_ping_interval_without_data_ms", 10_000),
    ("grpc.http2.min_ping_interval_without_data_ms", 10_000),
    ("grpc.http2.max_pings_without_data", 0),
    ("grpc.max_receive_message_length", 64 * 1024 * 1024),
    ("grpc.max_send_message_length", 64 * 1024 * 1024),
]


async def start_server(
    engine: Engine, address: str, security: Security | None = None
) -> tuple[grpc.aio.Server, int]:
    """Serve on `address` (host:port; port 0 picks a free one); returns the server and its port.

    With `security`, calls need a bearer token (health checks excepted) and the port speaks TLS.
    """
    security = security or Security()
    # No interceptor at all without authentication: gRPC then skips its interceptor pipeline.
    interceptors = None
    if security.authenticator is not None:
        interceptors = [BearerTokenInterceptor(security.authenticator)]
    server = grpc.aio.server(options=_SERVER_OPTIONS, interceptors=interceptors)
    host = address.rsplit(":", 1)[0]
    if security.tls is not None:
        credentials = grpc.ssl_server_credentials([(security.tls.key, security.tls.cert)])
        port = server.add_secure_port(address, credentials)
    else:
        port = server.add_insecure_port(address)
    if port == 0:
        raise OSError(f"cannot listen on {address}: the address is in use or invalid")
    # A request that does not decode is answered INVALID_ARGUMENT, after authentication.
    registration = DecodingRegistration(server)
    add_GatewayServicer_to_server(Gateway(engine, host, port), registration)
    if not registration.registered:
        raise RuntimeError("the generated gateway stub registered no method handlers")
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    await server.start()
    await health_servicer.set(GATEWAY_SERVICE, health_pb2.HealthCheckResponse.SERVING)
    await health_servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    return server, port
