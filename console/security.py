"""Passwords, sessions, CSRF tokens and sign-in throttling.

A session is a signed, timestamped cookie (itsdangerous) holding the username and the session's
CSRF token; nothing is kept on the server, so console processes can be scaled out behind a balancer
with one shared key. Every state-changing request must carry the CSRF token of its session (a form
field or the `X-CSRF-Token` header); the cookie is SameSite=Lax and HttpOnly besides.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeTimedSerializer

SESSION_COOKIE = "minsheng_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"

# Sign-in throttling: after this many failures in the window (per username, and per client address
# for guessing across usernames) further attempts are refused until the window has passed.
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_CLIENT = 20
MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()
# Verified against when the username is unknown, so that the answer takes as long either way.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@dataclass(frozen=True)
class SessionData:
    username: str
    csrf_token: str


class Sessions:
    def __init__(self, key: str, max_age: timedelta) -> None:
        self._serializer = URLSafeTimedSerializer(key, salt="minsheng-console-session")
        self.max_age = max_age

    def issue(self, username: str) -> str:
        return self._serializer.dumps({"u": username, "c": secrets.token_urlsafe(24)})

    def read(self, cookie: str | None) -> SessionData | None:
        if not cookie:
            return None
        try:
            data = self._serializer.loads(cookie, max_age=int(self.max_age.total_seconds()))
        except BadSignature:
            return None
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("u"), str)
            or not isinstance(data.get("c"), str)
        ):
            return None
        return SessionData(data["u"], data["c"])


def csrf_matches(session: SessionData, given: str | None) -> bool:
    return given is not None and hmac.compare_digest(session.csrf_token.encode(), given.encode())
