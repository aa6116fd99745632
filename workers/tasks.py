"""Registering async job handlers on a router with the options every Minsheng task shares."""

from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from pyzeebe import ZeebeTaskRouter

from workers.settings import TaskOptions

Handler = TypeVar("Handler", bound=Callable[..., Awaitable[dict[str, Any]]])


def job_handler(
    router: ZeebeTaskRouter,
    job_type: str,
    options: TaskOptions,
    variables_to_fetch: Iterable[str] | None = None,
) -> Callable[[Handler], Handler]:
    """`router.task(job_type, **options)`, typed. pyzeebe infers the variables to fetch from the
    handler's parameter names, as with its own decorator, unless `variables_to_fetch` names them
    (for a handler that takes `**variables`)."""

    def register(handler: Handler) -> Handler:
        # mypy cannot solve pyzeebe's decorator type (a union of sync and async callables) for a
        # coroutine function, so the one ignore lives here instead of on every handler.
        router.task(job_type, variables_to_fetch=variables_to_fetch, **options)(handler)  # type: ignore[arg-type]
        return handler

    return register
