"""`python -m console`: serve the console, or add a user (`python -m console add-user ...`)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import signal
import sys
from datetime import UTC, datetime

from console.app import create_app
from console.demo import create_demo_users
from console.engine_client import EngineClient
from console.policy import load_console_policy
from console.security import MIN_PASSWORD_LENGTH, hash_password
from console.store import ConsoleStore, open_console_store
from engine.api.server import split_address, start_rest_server
from engine.security import DEVELOPMENT, is_loopback
from workers.ledger.service import open_ledger
from workers.policy import PolicyError
from workers.settings import Settings, SettingsError, load_settings

log = logging.getLogger("console")


def open_store(settings: Settings) -> ConsoleStore:
    return open_console_store(settings.console_database_url or settings.ledger_database_url)


async def serve(settings: Settings, address: str, demo_users: bool) -> None:
    if settings.console_session_key is None:
        raise SettingsError("MINSHENG_CONSOLE_SESSION_KEY: is required to sign the console's session cookies")
    host, _port = split_address(address)
    if demo_users and not (is_loopback(host) or settings.env == DEVELOPMENT):
        raise SettingsError(
            f"--demo-users: the demo users' password is public; refused on {address} outside "
            f"MINSHENG_ENV={DEVELOPMENT}"
        )
    store = open_store(settings)
    ledger = open_ledger(settings)
    if demo_users:
        created = create_demo_users(store, load_console_policy(settings.config_dir), datetime.now(UTC))
        if created:
            log.info("demo users created: %s", ", ".join(created))
    engine = EngineClient(settings)
    app = create_app(
        settings, store, ledger, engine, session_key=settings.console_session_key.get_secret_value()
    )
    server = await start_rest_server(app, address)
    log.info("console listening on http://%s:%d/", host, server.port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await server.stop()
        await engine.aclose()
        ledger.close()
        store.close()


def add_user(settings: Settings, args: argparse.Namespace) -> None:
    policy = load_console_policy(settings.config_dir)
    role = policy.roles.get(args.role)
    if role is None:
        raise SystemExit(
            f"--role {args.role}: unknown role; config/console.toml has {', '.join(policy.roles)}"
        )
    if role.per_unit and not args.unit:
        raise SystemExit(f"--role {args.role}: a user of this role belongs to a handling unit; give --unit")
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass("密码：")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise SystemExit(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    store = open_store(settings)
    try:
        if store.has_user(args.username):
            raise SystemExit(f"user {args.username} exists already")
        store.add_user(
            args.username, args.name, hash_password(password), args.role, args.unit, datetime.now(UTC)
        )
    finally:
        store.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m console", description=__doc__)
    parser.add_argument("--address", help="host:port to listen on (MINSHENG_CONSOLE_ADDRESS)")
    parser.add_argument("--demo-users", action="store_true", help="create the demo users of README")
    parser.add_argument("--log-level", default="INFO")
    commands = parser.add_subparsers(dest="command")
    adding = commands.add_parser("add-user", help="add a user of the console")
    adding.add_argument("username")
    adding.add_argument("--name", required=True, help="the name shown in the console")
    adding.add_argument("--role", required=True)
    adding.add_argument("--unit")
    adding.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = load_settings()
        if args.command == "add-user":
            add_user(settings, args)
            return
        asyncio.run(serve(settings, args.address or settings.console_address, args.demo_users))
    except (SettingsError, PolicyError) as error:
        raise SystemExit(str(error)) from None


if __name__ == "__main__":
    main()
