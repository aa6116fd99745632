"""JSON text for the hot paths (the record log, entity rows, variables on the wire).

orjson writes it an order of magnitude faster than the standard library; the standard library
stays as the fallback for what orjson refuses (integers beyond 64 bits from a client's document).
"""

from __future__ import annotations

import json
from typing import Any

import orjson

_fallback = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def dumps(value: Any) -> str:
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return _fallback(value)
