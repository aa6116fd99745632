"""`make run`: the engine, the workers and the deployment of `bpmn/` and `forms/`, on one machine.

Starts `python -m engine` and `python -m workers` as child processes (their logs go to `var/`),
deploys the diagrams and forms once the gateway answers, says where to look, and stops both on
Ctrl-C. If either child dies, the others are stopped and the exit status says so.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path

import grpc
from pyzeebe import ZeebeClient, create_insecure_channel, create_secure_channel

from console.demo import DEMO_PASSWORD, DEMO_USERS
from engine.security import client_transport, token_credentials
from engine.store.database import DEFAULT_DATABASE_URL
from minsheng.cli import DEFAULT_RESOURCE_DIRS, resources
from workers.settings import Settings

VAR = Path("var")
READY_TIMEOUT_S = 30.0
# How long the children have to stop on the terminal's Ctrl-C before they are told again.
INTERRUPT_GRACE_S = 15.0
CONSOLE_ADDRESS = str(Settings.model_fields["console_address"].default)
DEMO_USERNAMES = ", ".join(username for username, *_ in DEMO_USERS)


def spawn(name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    log = (VAR / f"{name}.log").open("ab")
    return subprocess.Popen([sys.executable, *args], stdout=log, stderr=subprocess.STDOUT, env=env)


def machine_key(name: str) -> str:
    """A key of this machine, made on the first run and kept in `var/`: the ledger's beside its
    database (a key made afresh each run would leave the appellants registered before unreadable),
    the console's (a new one each run would sign everybody out)."""
    path = VAR / f"{name}.key"
    if not path.exists():
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(base64.urlsafe_b64encode(os.urandom(32)).decode())
    return path.read_text().strip()


async def wait_for_gateway(address: str, engine: subprocess.Popen[bytes]) -> ZeebeClient:
    # The engine takes a few seconds to start; pyzeebe would close the channel after 10 failures.
    client = ZeebeClient(_channel(address), max_connection_retries=-1)
    loop = asyncio.get_running_loop()
    give_up = loop.time() + READY_TIMEOUT_S
    while True:
        if engine.poll() is not None:
            raise SystemExit(f"the engine exited with status {engine.returncode}; see var/engine.log")
        try:
            await client.topology()
            return client
        except Exception:
            if loop.time() > give_up:
                raise SystemExit(
                    f"the engine did not answer on {address} within {READY_TIMEOUT_S:g} s"
                ) from None
            await asyncio.sleep(0.2)


def _channel(address: str) -> grpc.aio.Channel:
    # Loopback without authentication is the default; a token set in the environment is taken by
    # the engine (--auth-token's default) and the workers alike, so this client sends it too.
    token = os.environ.get("MINSHENG_ENGINE_TOKEN")
    if not token:
        return create_insecure_channel(address)
    return create_secure_channel(
        address, channel_credentials=token_credentials(token, client_transport(address))
    )


async def main_async(args: argparse.Namespace) -> int:
    VAR.mkdir(exist_ok=True)
    env = {**os.environ, "ZEEBE_ADDRESS": args.gateway_address}
    if not env.get("MINSHENG_CONSOLE_REST_URL"):
        env["MINSHENG_CONSOLE_REST_URL"] = f"http://{args.rest_address}/v2"
    if not env.get("MINSHENG_LEDGER_KEY"):
        env["MINSHENG_LEDGER_KEY"] = machine_key("ledger")
    if not env.get("MINSHENG_CONSOLE_SESSION_KEY"):
        env["MINSHENG_CONSOLE_SESSION_KEY"] = machine_key("console")
    # Installed before anything starts, so that a stop during start-up still stops what started.
    stop = asyncio.Event()
    signals: list[int] = []

    def received(signum: int) -> None:
        signals.append(signum)
        stop.set()

    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, received, signum)
    engine = spawn(
        "engine",
        [
            "-m",
            "engine",
            "--gateway-address",
            args.gateway_address,
            "--rest-address",
            args.rest_address,
            "--database",
            args.database,
        ],
        env,
    )
    children = {"engine": engine}
    try:
        client = await wait_for_gateway(args.gateway_address, engine)
        paths = resources([d for d in DEFAULT_RESOURCE_DIRS if d.is_dir()])
        deployment = await client.deploy_resource(*paths)
        # The seed knowledge base, so that the front desk has entries to propose; loading skips the
        # questions the ledger already holds.
        seeded = subprocess.run(
            [sys.executable, "-m", "minsheng", "knowledge", "load-seed"],
            env=env,
            stdout=(VAR / "seed.log").open("ab"),
            stderr=subprocess.STDOUT,
        )
        if seeded.returncode != 0:
            raise SystemExit("loading the seed knowledge base failed; see var/seed.log")
        children["workers"] = spawn("workers", ["-m", "workers"], env)
        children["console"] = spawn("console", ["-m", "console", "--demo-users"], env)
        if stop.is_set():
            return 0
        console_url = f"http://{env.get('MINSHENG_CONSOLE_ADDRESS', CONSOLE_ADDRESS)}/"
        print(
            f"Minsheng 民声 is running.\n"
            f"  Zeebe gateway:  {args.gateway_address}  (database {args.database})\n"
            f"  REST API:       http://{args.rest_address}/v2 (OpenAPI at /v2/openapi.json)\n"
            f"  deployed:       {', '.join(p.name for p in paths)} (deployment {deployment.key})\n"
            f"  console:        {console_url}  (demo users: {DEMO_USERNAMES}; password {DEMO_PASSWORD})\n"
            f"  knowledge base: data/knowledge/entries.jsonl loaded (console: 知识库)\n"
            f"  logs:           var/engine.log, var/workers.log, var/console.log, var/seed.log\n"
            f"Start a hotline ticket and see where it stands:\n"
            f"  .venv/bin/minsheng start hotline-ticket --var title=小区噪音扰民 "
            f"--var content=楼下酒吧每晚噪音扰民，投诉多次未解决\n"
            f"  .venv/bin/minsheng status <the key it printed>\n"
            f"Ctrl-C stops everything.",
            flush=True,
        )
        while not stop.is_set():
            dead = [name for name, child in children.items() if child.poll() is not None]
            if dead:
                print(f"stopped: {', '.join(dead)} exited; see var/*.log", file=sys.stderr)
                return 1
            try:
                await asyncio.wait_for(stop.wait(), 1.0)
            except TimeoutError:
                continue
        return 0
    finally:
        if signal.SIGINT in signals:
            # Ctrl-C reached every child of the terminal's process group already. A second signal
            # makes the workers abandon the jobs they are finishing, so they get time on the first.
            _wait_all(children.values(), INTERRUPT_GRACE_S)
        for child in reversed(children.values()):
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children.values():
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()


def _wait_all(children: Iterable[subprocess.Popen[bytes]], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    for child in children:
        with suppress(subprocess.TimeoutExpired):
            child.wait(timeout=max(deadline - time.monotonic(), 0))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m minsheng.run", description=__doc__)
    parser.add_argument("--gateway-address", default="127.0.0.1:26500")
    # The engine's /v2 API, which the console uses; a second `make run` beside the first needs a
    # port of its own for it as well as for the gateway.
    parser.add_argument("--rest-address", default="127.0.0.1:8080")
    parser.add_argument("--database", default=DEFAULT_DATABASE_URL)
    raise SystemExit(asyncio.run(main_async(parser.parse_args(argv))))


if __name__ == "__main__":
    main()
