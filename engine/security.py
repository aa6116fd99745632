"""Who may talk to the engine: bearer tokens, TLS, and the rules that refuse an unsafe start.

As Camunda 8 does, the gateway (gRPC) and the REST API accept either no authentication, which is
the local default and allowed on loopback addresses only, or bearer tokens in the `authorization`
header (gRPC metadata or HTTP): a static token the operator configured, or OAuth2 access tokens
(JWTs) from a configured issuer, verified against its JWKS, as pyzeebe's
`create_oauth2_client_credentials_channel` and Camunda's SDKs send them. Both listeners take the
same TLS certificate when one is configured.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import json
import logging
import ssl
import time
import urllib.request
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import grpc
import jwt

log = logging.getLogger(__name__)

DEVELOPMENT = "development"

# What examples, tutorials and generated files put where a secret belongs.
PLACEHOLDERS = frozenset(
    {
        "",
        "changeme",
        "changeit",
        "secret",
        "clientsecret",
        "demo",
        "password",
        "passw0rd",
        "token",
        "test",
        "example",
        "default",
        "admin",
        "dev",
        "development",
        "minsheng",
        "zeebe",
        "camunda",
        "xxx",
        "todo",
    }
)
# Found anywhere in a secret, these say it was never replaced ("changeme-in-production-please").
_PLACEHOLDER_WORDS = ("changeme", "changeit", "placeholder", "replaceme", "yoursecret", "example")
MIN_SECRET_LENGTH = 16

# Signatures only: a symmetric algorithm would let anyone holding the public JWKS forge tokens.
_JWT_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
# Clock skew tolerated between the issuer and this machine.
_LEEWAY_S = 30
# Tokens already verified, by digest: clients send the same one for minutes, so the signature is
# checked once per token rather than once per call.
_VERIFIED_CACHE_SIZE = 1024


class SecurityError(Exception):
    """A configuration the engine refuses to start with; the message names the option to change."""


class Unauthenticated(Exception):
    """A request without a valid bearer token; the message says what was wrong, never the token."""

    def __init__(self, message: str, missing: bool = False) -> None:
        super().__init__(message)
        self.missing = missing


def placeholder_problem(secret: str) -> str | None:
    """Why `secret` looks like a placeholder rather than a real secret, or None."""
    folded = "".join(c for c in secret.lower() if c.isalnum())
    if folded.rstrip("0123456789") in PLACEHOLDERS:
        return "is a well-known placeholder"
    if any(word in folded for word in _PLACEHOLDER_WORDS):
        return "looks like a placeholder"
    if len(secret) < MIN_SECRET_LENGTH:
        return f"is shorter than {MIN_SECRET_LENGTH} characters"
    if len(set(secret)) < 6:
        return "has too few distinct characters"
    return None


def is_loopback(host: str) -> bool:
    """Whether `host` (as in an address to listen on or a URL) names this machine only."""
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        # Any other name may resolve to an interface others can reach.
        return False


def listen_host(address: str) -> str:
    return address.rpartition(":")[0] if ":" in address else address


@dataclass(frozen=True)
class Tls:
    """A certificate chain and its private key, PEM, for both listeners."""

    cert_file: Path
    key_file: Path
    cert: bytes
    key: bytes

    @classmethod
    def load(cls, cert_file: Path, key_file: Path) -> Tls:
        try:
            cert, key = cert_file.read_bytes(), key_file.read_bytes()
        except OSError as error:
            raise SecurityError(
                f"--tls-cert/--tls-key: cannot read {error.filename}: {error.strerror}"
            ) from None
        # The pair is checked here, where the error can say which option is wrong; gRPC would only
        # fail the first handshake.
        try:
            ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(cert_file, key_file)
        except (ssl.SSLError, ValueError) as error:
            raise SecurityError(
                f"--tls-cert {cert_file} and --tls-key {key_file} are not a PEM certificate and "
                f"its key: {error}"
            ) from None
        return cls(cert_file, key_file, cert, key)


class OAuthVerifier:
    """OAuth2 access tokens: JWTs signed by the issuer's keys, for this audience, not expired."""

    def __init__(self, issuer: str, audience: str, jwks_url: str | None = None) -> None:
        self.issuer = issuer
        self.audience = audience
        self._jwks_url = jwks_url
        self._client: jwt.PyJWKClient | None = None

    def jwks_client(self) -> jwt.PyJWKClient:
        if self._client is None:
            url = self._jwks_url or self._discover()
            # Keys are cached; an unknown key id makes the client fetch the set again (key rotation).
            self._client = jwt.PyJWKClient(url, cache_keys=True, lifespan=300, timeout=10)
        return self._client

    def _discover(self) -> str:
        """The JWKS address from the issuer's OpenID configuration, as Camunda does without a JWK set URI."""
        url = self.issuer.rstrip("/") + "/.well-known/openid-configuration"
        try:
            with urllib.request.urlopen(url, timeout=10) as answer:
                document: dict[str, Any] = json.load(answer)
            return str(document["jwks_uri"])
        except (OSError, ValueError, KeyError) as error:
            raise Unauthenticated(f"the issuer's keys cannot be found at {url} ({error})") from None

    def verify(self, token: str) -> dict[str, Any]:
        """The token's claims; blocking (it may fetch the issuer's keys)."""
        try:
            key = self.jwks_client().get_signing_key_from_jwt(token)
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=_JWT_ALGORITHMS,
                audience=self.audience,
                issuer=self.issuer,
                leeway=_LEEWAY_S,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("the access token has expired") from None
        except jwt.InvalidAudienceError:
            raise Unauthenticated(f"the access token is not for audience {self.audience!r}") from None
        except jwt.InvalidIssuerError:
            raise Unauthenticated(f"the access token was not issued by {self.issuer}") from None
        except jwt.PyJWKClientConnectionError as error:
            raise Unauthenticated(f"the issuer's keys cannot be fetched ({error})") from None
        except jwt.PyJWTError as error:
            raise Unauthenticated(f"the access token is invalid ({error})") from None
        return claims


class Authenticator:
    """Checks the `authorization` header of a call: a static token, or an OAuth2 access token."""

    def __init__(self, token: str | None = None, oauth: OAuthVerifier | None = None) -> None:
        if token is None and oauth is None:
            raise ValueError("an authenticator needs a token or an OAuth issuer")
        self._token = token.encode() if token is not None else None
        self.oauth = oauth
        # sha256(token) -> expiry (epoch seconds) of OAuth tokens already verified.
        self._verified: OrderedDict[bytes, float] = OrderedDict()

    async def authenticate(self, authorization: str | None) -> None:
        """Return if the header carries a valid bearer token; raise `Unauthenticated` if not."""
        token = self._bearer(authorization)
        if self._token is not None and hmac.compare_digest(token.encode(), self._token):
            return
        if self.oauth is None:
            raise Unauthenticated("the bearer token is not valid")
        digest = hashlib.sha256(token.encode()).digest()
        expiry = self._verified.get(digest)
        if expiry is not None and time.time() < expiry:
            return
        # Off the loop: a key not cached yet means an HTTP request to the issuer.
        claims = await asyncio.to_thread(self.oauth.verify, token)
        self._verified[digest] = float(claims["exp"])
        self._verified.move_to_end(digest)
        while len(self._verified) > _VERIFIED_CACHE_SIZE:
            self._verified.popitem(last=False)

    @staticmethod
    def _bearer(authorization: str | None) -> str:
        if not authorization:
            raise Unauthenticated(
                "no bearer token: send the header 'authorization: Bearer <token>'", missing=True
            )
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("the authorization header is not 'Bearer <token>'")
        return token.strip()


@dataclass(frozen=True)
class Security:
    """What `python -m engine` was told: authentication (None: none) and TLS (None: plaintext)."""

    authenticator: Authenticator | None = None
    tls: Tls | None = None

    @property
    def scheme(self) -> str:
        return "https" if self.tls is not None else "http"


def configure(
    *,
    addresses: list[str],
    token: str | None = None,
    oauth_issuer: str | None = None,
    oauth_audience: str | None = None,
    oauth_jwks_url: str | None = None,
    tls_cert: str | None = None,
    tls_key: str | None = None,
    development: bool = False,
) -> Security:
    """Check the options together and build what the listeners need, or raise `SecurityError`."""
    authenticator: Authenticator | None = None
    oauth: OAuthVerifier | None = None
    if oauth_issuer:
        if not oauth_audience:
            raise SecurityError(
                "--oauth-issuer needs --oauth-audience (MINSHENG_OAUTH_AUDIENCE): the audience the "
                "clients ask their tokens for, e.g. zeebe-api"
            )
        for option, url in (("--oauth-issuer", oauth_issuer), ("--oauth-jwks-url", oauth_jwks_url)):
            if url:
                _check_key_url(option, url, development)
        oauth = OAuthVerifier(oauth_issuer, oauth_audience, oauth_jwks_url or None)
    elif oauth_audience or oauth_jwks_url:
        raise SecurityError(
            "--oauth-audience and --oauth-jwks-url need --oauth-issuer (MINSHENG_OAUTH_ISSUER)"
        )
    if token is not None:
        problem = placeholder_problem(token)
        if problem is not None and not development:
            raise SecurityError(
                f"--auth-token (MINSHENG_ENGINE_TOKEN) {problem}: use a random token of at least "
                f"{MIN_SECRET_LENGTH} characters (e.g. `openssl rand -hex 32`), or --dev "
                f"(MINSHENG_ENV={DEVELOPMENT}) on a development machine"
            )
    if token is not None or oauth is not None:
        authenticator = Authenticator(token, oauth)
    exposed = [address for address in addresses if not is_loopback(listen_host(address))]
    if exposed and authenticator is None:
        raise SecurityError(
            f"refusing to listen on {', '.join(exposed)} without authentication: set --auth-token "
            "(MINSHENG_ENGINE_TOKEN) or --oauth-issuer with --oauth-audience, or listen on 127.0.0.1"
        )
    if bool(tls_cert) != bool(tls_key):
        raise SecurityError("TLS needs both --tls-cert and --tls-key (MINSHENG_TLS_CERT, MINSHENG_TLS_KEY)")
    tls = Tls.load(Path(tls_cert), Path(tls_key)) if tls_cert and tls_key else None
    if exposed and tls is None:
        log.warning(
            "listening on %s with bearer tokens but without TLS: tokens cross the network in clear "
            "text unless a proxy in front adds TLS (--tls-cert, --tls-key)",
            ", ".join(exposed),
        )
    return Security(authenticator, tls)


def _check_key_url(option: str, url: str, development: bool) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SecurityError(f"{option} must be an http(s) URL, got {url!r}")
    # Keys fetched in clear text could be swapped on the way, and then anyone could sign tokens.
    if parts.scheme == "http" and not is_loopback(parts.hostname) and not development:
        raise SecurityError(f"{option} must be an https URL outside development, got {url}")


class BearerToken(grpc.AuthMetadataPlugin):  # type: ignore[misc]
    """A client's call credentials: the same static token in the metadata of every call."""

    def __init__(self, token: str) -> None:
        self._header = (("authorization", f"Bearer {token}"),)

    def __call__(self, context: grpc.AuthMetadataContext, callback: grpc.AuthMetadataPluginCallback) -> None:
        callback(self._header, None)


def client_transport(address: str, root_certificates: bytes | None = None) -> grpc.ChannelCredentials:
    """How a client reaches a gateway that takes tokens: TLS, or plaintext on loopback.

    gRPC sends call credentials (tokens) only over secure channels; it counts a connection to this
    machine as one, so a token-protected engine on 127.0.0.1 needs no certificate.
    """
    host = address.rpartition(":")[0] or address
    if root_certificates is None and is_loopback(host):
        return grpc.local_channel_credentials()
    return grpc.ssl_channel_credentials(root_certificates)


def token_credentials(token: str, transport: grpc.ChannelCredentials) -> grpc.ChannelCredentials:
    return grpc.composite_channel_credentials(transport, grpc.metadata_call_credentials(BearerToken(token)))
