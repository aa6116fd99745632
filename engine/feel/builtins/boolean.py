"""Boolean functions: ``not``, ``is defined``, ``get or else``."""

from __future__ import annotations

from typing import Any

from ..scope import Run
from .registry import builtin


@builtin("not(negand: boolean|null)")
def negation(run: Run, value: bool | None) -> bool | None:
    return None if value is None else not value


@builtin("is defined(value: any)")
def is_defined(run: Run, value: Any) -> bool:
    return value is not None


@builtin("get or else(value: any, default: any)")
def get_or_else(run: Run, value: Any, default: Any) -> Any:
    return default if value is None else value
