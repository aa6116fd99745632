"""The adapter of a platform of `config/upstream.toml`, chosen by its kind, with its secret from the
environment (MINSHENG_UPSTREAM_SECRETS)."""

from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager

from workers.settings import Settings
from workers.upstream.adapter import UpstreamPlatform, UpstreamRefused
from workers.upstream.email import EmailUpstream
from workers.upstream.http_json import HttpJsonUpstream
from workers.upstream_policy import EmailPlatform, UpstreamPolicy


@asynccontextmanager
async def open_platform(
    key: str, policy: UpstreamPolicy, categories: Collection[str], settings: Settings
) -> AsyncIterator[UpstreamPlatform]:
    """The adapter of platform `key`, open for the `async with` block; KeyError if there is none."""
    platform = policy.platforms[key]
    secret = settings.upstream_secrets.get(key)
    if isinstance(platform, EmailPlatform):
        if secret is None:
            # A mailbox cannot be read without logging in; a person must set the password.
            raise UpstreamRefused(
                key, "login", None, f"no password: set it in MINSHENG_UPSTREAM_SECRETS under {key!r}"
            )
        async with EmailUpstream(key, platform, categories, secret) as upstream:
            yield upstream
    else:
        async with HttpJsonUpstream(key, platform, categories, secret) as http:
            yield http
