"""Writing committed batches to the database and reading the live state back after a restart."""

from __future__ import annotations

import json
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import DataError, IntegrityError

from engine.jsoncodec import dumps
from engine.runtime.entities import (
    ENTITY_TYPES,
    ElementInstance,
    ElementState,
    Job,
    JobState,
    Kind,
    Message,
    ScopeVariables,
    UserTask,
    UserTaskState,
    Variable,
    entity_fields,
)
from engine.runtime.records import Record, ValueType
from engine.runtime.state import TOMBSTONE
from engine.store import projections
from engine.store.database import Ownership, meta_table, records_table, state_table

_LAST_KEY = "last_key"
_LAST_POSITION = "last_position"
_PAGE = 1000


_SCALARS = frozenset({int, str, bool, float, type(None)})


def _encode_value(value: Any) -> Any:
    # Most fields are plain scalars: answered before the isinstance checks (every batch, every field).
    if type(value) in _SCALARS:
        return value
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, dict):
        return {name: _encode_value(item) for name, item in value.items()}
    if isinstance(value, Variable):
        return [value.key, value.value]
    return value


def encode_entity(entity: Any) -> str:
    return dumps({name: _encode_value(getattr(entity, name)) for name in entity_fields(type(entity))})


def decode_entity(kind: Kind, data: str) -> Any:
    fields = json.loads(data)
    if kind is Kind.ELEMENT:
        fields["state"] = ElementState(fields["state"])
        if fields["collection"] is not None:
            fields["collection"] = tuple(fields["collection"])
        fields["joins"] = tuple(
            (gateway, tuple((flow, count) for flow, count in tokens)) for gateway, tokens in fields["joins"]
        )
        return ElementInstance(**fields)
    if kind is Kind.JOB:
        fields["state"] = JobState(fields["state"])
        return Job(**fields)
    if kind is Kind.MESSAGE:
        fields["correlated_processes"] = frozenset(fields["correlated_processes"])
        return Message(**fields)
    if kind is Kind.USER_TASK:
        fields["state"] = UserTaskState(fields["state"])
        fields["candidate_groups"] = tuple(fields["candidate_groups"])
        fields["candidate_users"] = tuple(fields["candidate_users"])
        return UserTask(**fields)
    if kind is Kind.VARIABLES:
        fields["variables"] = {
            name: Variable(key, value) for name, (key, value) in fields["variables"].items()
        }
        return ScopeVariables(**fields)
    return ENTITY_TYPES[kind](**fields)


class RefusedBatch(Exception):
    """The database refused a batch for what it holds (a value too long, a character it cannot
    store): writing it again would fail the same way, unlike a lost connection."""


@dataclass
class LoadedState:
    entities: dict[Kind, list[Any]]
    last_key: int
    last_position: int


class Repository:
    def __init__(self, engine: Engine, ownership: Ownership | None = None) -> None:
        self.engine = engine
        # Confirmed before every write: a write without it could interleave with another engine's.
        self._ownership = ownership
        mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"

        def marks(count: int) -> str:
            return ", ".join([mark] * count)

        self._sql = {
            "delete_state": f"DELETE FROM {state_table.name} WHERE kind = {mark} AND key = {mark}",
            "insert_state": f"INSERT INTO {state_table.name} (kind, key, data) VALUES ({marks(3)})",
            "insert_record": (
                f"INSERT INTO {records_table.name} (position, record_key, timestamp, value_type, intent, "
                f"process_instance_key, value) VALUES ({marks(7)})"
            ),
            "update_meta": f"UPDATE {meta_table.name} SET value = {mark} WHERE name = {mark}",
        }
        with engine.begin() as connection:
            present = {row[0] for row in connection.execute(select(meta_table.c.name))}
            for name in (_LAST_KEY, _LAST_POSITION):
                if name not in present:
                    connection.execute(meta_table.insert().values(name=name, value=0))

    def load(self) -> LoadedState:
        entities: dict[Kind, list[Any]] = {kind: [] for kind in Kind}
        with self.engine.connect() as connection:
            for kind, data in connection.execute(select(state_table.c.kind, state_table.c.data)):
                entities[Kind(kind)].append(decode_entity(Kind(kind), data))
            counters = {
                name: value
                for name, value in connection.execute(select(meta_table.c.name, meta_table.c.value))
            }
        return LoadedState(entities, counters.get(_LAST_KEY, 0), counters.get(_LAST_POSITION, 0))

    def stored_position(self) -> int:
        """The log position of the last committed batch: after a write whose answer was lost, it
        tells whether that batch was committed."""
        with self.engine.connect() as connection:
            query = select(meta_table.c.value).where(meta_table.c.name == _LAST_POSITION)
            return int(connection.execute(query).scalar() or 0)

    def write(
        self,
        changes: Iterable[tuple[str, Hashable, Any, bool]],
        records: list[Record],
        last_key: int,
        last_position: int,
    ) -> None:
        """Write one batch in one transaction: entity changes, new records and the counters.

        `changes` are (kind, key, entity or TOMBSTONE, whether a row for it is stored already);
        only stored rows are deleted before the new ones are inserted.
        Rows go straight to the driver's executemany: this is the engine's hot path, and the
        statements are fixed, so SQLAlchemy's per-row parameter processing buys nothing here.
        Raises `RefusedBatch` when the database refuses the values themselves, and `DatabaseInUse`
        when another engine took the database; anything else (a lost connection, a lock, a
        conflict) may go away and is raised as it came.
        """
        if self._ownership is not None:
            self._ownership.confirm()
        removed: list[tuple[str, Any]] = []
        stored: list[tuple[str, Any, str]] = []
        for kind, key, entity, existed in changes:
            if existed:
                removed.append((str(kind), key))
            if entity is not TOMBSTONE:
                stored.append((str(kind), key, encode_entity(entity)))
        rows = [
            (
                record.position,
                record.key,
                record.timestamp,
                str(record.value_type),
                record.intent,
                record.process_instance_key,
                dumps(record.value),
            )
            for record in records
        ]
        try:
            with self.engine.begin() as connection:
                if removed:
                    connection.exec_driver_sql(self._sql["delete_state"], removed)
                if stored:
                    connection.exec_driver_sql(self._sql["insert_state"], stored)
                if rows:
                    connection.exec_driver_sql(self._sql["insert_record"], rows)
                    projections.apply(connection, records)
                connection.exec_driver_sql(
                    self._sql["update_meta"], [(last_key, _LAST_KEY), (last_position, _LAST_POSITION)]
                )
        except (DataError, IntegrityError) as error:
            reasons = projections.oversized(records) or [str(error.orig).strip()]
            raise RefusedBatch("; ".join(reasons)) from error

    def records_of(self, process_instance_key: int) -> list[Record]:
        """Every record of one process instance, in log order."""
        found: list[Record] = []
        while True:
            page = self.records(process_instance_key, after=found[-1].position if found else 0)
            found.extend(page)
            if len(page) < _PAGE:
                return found

    def records(
        self, process_instance_key: int | None = None, after: int = 0, limit: int = _PAGE
    ) -> list[Record]:
        query = select(records_table).where(records_table.c.position > after)
        if process_instance_key is not None:
            query = query.where(records_table.c.process_instance_key == process_instance_key)
        query = query.order_by(records_table.c.position).limit(limit)
        with self.engine.connect() as connection:
            return [
                Record(
                    row.position,
                    row.record_key,
                    row.timestamp,
                    ValueType(row.value_type),
                    row.intent,
                    row.process_instance_key,
                    json.loads(row.value),
                )
                for row in connection.execute(query)
            ]
