"""Authentication and TLS at the gateway and the REST API, with real servers and real clients.

An OAuth issuer is stood in by a small HTTP server the tests start: it serves its OpenID
configuration, its JWKS and a client-credentials token endpoint issuing RS256 JWTs, so pyzeebe's
`create_oauth2_client_credentials_channel` runs end to end against the engine.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import ipaddress
import json
import os
import secrets
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import grpc
import httpx
import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from diagrams import activate, one_task
from grpc_health.v1 import health_pb2, health_pb2_grpc
from pyzeebe import (
    ZeebeClient,
    create_insecure_channel,
    create_oauth2_client_credentials_channel,
    create_secure_channel,
)
from pyzeebe.errors import ZeebeError
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

from engine.app import RunningEngine, start_engine
from engine.security import (
    Authenticator,
    OAuthVerifier,
    Security,
    SecurityError,
    Tls,
    configure,
    placeholder_problem,
)
from workers.settings import Settings, SettingsError, create_channel, load_settings

TOKEN = secrets.token_urlsafe(32)
AUDIENCE = "zeebe-api"
CLIENT_ID = "minsheng-workers"
CLIENT_SECRET = secrets.token_urlsafe(24)


# ----------------------------------------------------------------------------------- fixtures


def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Issuer:
    """A stand-in OAuth2 authorization server on loopback."""

    url: str
    key: rsa.RSAPrivateKey
    kid: str = "key-1"

    @property
    def token_url(self) -> str:
        return f"{self.url}/oauth/token"

    def sign(self, **claims: Any) -> str:
        now = int(time.time())
        payload = {"iss": self.url, "aud": AUDIENCE, "sub": CLIENT_ID, "iat": now, "exp": now + 300}
        payload.update(claims)
        payload = {name: value for name, value in payload.items() if value is not None}
        return jwt.encode(payload, self.key, algorithm="RS256", headers={"kid": self.kid})


def _issuer_handler(issuer: Issuer) -> type[BaseHTTPRequestHandler]:
    public = jwt.algorithms.RSAAlgorithm.to_jwk(issuer.key.public_key(), as_dict=True)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _json(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if self.path == "/.well-known/openid-configuration":
                self._json(
                    200,
                    {
                        "issuer": issuer.url,
                        "jwks_uri": f"{issuer.url}/jwks",
                        "token_endpoint": issuer.token_url,
                    },
                )
            elif self.path == "/jwks":
                self._json(200, {"keys": [{**public, "kid": issuer.kid, "use": "sig", "alg": "RS256"}]})
            else:
                self._json(404, {"error": "not_found"})

        def do_POST(self) -> None:
            form = {
                k: v[0]
                for k, v in parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode()).items()
            }
            client_id, client_secret = form.get("client_id"), form.get("client_secret")
            basic = self.headers.get("Authorization", "")
            if basic.startswith("Basic "):
                client_id, _, client_secret = base64.b64decode(basic[6:]).decode().partition(":")
            if form.get("grant_type") != "client_credentials" or (client_id, client_secret) != (
                CLIENT_ID,
                CLIENT_SECRET,
            ):
                self._json(401, {"error": "invalid_client"})
                return
            token = issuer.sign(aud=form.get("audience") or None)
            self._json(200, {"access_token": token, "token_type": "Bearer", "expires_in": 300})

    return Handler


@pytest.fixture(scope="module")
def issuer() -> Iterator[Issuer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    found = Issuer(f"http://127.0.0.1:{server.server_address[1]}", rsa_key())
    server.RequestHandlerClass = _issuer_handler(found)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield found
    server.shutdown()
    server.server_close()


@dataclass
class Certificate:
    cert_file: Path
    key_file: Path
    pem: bytes


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    """A self-signed certificate for localhost and 127.0.0.1."""
    key = rsa_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    pem = cert.public_bytes(serialization.Encoding.PEM)
    (folder / "cert.pem").write_bytes(pem)
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return Certificate(folder / "cert.pem", folder / "key.pem", pem)


@contextlib.asynccontextmanager
async def running(tmp_path: Path, security: Security | None) -> AsyncIterator[RunningEngine]:
    engine = await start_engine(
        f"sqlite:///{tmp_path / 'engine.db'}",
        "127.0.0.1:0",
        rest_address="127.0.0.1:0",
        security=security,
    )
    try:
        yield engine
    finally:
        await engine.stop(grace=0)


class BearerToken(grpc.AuthMetadataPlugin):
    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, context: grpc.AuthMetadataContext, callback: grpc.AuthMetadataPluginCallback) -> None:
        callback((("authorization", f"Bearer {self.token}"),), None)


def token_channel(address: str, token: str, root_certificates: bytes | None = None) -> grpc.aio.Channel:
    """pyzeebe's secure channel carrying a static bearer token: over TLS, or in clear on loopback
    (gRPC sends call credentials over local connections too)."""
    transport = (
        grpc.ssl_channel_credentials(root_certificates)
        if root_certificates is not None
        else grpc.local_channel_credentials()
    )
    credentials = grpc.composite_channel_credentials(
        transport, grpc.metadata_call_credentials(BearerToken(token))
    )
    return create_secure_channel(address, channel_credentials=credentials)


async def refused(call: Any) -> str:
    """Await a pyzeebe or gRPC call that must be refused as UNAUTHENTICATED; returns the details."""
    try:
        await call
    except ZeebeError as error:
        assert error.grpc_error.code() == grpc.StatusCode.UNAUTHENTICATED, error
        return str(error.grpc_error.details())
    except grpc.aio.AioRpcError as error:
        assert error.code() == grpc.StatusCode.UNAUTHENTICATED, error
        return str(error.details())
    raise AssertionError("the call succeeded without a valid token")


async def health(channel: grpc.aio.Channel) -> int:
    answer = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
    return int(answer.status)


def address(engine: RunningEngine) -> str:
    return f"127.0.0.1:{engine.port}"


def rest_url(engine: RunningEngine, scheme: str = "http") -> str:
    return f"{scheme}://127.0.0.1:{engine.rest_port}/v2"


async def deploy_and_start(client: ZeebeClient, tmp_path: Path, process_id: str) -> int:
    path = tmp_path / f"{process_id}.bpmn"
    path.write_text(one_task(process_id, f"{process_id}-job").xml())
    await client.deploy_resource(str(path))
    return int((await client.run_process(process_id)).process_instance_key)


# -------------------------------------------------------------------------------------- tests


async def test_without_authentication_loopback_serves_anyone(tmp_path: Path) -> None:
    async with running(tmp_path, None) as engine:
        channel = create_insecure_channel(address(engine))
        topology = await ZeebeClient(channel).topology()
        assert topology.brokers
        await channel.close()
        async with httpx.AsyncClient() as http:
            assert (await http.get(f"{rest_url(engine)}/topology")).status_code == 200


async def test_a_static_token_is_required_by_the_gateway_and_the_rest_api(tmp_path: Path) -> None:
    security = configure(addresses=["127.0.0.1:0"], token=TOKEN)
    async with running(tmp_path, security) as engine:
        anonymous = create_insecure_channel(address(engine))
        assert "no bearer token" in await refused(ZeebeClient(anonymous).topology())
        # A server-streaming call (job activation) is refused the same way.
        request = pb.ActivateJobsRequest(type="t", worker="w", timeout=1000, maxJobsToActivate=1)
        assert await refused(_drain(GatewayStub(anonymous).ActivateJobs(request)))
        # Probes need no token.
        assert await health(anonymous) == health_pb2.HealthCheckResponse.SERVING
        await anonymous.close()

        wrong = token_channel(address(engine), secrets.token_urlsafe(32))
        assert "not valid" in await refused(ZeebeClient(wrong).topology())
        await wrong.close()

        channel = token_channel(address(engine), TOKEN)
        client = ZeebeClient(channel)
        key = await deploy_and_start(client, tmp_path, "token-process")
        [job] = await activate(GatewayStub(channel), "token-process-job")
        assert job.processInstanceKey == key
        await channel.close()

        async with httpx.AsyncClient(base_url=rest_url(engine)) as http:
            missing = await http.get("/topology")
            assert missing.status_code == 401
            assert missing.headers["content-type"] == "application/problem+json"
            assert missing.headers["www-authenticate"] == 'Bearer realm="minsheng"'
            assert missing.json()["status"] == 401 and "no bearer token" in missing.json()["detail"]
            bad = await http.get("/topology", headers={"Authorization": "Bearer nope"})
            assert bad.status_code == 401 and 'error="invalid_token"' in bad.headers["www-authenticate"]
            basic = await http.get("/topology", headers={"Authorization": "Basic dXNlcjpwdw=="})
            assert basic.status_code == 401
            good = await http.get(f"/process-instances/{key}", headers={"Authorization": f"Bearer {TOKEN}"})
            assert good.status_code == 200 and good.json()["processDefinitionId"] == "token-process"
            # The API's description is public, and says how to authenticate.
            description = (await http.get("/openapi.json")).json()
            assert "HTTPBearer" in description["components"]["securitySchemes"]


async def _drain(call: Any) -> None:
    async for _ in call:
        pass


async def test_pyzeebe_oauth2_client_credentials_end_to_end(
    tmp_path: Path, issuer: Issuer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # oauthlib insists on https for the token endpoint; the stand-in issuer speaks http on loopback.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    # No JWKS address: the engine finds it in the issuer's OpenID configuration.
    security = configure(addresses=["127.0.0.1:0"], oauth_issuer=issuer.url, oauth_audience=AUDIENCE)
    async with running(tmp_path, security) as engine:
        channel = create_oauth2_client_credentials_channel(
            grpc_address=address(engine),
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            authorization_server=issuer.token_url,
            audience=AUDIENCE,
            channel_credentials=grpc.local_channel_credentials(),
        )
        client = ZeebeClient(channel)
        key = await deploy_and_start(client, tmp_path, "oauth-process")
        gateway = GatewayStub(channel)
        [job] = await activate(gateway, "oauth-process-job")
        await gateway.CompleteJob(pb.CompleteJobRequest(jobKey=job.key, variables="{}"))
        await channel.close()

        other_audience = token_channel(address(engine), issuer.sign(aud="operate-api"))
        assert "audience" in await refused(ZeebeClient(other_audience).topology())
        await other_audience.close()

        async with httpx.AsyncClient(base_url=rest_url(engine)) as http:

            async def status(token: str) -> tuple[int, str]:
                answer = await http.get(
                    f"/process-instances/{key}", headers={"Authorization": f"Bearer {token}"}
                )
                return answer.status_code, answer.text

            assert (await status(issuer.sign()))[0] == 200
            code, text = await status(issuer.sign(exp=int(time.time()) - 120))
            assert code == 401 and "expired" in text
            code, text = await status(issuer.sign(iss="https://elsewhere.example"))
            assert code == 401 and "not issued by" in text
            assert (await status(issuer.sign(exp=None)))[0] == 401
            forged = Issuer(issuer.url, rsa_key())
            assert (await status(forged.sign()))[0] == 401
            # Symmetric algorithms are refused whatever the secret (no algorithm confusion).
            hmac_token = jwt.encode(
                {"iss": issuer.url, "aud": AUDIENCE, "exp": int(time.time()) + 60},
                secrets.token_bytes(32),
                algorithm="HS256",
                headers={"kid": issuer.kid},
            )
            assert (await status(hmac_token))[0] == 401


async def test_tls_on_both_listeners(tmp_path: Path, certificate: Certificate) -> None:
    security = configure(
        addresses=["127.0.0.1:0"],
        token=TOKEN,
        tls_cert=str(certificate.cert_file),
        tls_key=str(certificate.key_file),
    )
    async with running(tmp_path, security) as engine:
        channel = token_channel(f"localhost:{engine.port}", TOKEN, root_certificates=certificate.pem)
        assert (await ZeebeClient(channel).topology()).brokers
        await channel.close()

        plaintext = create_insecure_channel(address(engine))
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await health(plaintext)
        assert raised.value.code() == grpc.StatusCode.UNAVAILABLE
        await plaintext.close()

        trusted = ssl.create_default_context(cafile=str(certificate.cert_file))
        async with httpx.AsyncClient(base_url=rest_url(engine, "https"), verify=trusted) as http:
            assert (await http.get("/topology")).status_code == 401
            answer = await http.get("/topology", headers={"Authorization": f"Bearer {TOKEN}"})
            assert answer.status_code == 200
        async with httpx.AsyncClient(base_url=rest_url(engine, "https")) as untrusting:
            with pytest.raises(httpx.ConnectError):
                await untrusting.get("/topology")


def test_listening_beyond_loopback_without_authentication_is_refused() -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MINSHENG_")}
    finished = subprocess.run(
        [sys.executable, "-m", "engine", "--gateway-address", "0.0.0.0:0", "--rest-address", ""],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
    )
    assert finished.returncode == 2
    assert "refusing to listen on 0.0.0.0:0 without authentication" in finished.stderr
    assert "--auth-token" in finished.stderr


@pytest.mark.parametrize("exposed", ["0.0.0.0:26500", "[::]:26500", ":26500", "engine.example.org:26500"])
def test_every_address_beyond_loopback_needs_authentication(exposed: str) -> None:
    with pytest.raises(SecurityError, match="without authentication"):
        configure(addresses=["127.0.0.1:26500", exposed])
    assert configure(addresses=[exposed], token=TOKEN).authenticator is not None


@pytest.mark.parametrize("local", ["127.0.0.1:26500", "localhost:8080", "[::1]:26500", "127.0.0.2:1"])
def test_loopback_needs_no_authentication(local: str) -> None:
    assert configure(addresses=[local]).authenticator is None


@pytest.mark.parametrize(
    "placeholder",
    ["", "changeme", "secret", "demo", "password", "Password123", "short-token", "changeme-in-production"],
)
def test_placeholder_tokens_are_refused_outside_development(placeholder: str) -> None:
    assert placeholder_problem(placeholder) is not None
    with pytest.raises(SecurityError, match=r"--auth-token \(MINSHENG_ENGINE_TOKEN\)"):
        configure(addresses=["127.0.0.1:0"], token=placeholder)
    assert configure(addresses=["127.0.0.1:0"], token=placeholder, development=True).authenticator


def test_a_random_token_is_no_placeholder() -> None:
    assert placeholder_problem(secrets.token_hex(16)) is None
    assert placeholder_problem(TOKEN) is None


def test_inconsistent_options_are_refused(tmp_path: Path, certificate: Certificate) -> None:
    with pytest.raises(SecurityError, match="--oauth-audience"):
        configure(addresses=["127.0.0.1:0"], oauth_issuer="https://id.example/realms/camunda")
    with pytest.raises(SecurityError, match="need --oauth-issuer"):
        configure(addresses=["127.0.0.1:0"], oauth_audience=AUDIENCE)
    with pytest.raises(SecurityError, match="must be an https URL"):
        configure(
            addresses=["127.0.0.1:0"], oauth_issuer="http://id.example/realms/c", oauth_audience=AUDIENCE
        )
    with pytest.raises(SecurityError, match="both --tls-cert and --tls-key"):
        configure(addresses=["127.0.0.1:0"], tls_cert=str(certificate.cert_file))
    with pytest.raises(SecurityError, match="not a PEM certificate and its key"):
        Tls.load(certificate.cert_file, certificate.cert_file)
    with pytest.raises(SecurityError, match="cannot read"):
        Tls.load(tmp_path / "missing.pem", certificate.key_file)


async def test_a_verified_token_is_not_verified_again(issuer: Issuer) -> None:
    verifier = OAuthVerifier(issuer.url, AUDIENCE, f"{issuer.url}/jwks")
    calls = 0
    verify = verifier.verify

    def counting(token: str) -> dict[str, Any]:
        nonlocal calls
        calls += 1
        return verify(token)

    verifier.verify = counting  # type: ignore[method-assign]
    authenticator = Authenticator(oauth=verifier)
    token = issuer.sign()
    for _ in range(3):
        await authenticator.authenticate(f"Bearer {token}")
    assert calls == 1


# ------------------------------------------------------------------------------------ workers


@pytest.fixture
def worker_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in list(os.environ):
        if name.startswith(("ZEEBE_", "CAMUNDA_", "MINSHENG_")):
            monkeypatch.delenv(name)
    return monkeypatch


def test_workers_refuse_a_placeholder_client_secret_outside_development(
    worker_environment: pytest.MonkeyPatch,
) -> None:
    worker_environment.setenv("ZEEBE_CLIENT_ID", CLIENT_ID)
    worker_environment.setenv("ZEEBE_AUTHORIZATION_SERVER_URL", "https://id.example/token")
    worker_environment.setenv("ZEEBE_CLIENT_SECRET", "changeme")
    with pytest.raises(SettingsError, match="ZEEBE_CLIENT_SECRET is a well-known placeholder") as raised:
        load_settings()
    assert "changeme" not in str(raised.value)
    worker_environment.setenv("MINSHENG_ENV", "development")
    assert load_settings().zeebe_client_secret is not None


def test_workers_refuse_a_placeholder_ledger_key_outside_development(
    worker_environment: pytest.MonkeyPatch,
) -> None:
    worker_environment.setenv("MINSHENG_LEDGER_KEY", base64.urlsafe_b64encode(bytes(32)).decode())
    with pytest.raises(SettingsError, match="MINSHENG_LEDGER_KEY is not random"):
        load_settings()
    worker_environment.setenv("MINSHENG_LEDGER_KEY", base64.urlsafe_b64encode(os.urandom(32)).decode())
    assert load_settings().ledger_key is not None


async def test_workers_send_the_engines_static_token(
    tmp_path: Path, worker_environment: pytest.MonkeyPatch
) -> None:
    security = configure(addresses=["127.0.0.1:0"], token=TOKEN)
    async with running(tmp_path, security) as engine:
        worker_environment.setenv("ZEEBE_ADDRESS", address(engine))
        worker_environment.setenv("MINSHENG_ENGINE_TOKEN", TOKEN)
        channel = create_channel(Settings())
        assert (await ZeebeClient(channel).topology()).brokers
        await channel.close()
