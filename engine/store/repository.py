"""Writing committed batches to the database and reading the live state back after a restart."""

from __future__ import annotations

import json
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, bindparam, delete, select

from engine.runtime.entities import (
    ENTITY_TYPES,
    ElementInstance,
    ElementState,
    Job,
    JobState,
    Kind,
    Message,
    ScopeVariables,
    Variable,
    entity_fields,
)
from engine.runtime.records import Record, ValueType
from engine.runtime.state import TOMBSTONE
from engine.store.database import meta_table, records_table, state_table

_LAST_KEY = "last_key"
_LAST_POSITION = "last_position"
_PAGE = 1000


def _encode_value(value: Any) -> Any:
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, dict):
        return {name: _encode_value(item) for name, item in value.items()}
    if isinstance(value, Variable):
        return [value.key, value.value]
    return value


def encode_entity(entity: Any) -> str:
    return json.dumps(
        {name: _encode_value(getattr(entity, name)) for name in entity_fields(type(entity))},
        ensure_ascii=False,
        separators=(",", ":"),
    )


def decode_entity(kind: Kind, data: str) -> Any:
    fields = json.loads(data)
    if kind is Kind.ELEMENT:
        fields["state"] = ElementState(fields["state"])
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
    if kind is Kind.VARIABLES:
        fields["variables"] = {
            name: Variable(key, value) for name, (key, value) in fields["variables"].items()
        }
        return ScopeVariables(**fields)
    return ENTITY_TYPES[kind](**fields)


@dataclass
class LoadedState:
    entities: dict[Kind, list[Any]]
    last_key: int | None
    last_position: int


class Repository:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def load(self) -> LoadedState:
        entities: dict[Kind, list[Any]] = {kind: [] for kind in Kind}
        with self.engine.connect() as connection:
            for kind, data in connection.execute(select(state_table.c.kind, state_table.c.data)):
                entities[Kind(kind)].append(decode_entity(Kind(kind), data))
            counters = {
                name: value
                for name, value in connection.execute(select(meta_table.c.name, meta_table.c.value))
            }
        return LoadedState(entities, counters.get(_LAST_KEY), counters.get(_LAST_POSITION, 0))

    def write(
        self,
        changes: Iterable[tuple[str, Hashable, Any]],
        records: list[Record],
        last_key: int,
        last_position: int,
    ) -> None:
        """Write one batch in one transaction: entity changes, new records and the counters."""
        removed: list[dict[str, Any]] = []
        stored: list[dict[str, Any]] = []
        for kind, key, entity in changes:
            removed.append({"k": str(kind), "i": key})
            if entity is not TOMBSTONE:
                stored.append({"kind": str(kind), "key": key, "data": encode_entity(entity)})
        with self.engine.begin() as connection:
            if removed:
                connection.execute(
                    delete(state_table).where(
                        state_table.c.kind == bindparam("k"), state_table.c.key == bindparam("i")
                    ),
                    removed,
                )
            if stored:
                connection.execute(state_table.insert(), stored)
            if records:
                connection.execute(
                    records_table.insert(),
                    [
                        {
                            "position": record.position,
                            "record_key": record.key,
                            "timestamp": record.timestamp,
                            "value_type": str(record.value_type),
                            "intent": record.intent,
                            "process_instance_key": record.process_instance_key,
                            "value": json.dumps(record.value, ensure_ascii=False, separators=(",", ":")),
                        }
                        for record in records
                    ],
                )
            connection.execute(delete(meta_table))
            connection.execute(
                meta_table.insert(),
                [{"name": _LAST_KEY, "value": last_key}, {"name": _LAST_POSITION, "value": last_position}],
            )

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
