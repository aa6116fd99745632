"""`minsheng`: deploy diagrams and forms, start process instances, publish messages; compute
deadlines; check the working-day calendar.

It talks to the gateway in `ZEEBE_ADDRESS` with the same settings as the workers, so the same
commands work against the embedded engine and a Camunda 8 cluster.
"""

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import grpc
from pyzeebe import ZeebeClient
from pyzeebe.errors import PyZeebeError, ZeebeGatewayUnavailableError
from pyzeebe.grpc_internals.types import DeployResourceResponse

from engine.store.database import DEFAULT_DATABASE_URL
from minsheng.classify import InputError, classify_lines
from minsheng.knowledge_cli import add_parser as add_knowledge_parser
from minsheng.knowledge_cli import knowledge
from minsheng.report import add_parser as add_report_parser
from minsheng.report import report
from minsheng.status import load_view, render
from workers.classification_policy import load_classification_policy
from workers.deadline_policy import load_calendar_policy, load_deadline_policy
from workers.deadlines import load_deadlines
from workers.knowledge.seed import SeedError
from workers.policy import PolicyError
from workers.reports.charts import MissingFontError
from workers.reports.periods import PeriodError
from workers.services.appeal import AppealClassifier
from workers.services.calendar import UncoveredYearError, WorkingCalendar, running_out_warning
from workers.services.deadlines import DeadlineError, iso
from workers.settings import Settings, SettingsError, create_channel, load_settings

# What `minsheng deploy` deploys when given no paths, relative to the working directory.
DEFAULT_RESOURCE_DIRS = (Path("bpmn"), Path("forms"))
RESOURCE_SUFFIXES = frozenset({".bpmn", ".dmn", ".form"})

Command = Callable[[ZeebeClient, argparse.Namespace], Awaitable[None]]
Deployed = (
    DeployResourceResponse.ProcessMetadata
    | DeployResourceResponse.DecisionMetadata
    | DeployResourceResponse.DecisionRequirementsMetadata
    | DeployResourceResponse.FormMetadata
)


class CommandError(Exception):
    """A mistake in the command's arguments found only when it runs."""


def variable(text: str) -> tuple[str, Any]:
    """`key=value`; the value is JSON when it parses as JSON (`n=3`, `ok=true`, `tags=["a"]`) and
    the text as it stands otherwise (`content=路灯不亮`). Quote to keep JSON-like text a string:
    `phone='"0571"'`."""
    key, separator, value = text.partition("=")
    if not separator or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    try:
        return key, json.loads(value)
    except json.JSONDecodeError:
        return key, value


def variables_object(text: str) -> dict[str, Any]:
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as error:
        raise argparse.ArgumentTypeError(f"not valid JSON: {error}") from error
    if not isinstance(parsed, dict):
        raise argparse.ArgumentTypeError(f"expected a JSON object, got {text!r}")
    return parsed


def collect_variables(args: argparse.Namespace) -> dict[str, Any]:
    """`--vars-json` first, then each `--var` in order, so a `--var` overrides the same key."""
    return {**args.vars_json, **dict(args.var)}


def resources(paths: Sequence[Path]) -> list[Path]:
    """The files to deploy: each file as given, and the diagrams, decisions and forms in each
    directory."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix in RESOURCE_SUFFIXES))
        else:
            found.append(path)
    return found


async def deploy(client: ZeebeClient, args: argparse.Namespace) -> None:
    paths = resources(args.paths or [d for d in DEFAULT_RESOURCE_DIRS if d.is_dir()])
    if not paths:
        raise CommandError("nothing to deploy")
    missing = [str(path) for path in paths if not path.is_file()]
    if missing:
        raise CommandError(f"no such file: {', '.join(missing)}")
    response = await client.deploy_resource(*paths)
    for deployed in response.deployments:
        print(describe_deployed(deployed))
    print(f"deployment {response.key}")


def describe_deployed(deployed: Deployed) -> str:
    resource: str | None = None
    match deployed:
        case DeployResourceResponse.ProcessMetadata():
            what, key = f"process {deployed.bpmn_process_id}", deployed.process_definition_key
            resource = deployed.resource_name
        case DeployResourceResponse.FormMetadata():
            what, key, resource = f"form {deployed.form_id}", deployed.form_key, deployed.resource_name
        case DeployResourceResponse.DecisionMetadata():
            what, key = f"decision {deployed.dmn_decision_id}", deployed.decision_key
        case DeployResourceResponse.DecisionRequirementsMetadata():
            what = f"decision requirements {deployed.dmn_decision_requirements_id}"
            key, resource = deployed.decision_requirements_key, deployed.resource_name
    origin = f" from {resource}" if resource else ""
    return f"{what} version {deployed.version} (key {key}){origin}"


async def start(client: ZeebeClient, args: argparse.Namespace) -> None:
    response = await client.run_process(args.process_id, variables=collect_variables(args))
    print(response.process_instance_key)


async def publish(client: ZeebeClient, args: argparse.Namespace) -> None:
    response = await client.publish_message(
        args.name,
        args.correlation_key,
        variables=collect_variables(args),
        time_to_live_in_milliseconds=round(args.ttl * 1000),
        message_id=args.message_id,
    )
    print(response.key)


def deadline(args: argparse.Namespace) -> list[str]:
    """The lines `minsheng deadline` prints: what the deadlines worker would hand to the diagram,
    from the policy in MINSHENG_CONFIG_DIR, so a process owner can try a change without a process."""
    deadlines = load_deadlines(load_settings().config_dir)
    computed = deadlines.compute(args.channel, args.category, deadlines.instant(args.start, "--from"))
    limit = computed.limit
    lines = [
        f"limit       {limit.amount} {limit.unit.replace('_', ' ')}",
        f"due         {iso(computed.due_at)}",
        f"remind      {iso(computed.remind_at)}",
    ]
    if args.extension_requested_at is not None:
        requested_at = deadlines.instant(args.extension_requested_at, "--extension-requested-at")
        decision = deadlines.decide_extension(args.channel, args.category, computed.due_at, requested_at)
        verdict = "refused" if decision.extended is None else "allowed"
        lines.append(
            f"extension   {verdict}: requested {iso(decision.requested_at)}, "
            f"allowed until the end of {decision.latest_request_day.isoformat()}"
        )
        if decision.extended is None:
            lines.append(f"reason      {decision.refusal_reason}")
        else:
            lines.append(f"new due     {iso(decision.extended.due_at)}")
            lines.append(f"new remind  {iso(decision.extended.remind_at)}")
    return lines


def schedule(args: argparse.Namespace) -> list[str]:
    """The lines `minsheng schedule` prints: the dates a `minsheng.compute-schedule` task would hand
    to the diagram for an event then, one variable a line."""
    deadlines = load_deadlines(load_settings().config_dir)
    dates = deadlines.schedule(args.name, deadlines.instant(args.event_at, "--event-at"))
    width = max(map(len, dates)) + 2
    return [f"{variable:<{width}}{iso(instant)}" for variable, instant in dates.items()]


def calendar(args: argparse.Namespace) -> tuple[list[str], bool]:
    """The lines `minsheng calendar` prints, and whether the calendar runs out within the policy's
    look-ahead: the years it covers and when it runs out, from the policy in MINSHENG_CONFIG_DIR."""
    config_dir = load_settings().config_dir
    working_calendar = WorkingCalendar(load_calendar_policy(config_dir))
    today = args.today or datetime.now(load_deadline_policy(config_dir).timezone).date()
    first_uncovered_day = working_calendar.first_uncovered_day(today)
    lines = [
        f"covered     {year_spans(working_calendar.covered_years())}",
        f"runs out    {first_uncovered_day.isoformat()} ({(first_uncovered_day - today).days} days "
        f"after {today.isoformat()}; warned {working_calendar.warn_days_ahead} days ahead)",
    ]
    running_out = working_calendar.runs_out_soon(today) is not None
    if running_out:
        lines.append(f"warning     {running_out_warning(first_uncovered_day)}")
    return lines, running_out


def year_spans(years: Sequence[int]) -> str:
    """Years in order as runs: "2004-2026, 2028"."""
    spans: list[list[int]] = []
    for year in years:
        if spans and spans[-1][1] == year - 1:
            spans[-1][1] = year
        else:
            spans.append([year, year])
    return ", ".join(str(first) if first == last else f"{first}-{last}" for first, last in spans)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="minsheng", description="Work with Minsheng's processes on a Zeebe gateway (ZEEBE_ADDRESS)."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    variables = argparse.ArgumentParser(add_help=False)
    variables.add_argument(
        "--var",
        action="append",
        type=variable,
        default=[],
        metavar="KEY=VALUE",
        help="a variable; VALUE is JSON if it parses as JSON, else a string (repeatable)",
    )
    variables.add_argument(
        "--vars-json", type=variables_object, default={}, metavar="JSON", help="variables as a JSON object"
    )

    deploy_parser = commands.add_parser(
        "deploy", help="deploy diagrams and forms", description="Deploy diagrams, decisions and forms."
    )
    deploy_parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="files or directories (default: every diagram and form in bpmn/ and forms/)",
    )
    deploy_parser.set_defaults(run=deploy)

    start_parser = commands.add_parser(
        "start", parents=[variables], help="start a process instance and print its key"
    )
    start_parser.add_argument("process_id", metavar="PROCESS_ID", help="e.g. hotline-ticket")
    start_parser.set_defaults(run=start)

    publish_parser = commands.add_parser(
        "publish", parents=[variables], help="publish a message and print its key"
    )
    publish_parser.add_argument("name", metavar="NAME", help="the message name")
    publish_parser.add_argument("--correlation-key", required=True, metavar="KEY")
    publish_parser.add_argument(
        "--ttl",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="how long the message waits to be correlated (default: 60)",
    )
    publish_parser.add_argument(
        "--message-id", metavar="ID", help="publish at most once per ID while buffered"
    )
    publish_parser.set_defaults(run=publish)

    status_parser = commands.add_parser(
        "status", help="show where a process instance stands (embedded engine only: reads its log)"
    )
    status_parser.add_argument("key", type=int, metavar="PROCESS_INSTANCE_KEY")
    status_parser.add_argument(
        "--database",
        default=DEFAULT_DATABASE_URL,
        metavar="URL",
        help=f"the engine's database (default: {DEFAULT_DATABASE_URL})",
    )
    status_parser.set_defaults(run=None)

    deadline_parser = commands.add_parser(
        "deadline",
        help="print the due date and reminder time of an item (no gateway needed)",
        description="Compute a deadline from the policy in MINSHENG_CONFIG_DIR (default: config).",
    )
    deadline_parser.add_argument("--channel", required=True, help="the process id, e.g. hotline-ticket")
    deadline_parser.add_argument("--category", required=True, help="e.g. 咨询, or a step such as 首次回应")
    deadline_parser.add_argument(
        "--from",
        dest="start",
        required=True,
        metavar="DATE_TIME",
        help="when the limit starts (dispatch), ISO 8601; without an offset, the jurisdiction's local time",
    )
    deadline_parser.add_argument(
        "--extension-requested-at", metavar="DATE_TIME", help="also decide an extension requested then"
    )
    deadline_parser.set_defaults(run=None)

    schedule_parser = commands.add_parser(
        "schedule",
        help="print the dates due before an event, e.g. a meeting's preview (no gateway needed)",
        description="Compute a schedule of deadlines.toml in MINSHENG_CONFIG_DIR (default: config).",
    )
    schedule_parser.add_argument("--name", required=True, help="the schedule, e.g. meeting-attendance")
    schedule_parser.add_argument(
        "--event-at",
        required=True,
        metavar="DATE_TIME",
        help="when the event (meeting, interview, broadcast) takes place, ISO 8601",
    )
    schedule_parser.set_defaults(run=None)

    calendar_parser = commands.add_parser(
        "calendar",
        help="print the years the working-day calendar covers and warn when it runs out soon",
        description="Check the working-day calendar (chinesecalendar and calendar.toml in "
        "MINSHENG_CONFIG_DIR, default: config): the years it covers, and a warning when it runs out "
        "within its warn_days_ahead.",
    )
    calendar_parser.add_argument(
        "--check",
        action="store_true",
        help="exit with status 1 when the calendar runs out within warn_days_ahead (for monitoring)",
    )
    calendar_parser.add_argument(
        "--today",
        type=date.fromisoformat,
        metavar="DATE",
        help="the day to look ahead from, YYYY-MM-DD (default: today in the jurisdiction's time zone)",
    )
    calendar_parser.set_defaults(run=None)

    classify_parser = commands.add_parser(
        "classify",
        help="classify appeals given as JSON lines (no gateway needed)",
        description='Classify each JSON line {"content", "channel", "appellant"} (optionally '
        "title, id, receivedAt) with the policy in MINSHENG_CONFIG_DIR (default: config) and print "
        "one JSON line per appeal. Earlier accepted appeals count as open cases for repeats.",
    )
    classify_parser.add_argument(
        "input",
        nargs="?",
        type=argparse.FileType("r", encoding="utf-8"),
        default=sys.stdin,
        metavar="FILE",
        help="JSON lines (default: standard input)",
    )
    classify_parser.set_defaults(run=None)
    add_report_parser(commands)
    add_knowledge_parser(commands)
    return parser


def classify(args: argparse.Namespace) -> None:
    classifier = AppealClassifier(load_classification_policy(load_settings().config_dir))
    for result in classify_lines(classifier, args.input):
        print(json.dumps(result, ensure_ascii=False), flush=True)


async def run(command: Command, args: argparse.Namespace, settings: Settings) -> None:
    async with create_channel(settings) as channel:
        await command(ZeebeClient(channel), args)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "status":
        print(render(load_view(args.database, args.key)))
        return 0
    if args.command == "classify":
        try:
            classify(args)
        except (SettingsError, PolicyError) as error:
            return fail(args, str(error), status=2)
        except InputError as error:
            return fail(args, str(error))
        return 0
    if args.command == "calendar":
        try:
            lines, running_out = calendar(args)
        except (SettingsError, PolicyError) as error:
            return fail(args, str(error), status=2)
        print("\n".join(lines))
        return 1 if running_out and args.check else 0
    if args.command == "knowledge":
        try:
            print("\n".join(knowledge(args)))
        except (SettingsError, PolicyError) as error:
            return fail(args, str(error), status=2)
        except SeedError as error:
            return fail(args, str(error))
        return 0
    if args.command == "report":
        try:
            print("\n".join(report(args)))
        except (SettingsError, PolicyError) as error:
            return fail(args, str(error), status=2)
        except (PeriodError, MissingFontError) as error:
            return fail(args, str(error))
        return 0
    if args.command in ("deadline", "schedule"):
        try:
            print("\n".join(deadline(args) if args.command == "deadline" else schedule(args)))
        except (SettingsError, PolicyError) as error:
            return fail(args, str(error), status=2)
        except (DeadlineError, UncoveredYearError) as error:
            return fail(args, str(error))
        return 0
    try:
        settings = load_settings()
        asyncio.run(run(args.run, args, settings))
    except (SettingsError, CommandError) as error:
        return fail(args, str(error), status=2)
    except ZeebeGatewayUnavailableError:
        return fail(args, f"no Zeebe gateway answers at {settings.zeebe_address} (ZEEBE_ADDRESS)")
    except PyZeebeError as error:
        return fail(args, explain(error))
    return 0


def explain(error: PyZeebeError) -> str:
    """Some pyzeebe errors (an invalid deployment) say nothing themselves; the gateway's reason
    is then in the gRPC error they were raised from."""
    if str(error):
        return str(error)
    if isinstance(error.__cause__, grpc.aio.AioRpcError):
        return f"{type(error).__name__}: {error.__cause__.details()}"
    return type(error).__name__


def fail(args: argparse.Namespace, message: str, status: int = 1) -> int:
    print(f"minsheng {args.command}: {message}", file=sys.stderr)
    return status
