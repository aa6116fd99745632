"""Camunda's search filters, sorting and paging, as SQL over the projection tables.

A filter property is either a plain value (equality) or an object of operators (`$eq`, `$neq`,
`$exists`, `$in`, `$notIn`, `$like`, `$gt`, `$gte`, `$lt`, `$lte`). Dates are compared as epoch
milliseconds, keys as numbers. Cursors are opaque strings that encode an offset.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, not_, or_, select, true
from sqlalchemy.sql.elements import ColumnElement as Column

from engine.api.problems import bad_request
from engine.api.schemas import (
    AdvancedDateTimeFilter,
    AdvancedIntegerFilter,
    AdvancedKeyFilter,
    AdvancedStringFilter,
    DateTimeFilter,
    IntegerFilter,
    KeyFilter,
    PageRequest,
    PageResponse,
    StringFilter,
)

Condition = ColumnElement[bool]


# ------------------------------------------------------------------------------------------------ values


def parse_key(text: str, what: str = "key") -> int:
    """A key given as a string; anything but a (64-bit) number is a bad request."""
    try:
        key = int(text)
    except (TypeError, ValueError):
        raise bad_request(
            f"The provided {what} '{text}' is not a valid key. Expected a numeric value."
        ) from None
    if not -(2**63) <= key < 2**63:
        raise bad_request(f"The provided {what} '{text}' is not a valid key. Expected a 64-bit number.")
    return key


def epoch_ms(value: datetime) -> int:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp() * 1000)


def iso(ms: int | None) -> str | None:
    """Epoch milliseconds as Camunda writes dates: ISO 8601 with milliseconds and offset."""
    if ms is None:
        return None
    moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def key_text(key: int | None) -> str | None:
    return None if key is None else str(key)


def _like_pattern(pattern: str) -> str:
    """Camunda's `$like` wildcards (`*`, `?`, backslash escapes) as an SQL LIKE pattern (escape `\\`)."""
    out: list[str] = []
    escaped = False
    for char in pattern:
        if escaped:
            out.append("\\" + char if char in "%_\\" else char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "*":
            out.append("%")
        elif char == "?":
            out.append("_")
        elif char in "%_":
            out.append("\\" + char)
        else:
            out.append(char)
    if escaped:
        out.append("\\\\")
    return "".join(out)


def _exists(column: Column[Any], exists: bool | None) -> list[Condition]:
    if exists is None:
        return []
    return [column.is_not(None) if exists else column.is_(None)]


def string_condition(column: Column[Any], spec: StringFilter | None) -> Condition | None:
    if spec is None:
        return None
    if isinstance(spec, str):
        return column == spec
    return _string_ops(column, spec)


def _string_ops(column: Column[Any], spec: AdvancedStringFilter) -> Condition:
    parts = _exists(column, spec.exists)
    if spec.eq is not None:
        parts.append(column == spec.eq)
    if spec.neq is not None:
        parts.append(or_(column != spec.neq, column.is_(None)))
    if spec.in_ is not None:
        parts.append(column.in_(spec.in_) if spec.in_ else false())
    if spec.not_in:
        parts.append(or_(column.not_in(spec.not_in), column.is_(None)))
    if spec.like is not None:
        parts.append(column.like(_like_pattern(spec.like), escape="\\"))
    return and_(true(), *parts)


def python_string_match(value: str | None, spec: StringFilter | None) -> bool:
    """The same string filter over a value in memory (process definitions live in memory)."""
    if spec is None:
        return True
    if isinstance(spec, str):
        return value == spec
    if spec.exists is not None and (value is not None) != spec.exists:
        return False
    if spec.eq is not None and value != spec.eq:
        return False
    if spec.neq is not None and value == spec.neq:
        return False
    if spec.in_ is not None and value not in spec.in_:
        return False
    if spec.not_in and value in spec.not_in:
        return False
    if spec.like is not None:
        import fnmatch

        if value is None or not fnmatch.fnmatchcase(value, spec.like.replace("[", "[[]")):
            return False
    return True


def _int64(value: int) -> int:
    """A number compared with a column: beyond 64 bits no database takes it as a parameter."""
    if not -(2**63) <= value < 2**63:
        raise bad_request(f"The value {value} is not a 64-bit number")
    return value


def integer_condition(column: Column[Any], spec: IntegerFilter | None) -> Condition | None:
    if spec is None:
        return None
    if isinstance(spec, int):
        return column == _int64(spec)
    return _ordered_ops(column, spec, _int64)


def date_condition(column: Column[Any], spec: DateTimeFilter | None) -> Condition | None:
    if spec is None:
        return None
    if isinstance(spec, datetime):
        return column == epoch_ms(spec)
    return _ordered_ops(column, spec, epoch_ms)


def _ordered_ops(
    column: Column[Any],
    spec: AdvancedIntegerFilter | AdvancedDateTimeFilter,
    convert: Callable[[Any], int],
) -> Condition:
    parts = _exists(column, spec.exists)
    if spec.eq is not None:
        parts.append(column == convert(spec.eq))
    if spec.neq is not None:
        parts.append(or_(column != convert(spec.neq), column.is_(None)))
    if spec.gt is not None:
        parts.append(column > convert(spec.gt))
    if spec.gte is not None:
        parts.append(column >= convert(spec.gte))
    if spec.lt is not None:
        parts.append(column < convert(spec.lt))
    if spec.lte is not None:
        parts.append(column <= convert(spec.lte))
    if spec.in_ is not None:
        parts.append(column.in_([convert(value) for value in spec.in_]) if spec.in_ else false())
    return and_(true(), *parts)


def key_condition(column: Column[Any], spec: KeyFilter | None, what: str = "key") -> Condition | None:
    if spec is None:
        return None
    if isinstance(spec, str):
        return column == parse_key(spec, what)
    return _key_ops(column, spec, what)


def _key_ops(column: Column[Any], spec: AdvancedKeyFilter, what: str) -> Condition:
    parts = _exists(column, spec.exists)
    if spec.eq is not None:
        parts.append(column == parse_key(spec.eq, what))
    if spec.neq is not None:
        parts.append(or_(column != parse_key(spec.neq, what), column.is_(None)))
    if spec.in_ is not None:
        parts.append(column.in_([parse_key(k, what) for k in spec.in_]) if spec.in_ else false())
    if spec.not_in:
        parts.append(or_(column.not_in([parse_key(k, what) for k in spec.not_in]), column.is_(None)))
    return and_(true(), *parts)


def flag_condition(condition: Condition, wanted: bool | None) -> Condition | None:
    if wanted is None:
        return None
    return condition if wanted else not_(condition)


def tenant_condition(spec: StringFilter | None) -> Condition | None:
    """Everything here belongs to the default tenant."""
    if spec is None:
        return None
    return true() if python_string_match("<default>", spec) else false()


def all_of(conditions: Sequence[Condition | None]) -> list[Condition]:
    return [condition for condition in conditions if condition is not None]


# ------------------------------------------------------------------------------------------------ paging


def _cursor(offset: int) -> str:
    # Standard base64, as Camunda's schema requires of `startCursor` and `endCursor`.
    return base64.b64encode(json.dumps({"offset": offset}).encode()).decode()


def _offset_of(cursor: str) -> int:
    try:
        # Cursors given out before in the URL-safe alphabet are still understood.
        offset = json.loads(base64.b64decode(cursor.encode(), altchars=b"-_"))["offset"]
    except (ValueError, KeyError, TypeError):
        raise bad_request(
            f"The cursor '{cursor}' is not valid: use a startCursor or endCursor as given"
        ) from None
    if not isinstance(offset, int) or not 0 <= offset < 2**63:
        raise bad_request(f"The cursor '{cursor}' is not valid: use a startCursor or endCursor as given")
    return offset


@dataclass(frozen=True)
class Window:
    offset: int
    limit: int


def window(page: PageRequest | None) -> Window:
    if page is None:
        return Window(0, 100)
    options = (("from", page.from_), ("after", page.after), ("before", page.before))
    given = [name for name, value in options if value is not None]
    if len(given) > 1:
        raise bad_request(f"Only one of [from, after, before] may be given, but found {given}")
    if page.after is not None:
        return Window(_offset_of(page.after), page.limit)
    if page.before is not None:
        end = _offset_of(page.before)
        return Window(max(0, end - page.limit), min(page.limit, end))
    return Window(_int64(page.from_ or 0), page.limit)


# Camunda's secondary storage tracks totals up to this many matches and says when there are more
# (`hasMoreTotalItems`); counting every match of a million rows costs far more than one page.
TOTAL_ITEMS_CAP = 10_000


def page_response(counted: int, win: Window, returned: int) -> PageResponse:
    """`counted` is what `run_search` counted: the matches, but at most TOTAL_ITEMS_CAP + 1."""
    total = min(counted, TOTAL_ITEMS_CAP)
    more = counted > TOTAL_ITEMS_CAP
    if returned == 0:
        return PageResponse(totalItems=total, hasMoreTotalItems=more, startCursor=None, endCursor=None)
    return PageResponse(
        totalItems=total,
        hasMoreTotalItems=more,
        startCursor=_cursor(win.offset),
        endCursor=_cursor(win.offset + returned),
    )


# ------------------------------------------------------------------------------------------------ sorting


def order_by(sort: Sequence[Any], columns: Mapping[str, Any], tiebreaker: Column[Any]) -> list[Any]:
    """ORDER BY terms for Camunda's `sort`; the key breaks ties, so pages never overlap."""
    terms: list[Any] = []
    for item in sort:
        column = columns.get(item.field)
        if column is None:
            raise bad_request(f"Sorting by '{item.field}' is not supported by this engine")
        # NULLs last either way, as Camunda's search does.
        terms.append(column.is_(None))
        terms.append(column.desc() if item.order == "DESC" else column.asc())
    terms.append(tiebreaker.asc())
    return terms


def run_search(
    connection: Any, query: Select[Any], conditions: list[Condition], terms: list[Any], win: Window
) -> tuple[int, list[Any]]:
    """The matches counted up to TOTAL_ITEMS_CAP + 1 (for `page_response`), and the window's rows."""
    where = and_(true(), *conditions)
    # The LIMIT inside the counted subquery lets the database stop at the first match past the cap.
    capped = query.where(where).limit(TOTAL_ITEMS_CAP + 1).subquery()
    counted = connection.execute(select(func.count()).select_from(capped)).scalar_one()
    if win.limit == 0:
        return int(counted), []
    rows = connection.execute(query.where(where).order_by(*terms).offset(win.offset).limit(win.limit)).all()
    return int(counted), list(rows)
