"""docker-compose.yml, .env and Dockerfile, checked offline: there is no Docker engine here, so
the file is validated against the compose specification (check-jsonschema's bundled schema, and
`docker-compose config` where Debian's package is installed) and read for what a reviewer would
check by hand: pinned images, healthchecks, no secrets, scalable workers, a console that serves
what the image holds, a sound Dockerfile."""

import asyncio
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from ledger_support import ledger_settings, open_test_ledger
from pydantic import AliasChoices
from ruamel.yaml import YAML
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from console.app import create_app
from console.engine_client import EngineClient
from console.store import open_console_store
from workers.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOTENV = ROOT / ".env"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
DEPLOY_DOC = ROOT / "docs" / "deploy.md"

# What an operator must supply; compose must refuse to start without any of them.
SECRETS = {
    "CAMUNDA_ADMIN_PASSWORD": "test-admin-password",
    "LEDGER_DB_PASSWORD": "test-ledger-password",
    "MINSHENG_LEDGER_KEY": base64.urlsafe_b64encode(bytes(range(32))).decode(),
    "MINSHENG_CONSOLE_SESSION_KEY": base64.b64encode(bytes(range(100, 132))).decode(),
}

# The services that run Minsheng's image, its name, and the .env variable pinning each base of Dockerfile.
MINSHENG_SERVICES = ("workers", "console")
IMAGE = "minsheng/minsheng"
BASE_VERSIONS = {"python": "PYTHON_VERSION", "node": "NODE_VERSION"}

# How many numeric parts make an exact version, per repository: a tag with fewer floats to newer
# releases (camunda/camunda:8.8 is whatever 8.8 patch was pushed last). PostgreSQL numbers its
# releases major.minor. An image not listed here fails the test until its scheme is added.
VERSION_PARTS = {
    "camunda/camunda": 3,
    "camunda/connectors-bundle": 3,
    "docker.elastic.co/elasticsearch/elasticsearch": 3,
    "postgres": 2,
    IMAGE: 3,
    "python": 3,
    "node": 3,
}

CHECK_JSONSCHEMA = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec"]
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|(^|_)KEY$")
REFERENCE = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


class MissingVariable(Exception):
    pass


def interpolate(text: str, env: Mapping[str, str]) -> str:
    """Compose's interpolation of one value: ${VAR}, ${VAR:-default}, ${VAR-default},
    ${VAR:?message}, ${VAR?message}, and $$ for a literal dollar."""

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.group("name", "op", "arg")
        value = env.get(name)
        if op in (":-", ":?") and not value:
            value = None
        if value is not None:
            return value
        if op is not None and op.endswith("?"):
            raise MissingVariable(f"{name}: {arg}")
        return arg if op is not None else ""

    return re.sub(r"\$\$|" + REFERENCE.pattern, replace, text)


def resolve(node: Any, env: Mapping[str, str]) -> Any:
    if isinstance(node, str):
        return interpolate(node, env)
    if isinstance(node, Mapping):
        return {key: resolve(value, env) for key, value in node.items()}
    if isinstance(node, list):
        return [resolve(item, env) for item in node]
    return node


def load_yaml(path: Path) -> Any:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def dotenv() -> dict[str, str]:
    values: dict[str, str] = {}
    for line in DOTENV.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, separator, value = line.partition("=")
            assert separator, f".env: not KEY=VALUE: {line!r}"
            values[key.strip()] = value.strip()
    return values


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    document = load_yaml(COMPOSE)
    assert isinstance(document, dict)
    return document


@pytest.fixture(scope="module")
def resolved(raw: dict[str, Any]) -> dict[str, Any]:
    """The file as compose sees it with .env and the secrets set, and nothing else."""
    document = resolve(raw, {**dotenv(), **SECRETS})
    assert isinstance(document, dict)
    return document


def services(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    yield from document["services"].items()


def test_the_file_follows_the_compose_specification(resolved: dict[str, Any], tmp_path: Path) -> None:
    # The raw file, and the file after interpolation: the schema allows "${VAR}" wherever a
    # number goes, so only the resolved one shows that the numbers are numbers.
    interpolated = tmp_path / "docker-compose.json"
    interpolated.write_text(json.dumps(resolved), encoding="utf-8")
    result = subprocess.run(
        [*CHECK_JSONSCHEMA, str(COMPOSE), str(interpolated)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def docker_compose(*args: str, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    executable = shutil.which("docker-compose")
    assert executable is not None, (
        "Debian's docker-compose is not installed: `make install` installs it "
        "(scripts/install-system-packages.sh)"
    )
    # Only what compose needs from this process: no stray variable may satisfy a ${VAR:?}.
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    return subprocess.run(
        [executable, "--profile", "connectors", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_docker_compose_accepts_the_file() -> None:
    result = docker_compose("config", "-q", env=SECRETS)
    assert result.returncode == 0, result.stderr


def test_docker_compose_refuses_to_start_without_a_secret() -> None:
    # Compose stops at the first missing one; the test below covers each of them.
    secret = "MINSHENG_LEDGER_KEY"
    result = docker_compose("config", "-q", env={k: v for k, v in SECRETS.items() if k != secret})
    assert result.returncode != 0
    assert secret in result.stderr


@pytest.mark.parametrize("secret", sorted(SECRETS))
def test_each_secret_is_required_by_interpolation(raw: dict[str, Any], secret: str) -> None:
    others = {key: value for key, value in SECRETS.items() if key != secret}
    with pytest.raises(MissingVariable, match=secret):
        resolve(raw, {**dotenv(), **others})


def image_references(raw: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for name, service in services(raw):
        assert "image" in service, f"service {name} names no image"
        yield name, service["image"]


def test_every_image_is_pinned_to_an_exact_version_from_env(raw: dict[str, Any]) -> None:
    env = dotenv()
    for name, reference in image_references(raw):
        pinned = re.fullmatch(r"(?P<repository>[^$@:]+(?::\d+/[^$@:]+)?):(?P<tag>\$\{[^}]*\})", reference)
        assert pinned is not None, f"{name}: the tag of {reference} is not a variable from .env"
        repository, tag = pinned.group("repository", "tag")
        match = REFERENCE.fullmatch(tag)
        assert match is not None
        variable = match.group("name")
        assert variable in env, f"{name}: {variable} is not set in .env"
        assert_exact_version(repository, env[variable], f"{name} ({variable} in .env)")


def assert_exact_version(repository: str, tag: str, where: str) -> None:
    assert repository in VERSION_PARTS, f"{where}: no version scheme known for {repository}"
    parts = VERSION_PARTS[repository]
    exact = re.compile(r"\d+" + r"\.\d+" * (parts - 1) + r"(-[0-9a-z][0-9a-z.-]*)?")
    assert tag != "latest" and exact.fullmatch(tag), f"{where}: {repository}:{tag} is not an exact version"


def test_the_built_image_is_tagged_with_the_project_version(resolved: dict[str, Any]) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    workers = resolved["services"]["workers"]
    for name in MINSHENG_SERVICES:
        service = resolved["services"][name]
        assert service["image"] == f"{IMAGE}:{project['version']}", f"{name} runs {service['image']}"
        assert service["build"] == workers["build"], f"{name} builds the image otherwise than the workers"


def test_every_env_setting_is_used() -> None:
    text = COMPOSE.read_text(encoding="utf-8") + DOCKERFILE.read_text(encoding="utf-8")
    for variable in dotenv():
        if variable != "COMPOSE_PROJECT_NAME":  # read by compose itself
            assert "${" + variable in text, f".env sets {variable}, which nothing reads"


def test_every_service_has_a_healthcheck(resolved: dict[str, Any]) -> None:
    for name, service in services(resolved):
        check = service.get("healthcheck")
        assert check, f"service {name} has no healthcheck"
        assert not check.get("disable"), f"service {name} disables its healthcheck"
        test = check["test"]
        assert isinstance(test, list) and test[0] in ("CMD", "CMD-SHELL") and len(test) > 1, name


def test_depends_on_waits_for_health(resolved: dict[str, Any]) -> None:
    for name, service in services(resolved):
        for dependency, condition in service.get("depends_on", {}).items():
            assert dependency in resolved["services"], f"{name} depends on unknown {dependency}"
            assert condition == {"condition": "service_healthy"}, f"{name} -> {dependency}: {condition}"


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    assert isinstance(env, dict), "write environment as a mapping"
    return {key: str(value) for key, value in env.items()}


def test_no_secret_is_written_in_the_files(raw: dict[str, Any]) -> None:
    for name, service in services(raw):
        for key, value in environment(service).items():
            if SECRET_NAME.search(key):
                match = REFERENCE.fullmatch(value)
                assert match is not None, f"{name}: {key} is a literal, not a variable"
                if match.group("op") in (":-", "-"):
                    assert match.group("arg") == "", f"{name}: {key} has a default value"
            for password in re.findall(r"://[^/:@\s]*:([^@\s]*)@", value):
                assert REFERENCE.fullmatch(password), f"{name}: {key} has a literal password in its URL"
    for variable in dotenv():
        assert not SECRET_NAME.search(variable), f".env sets {variable}: secrets stay out of .env"
    compose = COMPOSE.read_text(encoding="utf-8")
    for secret in SECRETS:
        assert "${" + secret + ":?" in compose, f"{secret} must be required with ${{{secret}:?...}}"


def test_host_ports_listen_on_loopback_by_default(resolved: dict[str, Any]) -> None:
    # The gateway and the REST API run without authentication in this file.
    for name, service in services(resolved):
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} beyond loopback"


def published_container_ports(service: dict[str, Any]) -> set[int]:
    return {int(str(port).rsplit(":", 1)[1]) for port in service.get("ports", [])}


def test_workers_can_be_scaled(raw: dict[str, Any]) -> None:
    workers = raw["services"]["workers"]
    assert "container_name" not in workers, "a fixed container name allows one replica"
    assert "ports" not in workers, "a fixed host port allows one replica"
    assert workers["build"]["dockerfile"] == "Dockerfile"
    assert workers["build"]["context"] == "."


def settings_variables() -> set[str]:
    """The environment variables that workers/settings.py reads."""
    names: set[str] = set()
    for field_name, field in Settings.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            names.update(str(choice) for choice in alias.choices)
        elif isinstance(alias, str):
            names.add(alias)
        else:
            names.add(f"MINSHENG_{field_name.upper()}")
    return names


@pytest.mark.parametrize("name", MINSHENG_SERVICES)
def test_the_environment_is_what_the_settings_read(
    resolved: dict[str, Any], monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    env = environment(resolved["services"][name])
    unknown = set(env) - settings_variables()
    assert not unknown, f"{name}: workers/settings.py reads no {sorted(unknown)}"

    for variable in settings_variables() | set(os.environ):
        if variable.startswith(("ZEEBE_", "CAMUNDA_", "MINSHENG_")):
            monkeypatch.delenv(variable, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings = load_settings()  # the values validate, and empty ones fall back to the defaults
    assert settings.zeebe_client_id is None
    assert settings.ledger_key is not None
    assert settings.ledger_database_url.startswith("postgresql://")
    assert settings.ledger_database_url.split("@")[1].split(":")[0] in resolved["services"]
    # The key that signs the console's sessions goes to the console alone.
    has_key = settings.console_session_key is not None
    assert has_key == (name == "console"), f"{name} gets MINSHENG_CONSOLE_SESSION_KEY: {has_key}"


def test_the_workers_reach_the_gateway(resolved: dict[str, Any]) -> None:
    host, _, port = environment(resolved["services"]["workers"])["ZEEBE_ADDRESS"].partition(":")
    assert host in resolved["services"], f"ZEEBE_ADDRESS names {host}, no service of the file"
    assert int(port) in published_container_ports(resolved["services"][host]), f"{host} has no port {port}"


def test_the_console_reaches_the_rest_api_and_answers_on_its_port(resolved: dict[str, Any]) -> None:
    console = resolved["services"]["console"]
    rest = re.fullmatch(r"http://([^:/]+):(\d+)/v2", environment(console)["MINSHENG_CONSOLE_REST_URL"])
    assert rest is not None, "MINSHENG_CONSOLE_REST_URL is not the /v2 API of a service in the network"
    host, port = rest.group(1), int(rest.group(2))
    assert host in resolved["services"], f"MINSHENG_CONSOLE_REST_URL names {host}, no service of the file"
    # The port inside the network, not the one published on the host.
    assert port in published_container_ports(resolved["services"][host]), f"{host} has no port {port}"

    command = console["command"]
    assert command[:3] == ["python", "-m", "console"], command
    address = command[command.index("--address") + 1]
    listen_host, _, listen_port = address.rpartition(":")
    assert listen_host == "0.0.0.0", "on loopback inside its container, the console is out of reach"
    assert published_container_ports(console) == {int(listen_port)}, "the published port is not the console's"
    probe = "".join(console["healthcheck"]["test"])
    assert f"http://127.0.0.1:{listen_port}/login" in probe, "the healthcheck asks another port or page"


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        keyword, _, arguments = (pending + stripped).partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        pending = ""
    assert not pending, "the Dockerfile ends inside a continued line"
    return instructions


def dockerfile_stages() -> list[tuple[str, list[tuple[str, str]]]]:
    """(base image, the stage's instructions) for each FROM, in order."""
    stages: list[tuple[str, list[tuple[str, str]]]] = []
    for keyword, arguments in dockerfile_instructions():
        if keyword == "FROM":
            stages.append((arguments, []))
        elif stages:
            stages[-1][1].append((keyword, arguments))
    return stages


def test_the_dockerfile_base_images_are_pinned_to_the_env_versions(raw: dict[str, Any]) -> None:
    instructions = dockerfile_instructions()
    args = dict(arg.split("=", 1) for keyword, arg in instructions if keyword == "ARG" and "=" in arg)
    env = dotenv()
    for repository, variable in BASE_VERSIONS.items():
        assert args.get(variable) == env[variable], f"Dockerfile ARG {variable} differs from .env"
        assert_exact_version(repository, args[variable], f"Dockerfile ARG {variable}")
        for name in MINSHENG_SERVICES:
            build_args = raw["services"][name]["build"]["args"]
            assert build_args[variable].startswith("${" + variable), f"{name} does not build with {variable}"
    allowed = {f"{repository}:${{{variable}}}" for repository, variable in BASE_VERSIONS.items()}
    bases = [base.split()[0] for base, _ in dockerfile_stages()]
    assert bases and set(bases) <= allowed, f"stages on bases not pinned in .env: {bases}"
    # Node.js builds the console's browser code only; what runs is Python.
    assert bases[-1] == "python:${PYTHON_VERSION}", f"the final stage is built on {bases[-1]}"


def test_the_dockerfile_runs_the_workers_as_a_user() -> None:
    instructions = dockerfile_instructions()
    users = [arguments for keyword, arguments in instructions if keyword == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert instructions[-1] == ("CMD", '["python", "-m", "workers"]')


def test_the_dockerfile_copies_what_the_image_needs(resolved: dict[str, Any]) -> None:
    instructions = dockerfile_instructions()
    copied: dict[str, str] = {}
    for keyword, arguments in instructions:
        if keyword == "COPY" and not arguments.startswith("--from"):
            *sources, destination = arguments.split()
            copied.update(dict.fromkeys(sources, destination))

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    includes = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = {pattern.rstrip("*") for pattern in includes}
    needed = {"pyproject.toml", "config", "bpmn", "forms"} | packages
    assert needed <= set(copied), f"not copied: {sorted(needed - set(copied))}"

    allowed = {line.strip().lstrip("!").rstrip("/") for line in DOCKERIGNORE.read_text().splitlines()}
    for source in copied:
        assert (ROOT / source).exists(), f"COPY {source}: no such path"
        assert source in allowed, f"COPY {source}: .dockerignore keeps it out of the build context"

    env = " ".join(arguments for keyword, arguments in instructions if keyword == "ENV")
    assert f"MINSHENG_CONFIG_DIR=/app/{copied['config'].rstrip('/')}" in env
    assert any(keyword == "WORKDIR" and arguments == "/app" for keyword, arguments in instructions)
    report_dir = re.search(r"MINSHENG_REPORT_DIR=(\S+)", env)
    assert report_dir is not None
    for name in MINSHENG_SERVICES:
        volumes = resolved["services"][name]["volumes"]
        assert f"reports:{report_dir.group(1)}" in volumes, f"{name} does not share the bulletins' volume"
    # The bulletins' charts: MINSHENG_REPORT_FONT's default comes from Debian's fonts-noto-cjk.
    assert any(keyword == "RUN" and "fonts-noto-cjk" in arguments for keyword, arguments in instructions)
    assert str(Settings.model_fields["report_font"].default).startswith("/usr/share/fonts/opentype/noto/")


def test_the_deployment_guide_names_only_real_settings(raw: dict[str, Any]) -> None:
    # Every variable docs/deploy.md tells an operator to set is read by the workers' settings,
    # interpolated by the compose file, or given to a container by it.
    compose = COMPOSE.read_text(encoding="utf-8")
    known = settings_variables() | {match.group("name") for match in REFERENCE.finditer(compose)}
    for _, service in services(raw):
        known |= set(environment(service))
    named = re.findall(r"`((?:ZEEBE|MINSHENG|CAMUNDA|LEDGER)_[A-Z0-9_]+)(?:=[^`]*)?`", DEPLOY_DOC.read_text())
    assert named
    unknown = sorted(set(named) - known)
    assert not unknown, f"docs/deploy.md names settings that nothing reads: {unknown}"


def stage_named(name: str) -> list[tuple[str, str]]:
    for base, instructions in dockerfile_stages():
        if base.split()[-1] == name and " AS " in base.upper():
            return instructions
    raise AssertionError(f"Dockerfile has no stage named {name}")


def copies_from(stage: str, instructions: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(source, destination) of each COPY --from=stage."""
    found = []
    for keyword, arguments in instructions:
        if keyword == "COPY" and arguments.startswith(f"--from={stage} "):
            source, destination = arguments.split()[1:]
            found.append((source, destination))
    return found


def test_the_image_holds_what_the_console_serves(tmp_path: Path) -> None:
    # The node_modules folders the console mounts, read from the app itself.
    settings = ledger_settings(f"sqlite:///{tmp_path / 'ledger.db'}", env="development")
    ledger = open_test_ledger(settings.ledger_database_url)
    store = open_console_store(f"sqlite:///{tmp_path / 'console.db'}")
    engine = EngineClient(settings)
    node_modules = ROOT / "node_modules"
    assert node_modules.is_dir(), "node_modules is missing: `make install` installs it"
    try:
        app = create_app(settings, store, ledger, engine, session_key="k" * 32, node_modules=node_modules)
        mounted = {
            Path(str(route.app.directory)).relative_to(node_modules).as_posix()
            for route in app.routes
            if isinstance(route, Mount)
            and isinstance(route.app, StaticFiles)
            and Path(str(route.app.directory)).is_relative_to(node_modules)
        }
    finally:
        asyncio.run(engine.aclose())
        store.close()
        ledger.close()
    assert mounted, "the console mounts nothing from node_modules"

    stages = dockerfile_stages()
    assets = next((base.split()[-1] for base, _ in stages if base.startswith("node:")), None)
    assert assets is not None, "Dockerfile has no Node stage"
    build = stage_named("build")
    final = stages[-1][1]

    # The final stage: the mounted folders, nothing else from the Node stage, under /app.
    workdirs = [(i, arguments) for i, (keyword, arguments) in enumerate(final) if keyword == "WORKDIR"]
    assert [workdir for _, workdir in workdirs] == ["/app"], workdirs
    copied = copies_from(assets, final)
    first_copy = min(i for i, (_, arguments) in enumerate(final) if arguments.startswith(f"--from={assets}"))
    assert workdirs[0][0] < first_copy, "node_modules/ is copied before the working directory is /app"
    wanted = sorted((f"/src/node_modules/{path}", f"node_modules/{path}") for path in mounted)
    assert sorted(copied) == wanted, f"the final stage copies {copied} from the Node stage, not {wanted}"

    # The bundle: built by the Makefile's rule at the path the console's scripts import it from,
    # and in the package before its wheel is built.
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    bundle = re.search(r"^CONSOLE_BUNDLE := (\S+)$", makefile, re.MULTILINE)
    assert bundle is not None, "the Makefile has no CONSOLE_BUNDLE"
    target = bundle.group(1)
    scripts = " ".join(path.read_text(encoding="utf-8") for path in (ROOT / "console/static/js").glob("*.js"))
    assert "/static/" + target.removeprefix("console/static/") in scripts, f"no script imports {target}"
    assert ("RUN", f"make {target}") in stage_named(assets)
    folder = target.rpartition("/")[0]
    assert copies_from(assets, build) == [(f"/src/{folder}", folder)], "the bundle is not put in the package"
    steps = [f"{keyword} {arguments}" for keyword, arguments in build]
    wheel = next(i for i, step in enumerate(steps) if step.startswith("RUN pip wheel"))
    bundled = steps.index(f"COPY --from={assets} /src/{folder} {folder}")
    assert bundled < wheel, "the bundle is copied into the package after its wheel is built"

    # The wheel ships it: pyproject's package-data takes the console's templates and all of static/.
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    console_data = package_data["package-data"]["console"]
    assert "static/**/*" in console_data and "templates/**/*.html" in console_data, console_data
