"""`python -m engine`: the embedded Zeebe-compatible engine."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys

from engine.app import start_engine
from engine.runtime.engine import MAX_QUEUE
from engine.security import DEVELOPMENT, Security, SecurityError, configure
from engine.store.database import DEFAULT_DATABASE_URL, DatabaseInUse

log = logging.getLogger("engine")


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text}")
    return value


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m engine", description=__doc__)
    parser.add_argument(
        "--gateway-address", default="127.0.0.1:26500", help="host:port of the Zeebe gRPC gateway"
    )
    parser.add_argument(
        "--database", default=DEFAULT_DATABASE_URL, help="SQLAlchemy URL (SQLite file or PostgreSQL)"
    )
    parser.add_argument(
        "--rest-address",
        default="127.0.0.1:8080",
        help="host:port of the Camunda /v2 REST API subset (empty to serve none)",
    )
    parser.add_argument(
        "--enable-clock-control",
        action="store_true",
        help="allow pinning and resetting the engine's clock over REST (PUT /v2/clock): for tests only",
    )
    parser.add_argument(
        "--max-in-flight",
        type=_positive,
        default=MAX_QUEUE,
        help="commands that may wait for the engine; beyond them the gateway answers RESOURCE_EXHAUSTED "
        f"and clients back off (default {MAX_QUEUE})",
    )
    _add_security_options(parser)
    parser.add_argument("--log-level", default="INFO")
    return parser.parse_args(argv)


def _add_security_options(parser: argparse.ArgumentParser) -> None:
    env = os.environ.get
    group = parser.add_argument_group(
        "security",
        "Without a token or an OAuth issuer, the engine serves anyone who can connect and so listens on "
        "loopback addresses only. The gRPC health service stays open to probes either way.",
    )
    group.add_argument(
        "--auth-token",
        default=env("MINSHENG_ENGINE_TOKEN"),
        help="a static bearer token clients must send (better from MINSHENG_ENGINE_TOKEN: the command "
        "line is visible to other users of the machine)",
    )
    group.add_argument(
        "--oauth-issuer",
        default=env("MINSHENG_OAUTH_ISSUER"),
        help="accept OAuth2 access tokens (JWTs) from this issuer (its `iss`), e.g. Keycloak's realm URL",
    )
    group.add_argument(
        "--oauth-audience",
        default=env("MINSHENG_OAUTH_AUDIENCE"),
        help="the audience (`aud`) tokens must be issued for, e.g. zeebe-api",
    )
    group.add_argument(
        "--oauth-jwks-url",
        default=env("MINSHENG_OAUTH_JWKS_URL"),
        help="the issuer's signing keys (default: the jwks_uri of its OpenID configuration)",
    )
    group.add_argument("--tls-cert", default=env("MINSHENG_TLS_CERT"), help="PEM certificate chain: TLS")
    group.add_argument("--tls-key", default=env("MINSHENG_TLS_KEY"), help="PEM private key of --tls-cert")
    group.add_argument(
        "--dev",
        action="store_true",
        default=env("MINSHENG_ENV") == DEVELOPMENT,
        help=f"development machine (or MINSHENG_ENV={DEVELOPMENT}): placeholder tokens are accepted",
    )


def security_of(args: argparse.Namespace) -> Security:
    addresses = [args.gateway_address] + ([args.rest_address] if args.rest_address else [])
    return configure(
        addresses=addresses,
        token=args.auth_token,
        oauth_issuer=args.oauth_issuer,
        oauth_audience=args.oauth_audience,
        oauth_jwks_url=args.oauth_jwks_url,
        tls_cert=args.tls_cert,
        tls_key=args.tls_key,
        development=args.dev,
    )


async def serve(args: argparse.Namespace, security: Security | None = None) -> None:
    running = await start_engine(
        args.database,
        args.gateway_address,
        rest_address=args.rest_address or None,
        clock_control=args.enable_clock_control,
        max_in_flight=args.max_in_flight,
        security=security,
    )
    log.info("Zeebe gateway listening on %s (database %s)", args.gateway_address, args.database)
    if running.rest is not None:
        log.info("REST API /v2 listening on %s", args.rest_address)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    # Halted: another engine took the database (docs/faults.md); exit so a supervisor sees it.
    halted = asyncio.ensure_future(running.engine.halted.wait())
    signalled = asyncio.ensure_future(stop.wait())
    await asyncio.wait((halted, signalled), return_when=asyncio.FIRST_COMPLETED)
    signalled.cancel()
    log.info("stopping")
    await running.stop()
    if halted.done():
        raise SystemExit("python -m engine: stopped, another engine owns the database now")
    halted.cancel()


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        security = security_of(args)
    except SecurityError as error:
        print(f"python -m engine: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    if security.authenticator is not None:
        oauth = security.authenticator.oauth
        log.info("bearer tokens required%s", f" (OAuth issuer {oauth.issuer})" if oauth else "")
    if security.tls is not None:
        log.info("TLS with the certificate in %s", security.tls.cert_file)
    try:
        asyncio.run(serve(args, security))
    except (DatabaseInUse, OSError) as error:
        log.error("%s", error)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
