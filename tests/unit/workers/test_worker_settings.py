import grpc
import pytest

import workers.settings
from workers.settings import Settings, SettingsError, create_channel, load_settings

# Long enough not to be refused as a placeholder.
SECRET = "s-5b1e9c0a7d42f8e3"

ZEEBE_VARIABLES = (
    "ZEEBE_ADDRESS",
    "ZEEBE_CLIENT_ID",
    "ZEEBE_CLIENT_SECRET",
    "ZEEBE_AUTHORIZATION_SERVER_URL",
    "ZEEBE_TOKEN_AUDIENCE",
    "CAMUNDA_CLIENT_ID",
    "CAMUNDA_CLIENT_SECRET",
    "CAMUNDA_OAUTH_URL",
    "CAMUNDA_TOKEN_AUDIENCE",
    "CAMUNDA_CLUSTER_ID",
    "CAMUNDA_CLUSTER_REGION",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ZEEBE_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_defaults_suit_the_embedded_engine() -> None:
    settings = load_settings()
    assert settings.zeebe_address == "localhost:26500"
    assert settings.poll_retry_delay < 1
    assert settings.max_running_jobs >= 2 * settings.max_jobs_to_activate


def test_variables_keep_pyzeebes_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZEEBE_ADDRESS", "zeebe:26500")
    monkeypatch.setenv("CAMUNDA_CLIENT_ID", "minsheng")
    monkeypatch.setenv("ZEEBE_CLIENT_SECRET", "s3cret-5b1e9c0a7d42f8")
    monkeypatch.setenv("ZEEBE_AUTHORIZATION_SERVER_URL", "http://keycloak/token")
    monkeypatch.setenv("MINSHENG_CONFIG_DIR", "/etc/minsheng")
    settings = load_settings()
    assert (settings.zeebe_address, settings.zeebe_client_id) == ("zeebe:26500", "minsheng")
    assert str(settings.config_dir) == "/etc/minsheng"


def test_an_empty_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZEEBE_ADDRESS", "")
    assert load_settings().zeebe_address == "localhost:26500"


def test_errors_name_the_variable_and_hide_the_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINSHENG_MAX_JOBS_TO_ACTIVATE", "many")
    monkeypatch.setenv("ZEEBE_CLIENT_SECRET", "s3cret-5b1e9c0a7d42f8")
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert str(raised.value).startswith("MINSHENG_MAX_JOBS_TO_ACTIVATE: ")
    assert "s3cret-5b1e9c0a7d42f8" not in str(raised.value)


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ({"max_jobs_to_activate": 32, "max_running_jobs": 40}, "at least twice"),
        ({"zeebe_client_id": "minsheng"}, "both ZEEBE_CLIENT_ID and ZEEBE_CLIENT_SECRET"),
        ({"zeebe_client_id": "minsheng", "zeebe_client_secret": "s"}, "ZEEBE_AUTHORIZATION_SERVER_URL"),
        ({"camunda_cluster_id": "c1"}, "both ZEEBE_CLIENT_ID and ZEEBE_CLIENT_SECRET"),
    ],
)
def test_inconsistent_settings_are_refused(settings: dict[str, object], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        Settings.model_validate(settings)


@pytest.mark.parametrize(
    ("settings", "factory", "arguments"),
    [
        ({}, "create_insecure_channel", {"grpc_address": "localhost:26500"}),
        (
            {
                "zeebe_client_id": "m",
                "zeebe_client_secret": SECRET,
                "zeebe_authorization_server_url": "http://id/t",
            },
            "create_oauth2_client_credentials_channel",
            {"client_id": "m", "client_secret": SECRET, "authorization_server": "http://id/t"},
        ),
        (
            {"zeebe_client_id": "m", "zeebe_client_secret": SECRET, "camunda_cluster_id": "c1"},
            "create_camunda_cloud_channel",
            {"client_id": "m", "client_secret": SECRET, "cluster_id": "c1", "region": "bru-2"},
        ),
    ],
    ids=["insecure", "self-managed-oauth", "saas"],
)
def test_each_kind_of_gateway_gets_its_channel(
    monkeypatch: pytest.MonkeyPatch, settings: dict[str, object], factory: str, arguments: dict[str, str]
) -> None:
    calls: list[tuple[str, dict[str, object]]] = []
    for name in (
        "create_insecure_channel",
        "create_oauth2_client_credentials_channel",
        "create_camunda_cloud_channel",
    ):
        monkeypatch.setattr(workers.settings, name, lambda name=name, **kwargs: calls.append((name, kwargs)))
    create_channel(Settings.model_validate(settings))
    [(called, kwargs)] = calls
    assert called == factory
    assert arguments.items() <= kwargs.items()


async def test_a_plain_channel_opens_without_a_gateway() -> None:
    channel = create_channel(Settings())
    assert isinstance(channel, grpc.aio.Channel)
    await channel.close()
