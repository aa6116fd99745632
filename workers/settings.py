"""Settings of the workers and the command line, read from the environment.

The Zeebe variables keep the names pyzeebe and Camunda's other clients use, so one environment
file serves every client of a cluster. Which channel is opened follows from what is set: a SaaS
cluster id, else OAuth client credentials (Self-Managed with Identity), else a plain connection
(Minsheng's embedded engine, or a local Zeebe).
"""

import base64
import binascii
from pathlib import Path
from typing import Self, TypedDict

import grpc
from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, SettingsConfigDict
from pyzeebe import (
    create_camunda_cloud_channel,
    create_insecure_channel,
    create_oauth2_client_credentials_channel,
    create_secure_channel,
)
from pyzeebe.types import Unset

from engine.security import DEVELOPMENT, client_transport, placeholder_problem, token_credentials
from workers.validation import problem


class TaskOptions(TypedDict):
    """The keyword arguments of `ZeebeTaskRouter.task` that every Minsheng task shares."""

    timeout_ms: int
    max_jobs_to_activate: int
    max_running_jobs: int


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="MINSHENG_",
        env_ignore_empty=True,
        validate_by_name=True,
        validate_by_alias=True,
        frozen=True,
    )

    zeebe_address: str = Field(default="localhost:26500", validation_alias="ZEEBE_ADDRESS")
    zeebe_client_id: str | None = Field(
        default=None, validation_alias=AliasChoices("ZEEBE_CLIENT_ID", "CAMUNDA_CLIENT_ID")
    )
    zeebe_client_secret: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("ZEEBE_CLIENT_SECRET", "CAMUNDA_CLIENT_SECRET")
    )
    zeebe_authorization_server_url: str | None = Field(
        default=None, validation_alias=AliasChoices("ZEEBE_AUTHORIZATION_SERVER_URL", "CAMUNDA_OAUTH_URL")
    )
    zeebe_token_audience: str | None = Field(
        default=None, validation_alias=AliasChoices("ZEEBE_TOKEN_AUDIENCE", "CAMUNDA_TOKEN_AUDIENCE")
    )
    camunda_cluster_id: str | None = Field(default=None, validation_alias="CAMUNDA_CLUSTER_ID")
    camunda_cluster_region: str = Field(default="bru-2", validation_alias="CAMUNDA_CLUSTER_REGION")
    # The static bearer token of Minsheng's engine (its --auth-token): one variable for both.
    engine_token: SecretStr | None = None
    # The root certificate of a gateway whose TLS certificate is not signed by a public authority.
    zeebe_ca_certificate_path: Path | None = Field(
        default=None,
        validation_alias=AliasChoices("ZEEBE_CA_CERTIFICATE_PATH", "CAMUNDA_CA_CERTIFICATE_PATH"),
    )
    # `development` accepts placeholder secrets (client secret, engine token, ledger key).
    env: str = "production"

    config_dir: Path = Path("config")

    # pyzeebe's defaults (5 s between polls once max_running_jobs is reached, 32 running jobs)
    # throttle a worker to a few jobs a second; these keep the pipeline full.
    poll_retry_delay: float = Field(default=0.05, gt=0, lt=1)
    max_jobs_to_activate: int = Field(default=32, gt=0)
    max_running_jobs: int = Field(default=64, gt=0)
    # Long enough that a busy worker does not see its jobs handed to another one mid-flight.
    job_timeout_ms: int = Field(default=60_000, gt=0)

    ledger_database_url: str = "sqlite:///var/ledger.db"
    # AES-256-GCM key for appellants' personal data, URL-safe base64 of 32 bytes. Optional here so
    # that tools without a ledger need none; opening the ledger refuses to start without it.
    ledger_key: SecretStr | None = None

    # Notifications (workers/notify/). Email goes out only when an SMTP server is set, text messages
    # only when an SMS gateway is: a machine without them still has the console's inbox.
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, gt=0, lt=65536)
    # STARTTLS before logging in; off only for a relay on the same host or a test server.
    smtp_tls: bool = True
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str | None = None
    # The gateway takes POST {"to": phone, "text": text} as JSON, with the token as a bearer token.
    sms_endpoint: str | None = None
    sms_token: SecretStr | None = None
    # For one SMTP conversation or gateway request: a hung server fails the job instead of holding it.
    notify_timeout_s: float = Field(default=10.0, gt=0)

    # Bulletins (workers/reports/): where their folders are written, and a font with Chinese glyphs
    # for the charts (Debian's fonts-noto-cjk).
    report_dir: Path = Path("var/reports")
    report_font: Path = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")

    # The console (console/): where it listens, the engine's /v2 API it talks to (Camunda 8's on a
    # cluster; the same credentials as above), and the key that signs its session cookies.
    console_address: str = "127.0.0.1:8088"
    console_rest_url: str = "http://127.0.0.1:8080/v2"
    console_session_key: SecretStr | None = None
    # Mark the session cookie Secure even when the console itself is reached over plain HTTP: behind
    # a proxy that ends TLS. Requests that arrive over HTTPS get it regardless.
    console_secure_cookies: bool = False
    # Hours a signed-in session lasts without activity.
    console_session_hours: float = Field(default=8.0, gt=0)
    # The console's own tables (users, audit log, sign-in attempts); by default beside the ledger's.
    console_database_url: str | None = None
    # Open311 GeoReport v2 (console/open311.py): the API keys of the outside portals that may submit
    # requests, comma-separated; with none, every submission is refused.
    open311_api_keys: SecretStr | None = None
    # Upstream platforms (config/upstream.toml): each platform's secret by its key, as JSON, e.g.
    # {"provincial-hotline": "<bearer token>", "email-referral": "<mailbox password>"}.
    upstream_secrets: dict[str, SecretStr] = {}

    @field_validator("ledger_key")
    @classmethod
    def _check_ledger_key(cls, key: SecretStr | None) -> SecretStr | None:
        if key is not None and len(ledger_key_bytes(key)) != LEDGER_KEY_BYTES:
            raise ValueError(f"must be URL-safe base64 of {LEDGER_KEY_BYTES} bytes")
        return key

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.max_running_jobs < 2 * self.max_jobs_to_activate:
            raise ValueError(
                "MINSHENG_MAX_RUNNING_JOBS must be at least twice MINSHENG_MAX_JOBS_TO_ACTIVATE, "
                f"got {self.max_running_jobs} and {self.max_jobs_to_activate}"
            )
        if self.smtp_host is not None and self.smtp_from is None:
            raise ValueError("MINSHENG_SMTP_HOST is set but MINSHENG_SMTP_FROM, the sender's address, is not")
        if (self.smtp_user is None) != (self.smtp_password is None):
            raise ValueError("SMTP login needs both MINSHENG_SMTP_USER and MINSHENG_SMTP_PASSWORD")
        if self.camunda_cluster_id is not None or self.zeebe_client_id is not None:
            if self.zeebe_client_id is None or self.zeebe_client_secret is None:
                raise ValueError("OAuth needs both ZEEBE_CLIENT_ID and ZEEBE_CLIENT_SECRET")
            if self.camunda_cluster_id is None and self.zeebe_authorization_server_url is None:
                raise ValueError("ZEEBE_CLIENT_ID is set but ZEEBE_AUTHORIZATION_SERVER_URL is not")
        if self.env != DEVELOPMENT:
            self._refuse_placeholders()
        return self

    def _refuse_placeholders(self) -> None:
        secrets = {
            "ZEEBE_CLIENT_SECRET": self.zeebe_client_secret,
            "MINSHENG_ENGINE_TOKEN": self.engine_token,
            "MINSHENG_CONSOLE_SESSION_KEY": self.console_session_key,
        }
        for name, secret in secrets.items():
            found = None if secret is None else placeholder_problem(secret.get_secret_value())
            if found is not None:
                raise ValueError(
                    f"{name} {found}: placeholder secrets are refused; set the real secret, or "
                    f"MINSHENG_ENV={DEVELOPMENT} on a development machine"
                )
        if self.ledger_key is not None:
            key = ledger_key_bytes(self.ledger_key)
            # A random key has about 31 distinct bytes of 32; a typed-in or zeroed one has few.
            if len(set(key)) < 16 or placeholder_problem(key.decode("latin-1")) == "looks like a placeholder":
                raise ValueError(
                    "MINSHENG_LEDGER_KEY is not random, so it looks like a placeholder: make one with "
                    "`openssl rand -base64 32 | tr '+/' '-_'`, or set "
                    f"MINSHENG_ENV={DEVELOPMENT} on a development machine"
                )

    def task_options(self) -> TaskOptions:
        return TaskOptions(
            timeout_ms=self.job_timeout_ms,
            max_jobs_to_activate=self.max_jobs_to_activate,
            max_running_jobs=self.max_running_jobs,
        )


LEDGER_KEY_BYTES = 32


def ledger_key_bytes(key: SecretStr) -> bytes:
    """The raw key; empty when `key` is not base64, which the length check then refuses."""
    try:
        return base64.urlsafe_b64decode(key.get_secret_value())
    except (binascii.Error, ValueError):
        return b""


class SettingsError(Exception):
    """Settings that do not validate; one line per problem, naming the environment variable."""


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        # Without the inputs: the whole environment is one of them, client secret included.
        details = error.errors(include_input=False, include_url=False)
        raise SettingsError("\n".join(_describe(detail) for detail in details)) from None


def _describe(detail: ErrorDetails) -> str:
    loc = detail["loc"]
    return f"{_variable(str(loc[0]))}: {problem(detail)}" if loc else problem(detail)


def _variable(field_name: str) -> str:
    alias = Settings.model_fields[field_name].validation_alias
    if isinstance(alias, AliasChoices):
        alias = alias.choices[0]
    return alias if isinstance(alias, str) else f"MINSHENG_{field_name.upper()}"


def create_channel(settings: Settings) -> grpc.aio.Channel:
    """Open the gRPC channel to the gateway that `settings` describe."""
    client_id = settings.zeebe_client_id
    secret = settings.zeebe_client_secret
    if client_id is None or secret is None:
        if settings.engine_token is not None:
            credentials = token_credentials(settings.engine_token.get_secret_value(), _transport(settings))
            return create_secure_channel(grpc_address=settings.zeebe_address, channel_credentials=credentials)
        if settings.zeebe_ca_certificate_path is not None:
            return create_secure_channel(
                grpc_address=settings.zeebe_address, channel_credentials=_transport(settings)
            )
        return create_insecure_channel(grpc_address=settings.zeebe_address)
    if settings.camunda_cluster_id is not None:
        # Unset lets pyzeebe apply Camunda SaaS's own token endpoint and audience.
        return create_camunda_cloud_channel(
            client_id=client_id,
            client_secret=secret.get_secret_value(),
            cluster_id=settings.camunda_cluster_id,
            region=settings.camunda_cluster_region,
            authorization_server=settings.zeebe_authorization_server_url or Unset,
            audience=settings.zeebe_token_audience or Unset,
        )
    assert settings.zeebe_authorization_server_url is not None  # guaranteed by Settings._check
    return create_oauth2_client_credentials_channel(
        grpc_address=settings.zeebe_address,
        client_id=client_id,
        client_secret=secret.get_secret_value(),
        authorization_server=settings.zeebe_authorization_server_url,
        audience=settings.zeebe_token_audience,
        channel_credentials=_transport(settings),
    )


def _transport(settings: Settings) -> grpc.ChannelCredentials:
    """TLS with the configured root certificate or the system's; plaintext to a gateway on loopback
    (an embedded engine or a local cluster), over which gRPC still sends tokens."""
    path = settings.zeebe_ca_certificate_path
    return client_transport(settings.zeebe_address, path.read_bytes() if path is not None else None)
