"""`python -m engine`: the embedded Zeebe-compatible engine."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal

from engine.app import start_engine
from engine.store.database import DEFAULT_DATABASE_URL, DatabaseInUse

log = logging.getLogger("engine")


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
    parser.add_argument("--log-level", default="INFO")
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    running = await start_engine(
        args.database,
        args.gateway_address,
        rest_address=args.rest_address or None,
        clock_control=args.enable_clock_control,
    )
    log.info("Zeebe gateway listening on %s (database %s)", args.gateway_address, args.database)
    if running.rest is not None:
        log.info("REST API /v2 listening on %s", args.rest_address)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    log.info("stopping")
    await running.stop()


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        asyncio.run(serve(args))
    except (DatabaseInUse, OSError) as error:
        log.error("%s", error)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
