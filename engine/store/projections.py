"""Searchable history: tables that the REST API searches, kept up to date from the record log.

The live state holds only what is running; a task list, a process view and an audit need ended
instances too. These tables are a projection of the record log: `apply` folds one batch's records
into them inside the batch's own transaction (called from `Repository.write`), so they are never
behind or ahead of the log. `catch_up` replays records the projection has not seen yet (a database
written before the projection existed), so it can also be rebuilt by emptying the tables.

Rows are folded in memory first and written with a few `executemany` calls per table: a batch
creates and ends many element instances, and only the final row of each reaches the database.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Engine,
    Index,
    Integer,
    String,
    Table,
    Text,
    func,
    select,
)

from engine.jsoncodec import dumps
from engine.runtime.records import Record, ValueType
from engine.store.database import metadata, records_table

process_instances = Table(
    "proj_process_instances",
    metadata,
    Column("key", BigInteger, primary_key=True, autoincrement=False),
    Column("process_definition_key", BigInteger, nullable=False),
    Column("bpmn_process_id", String(255), nullable=False),
    Column("version", Integer, nullable=False),
    Column("state", String(16), nullable=False),
    Column("start_date", BigInteger, nullable=False),
    Column("end_date", BigInteger, nullable=True),
    Column("incidents", Integer, nullable=False, default=0),
    Column("parent_process_instance_key", BigInteger, nullable=True),
    Column("parent_element_instance_key", BigInteger, nullable=True),
    Index("ix_proj_pi_process", "bpmn_process_id", "version"),
    Index("ix_proj_pi_definition", "process_definition_key"),
    Index("ix_proj_pi_state", "state", "start_date"),
)
# The console's process view lists instances newest first: the search orders by
# (start_date IS NULL, start_date DESC, key) (NULLs last, the key breaking ties), and only an index
# on those very expressions lets a page read its 50 rows instead of sorting every instance.
Index(
    "ix_proj_pi_newest",
    process_instances.c.start_date.is_(None),
    process_instances.c.start_date.desc(),
    process_instances.c.key,
)
Index(
    "ix_proj_pi_process_newest",
    process_instances.c.bpmn_process_id,
    process_instances.c.start_date.is_(None),
    process_instances.c.start_date.desc(),
    process_instances.c.key,
)

element_instances = Table(
    "proj_element_instances",
    metadata,
    Column("key", BigInteger, primary_key=True, autoincrement=False),
    Column("process_instance_key", BigInteger, nullable=False),
    Column("process_definition_key", BigInteger, nullable=False),
    Column("bpmn_process_id", String(255), nullable=False),
    Column("element_id", String(255), nullable=False),
    Column("type", String(40), nullable=False),
    Column("state", String(16), nullable=False),
    Column("flow_scope_key", BigInteger, nullable=True),
    Column("start_date", BigInteger, nullable=False),
    Column("end_date", BigInteger, nullable=True),
    Column("incident_key", BigInteger, nullable=True),
    Index("ix_proj_ei_instance", "process_instance_key", "element_id"),
    Index("ix_proj_ei_scope", "flow_scope_key"),
)

variables = Table(
    "proj_variables",
    metadata,
    Column("key", BigInteger, primary_key=True, autoincrement=False),
    Column("name", String(255), nullable=False),
    Column("value", Text, nullable=False),
    Column("scope_key", BigInteger, nullable=False),
    Column("process_instance_key", BigInteger, nullable=False),
    Index("ix_proj_var_instance", "process_instance_key", "name"),
    Index("ix_proj_var_scope", "scope_key", "name"),
)

incidents = Table(
    "proj_incidents",
    metadata,
    Column("key", BigInteger, primary_key=True, autoincrement=False),
    Column("error_type", String(64), nullable=False),
    Column("error_message", Text, nullable=False),
    Column("state", String(16), nullable=False),
    Column("process_instance_key", BigInteger, nullable=False),
    Column("process_definition_key", BigInteger, nullable=False),
    Column("bpmn_process_id", String(255), nullable=False),
    Column("element_id", String(255), nullable=False),
    Column("element_instance_key", BigInteger, nullable=False),
    Column("job_key", BigInteger, nullable=True),
    Column("creation_time", BigInteger, nullable=False),
    Index("ix_proj_inc_instance", "process_instance_key"),
    Index("ix_proj_inc_state", "state"),
)

jobs = Table(
    "proj_jobs",
    metadata,
    Column("key", BigInteger, primary_key=True, autoincrement=False),
    Column("type", String(255), nullable=False),
    Column("worker", String(255), nullable=False),
    Column("state", String(20), nullable=False),
    Column("retries", Integer, nullable=False),
    Column("failed_with_retries_left", Boolean, nullable=False),
    Column("process_instance_key", BigInteger, nullable=False),
    Column("process_definition_key", BigInteger, nullable=False),
    Column("bpmn_process_id", String(255), nullable=False),
    Column("element_id", String(255), nullable=False),
    Column("element_instance_key", BigInteger, nullable=False),
    Column("deadline", BigInteger, nullable=True),
    Column("error_code", Text, nullable=True),
    Column("error_message", Text, nullable=True),
    Column("custom_headers", Text, nullable=False),
    Column("creation_time", BigInteger, nullable=False),
    Column("last_update_time", BigInteger, nullable=False),
    Column("end_time", BigInteger, nullable=True),
    Index("ix_proj_job_instance", "process_instance_key"),
    Index("ix_proj_job_type", "type", "state"),
)

user_tasks = Table(
    "proj_user_tasks",
    metadata,
    Column("key", BigInteger, primary_key=True, autoincrement=False),
    Column("state", String(16), nullable=False),
    Column("element_id", String(255), nullable=False),
    Column("element_instance_key", BigInteger, nullable=False),
    Column("process_instance_key", BigInteger, nullable=False),
    Column("process_definition_key", BigInteger, nullable=False),
    Column("bpmn_process_id", String(255), nullable=False),
    Column("assignee", String(255), nullable=True),
    Column("candidate_groups", Text, nullable=False),
    Column("candidate_users", Text, nullable=False),
    Column("due_date", String(64), nullable=True),
    Column("follow_up_date", String(64), nullable=True),
    # The dates above as epoch milliseconds, for filtering and sorting (None when not a date-time).
    Column("due_at", BigInteger, nullable=True),
    Column("follow_up_at", BigInteger, nullable=True),
    Column("priority", Integer, nullable=False),
    Column("form_key", BigInteger, nullable=True),
    Column("external_form_reference", Text, nullable=True),
    Column("creation_date", BigInteger, nullable=False),
    Column("completion_date", BigInteger, nullable=True),
    Index("ix_proj_ut_state", "state", "assignee"),
    Index("ix_proj_ut_instance", "process_instance_key"),
)

# The last log position folded into the projection.
projection_meta = Table(
    "proj_meta",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

_POSITION = "position"
_ENDED = {"ELEMENT_COMPLETED": "COMPLETED", "ELEMENT_TERMINATED": "TERMINATED"}
# Job intents that are states in Camunda's job search; the others leave the state as it was.
_JOB_STATES = {"CREATED", "COMPLETED", "CANCELED", "ERROR_THROWN", "FAILED", "TIMED_OUT", "RETRIES_UPDATED"}
_JOB_ENDED = {"COMPLETED", "CANCELED", "ERROR_THROWN"}


@dataclass
class _Rows:
    """New rows and changes to existing rows of one table, folded over a batch."""

    table: Table
    inserts: dict[int, dict[str, Any]] = field(default_factory=dict)
    updates: dict[int, dict[str, Any]] = field(default_factory=dict)
    # Column increments of existing rows (the incident count of process instances).
    increments: dict[int, int] = field(default_factory=dict)

    def insert(self, key: int, row: dict[str, Any]) -> None:
        self.inserts[key] = {"key": key, **row}
        self.updates.pop(key, None)

    def update(self, key: int, **values: Any) -> None:
        if key in self.inserts:
            self.inserts[key].update(values)
        else:
            self.updates.setdefault(key, {}).update(values)

    def increment(self, key: int, column: str, delta: int) -> None:
        if key in self.inserts:
            self.inserts[key][column] = self.inserts[key].get(column, 0) + delta
        else:
            self.increments[key] = self.increments.get(key, 0) + delta

    def write(self, connection: Connection, counter: str | None = None) -> None:
        # Straight to the driver's executemany: this runs inside every batch the engine writes.
        mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        table = f'"{self.table.name}"'
        if self.inserts:
            columns = sorted({name for row in self.inserts.values() for name in row})
            names = ", ".join(f'"{name}"' for name in columns)
            connection.exec_driver_sql(
                f"INSERT INTO {table} ({names}) VALUES ({', '.join([mark] * len(columns))})",
                [tuple(map(row.get, columns)) for row in self.inserts.values()],
            )
        by_columns: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
        for key, values in self.updates.items():
            changed = tuple(sorted(values))
            by_columns.setdefault(changed, []).append((*(values[name] for name in changed), key))
        for changed, rows in by_columns.items():
            assignments = ", ".join(f'"{name}" = {mark}' for name in changed)
            connection.exec_driver_sql(f'UPDATE {table} SET {assignments} WHERE "key" = {mark}', rows)
        if self.increments and counter is not None:
            connection.exec_driver_sql(
                f'UPDATE {table} SET "{counter}" = "{counter}" + {mark} WHERE "key" = {mark}',
                [(delta, key) for key, delta in self.increments.items()],
            )


class _Batch:
    def __init__(self) -> None:
        self.instances = _Rows(process_instances)
        self.elements = _Rows(element_instances)
        self.variables = _Rows(variables)
        self.incidents = _Rows(incidents)
        self.jobs = _Rows(jobs)
        self.user_tasks = _Rows(user_tasks)

    def fold(self, record: Record) -> None:
        handler = _HANDLERS.get(record.value_type)
        if handler is not None:
            handler(self, record)

    def write(self, connection: Connection) -> None:
        self.instances.write(connection, counter="incidents")
        self.elements.write(connection)
        self.variables.write(connection)
        self.incidents.write(connection)
        self.jobs.write(connection)
        self.user_tasks.write(connection)

    # ------------------------------------------------------------------------------------ handlers

    def process_instance(self, record: Record) -> None:
        value = record.value
        if record.intent == "SEQUENCE_FLOW_TAKEN":
            return
        key = record.key
        ended = _ENDED.get(record.intent)
        if record.intent == "ELEMENT_ACTIVATING":
            flow_scope = value.get("flowScopeKey", -1)
            self.elements.insert(
                key,
                {
                    "process_instance_key": record.process_instance_key or key,
                    "process_definition_key": value["processDefinitionKey"],
                    "bpmn_process_id": value["bpmnProcessId"],
                    "element_id": value["elementId"],
                    "type": value["bpmnElementType"],
                    "state": "ACTIVE",
                    "flow_scope_key": flow_scope if flow_scope >= 0 else None,
                    "start_date": record.timestamp,
                    "end_date": None,
                    "incident_key": None,
                },
            )
            if value["bpmnElementType"] == "PROCESS":
                parent_instance = value.get("parentProcessInstanceKey", -1)
                parent_element = value.get("parentElementInstanceKey", -1)
                self.instances.insert(
                    key,
                    {
                        "process_definition_key": value["processDefinitionKey"],
                        "bpmn_process_id": value["bpmnProcessId"],
                        "version": value["version"],
                        "state": "ACTIVE",
                        "start_date": record.timestamp,
                        "end_date": None,
                        "incidents": 0,
                        "parent_process_instance_key": parent_instance if parent_instance >= 0 else None,
                        "parent_element_instance_key": parent_element if parent_element >= 0 else None,
                    },
                )
        elif ended is not None:
            self.elements.update(key, state=ended, end_date=record.timestamp)
            if value.get("bpmnElementType") == "PROCESS":
                self.instances.update(key, state=ended, end_date=record.timestamp)

    def variable(self, record: Record) -> None:
        value = record.value
        text = dumps(value["value"])
        if record.intent == "CREATED":
            self.variables.insert(
                record.key,
                {
                    "name": value["name"],
                    "value": text,
                    "scope_key": value["scopeKey"],
                    "process_instance_key": record.process_instance_key or value["scopeKey"],
                },
            )
        else:
            self.variables.update(record.key, value=text)

    def incident(self, record: Record) -> None:
        value = record.value
        instance_key = value["processInstanceKey"]
        if record.intent == "CREATED":
            job_key = value.get("jobKey", -1)
            self.incidents.insert(
                record.key,
                {
                    "error_type": value["errorType"],
                    "error_message": value["errorMessage"],
                    "state": "ACTIVE",
                    "process_instance_key": instance_key,
                    "process_definition_key": value["processDefinitionKey"],
                    "bpmn_process_id": value["bpmnProcessId"],
                    "element_id": value["elementId"],
                    "element_instance_key": value["elementInstanceKey"],
                    "job_key": job_key if job_key is not None and job_key >= 0 else None,
                    "creation_time": record.timestamp,
                },
            )
            self.elements.update(value["elementInstanceKey"], incident_key=record.key)
            self.instances.increment(instance_key, "incidents", 1)
        elif record.intent == "RESOLVED":
            self.incidents.update(record.key, state="RESOLVED")
            self.elements.update(value["elementInstanceKey"], incident_key=None)
            self.instances.increment(instance_key, "incidents", -1)

    def job(self, record: Record) -> None:
        value = record.value
        retries = value.get("retries", 0)
        deadline = value.get("deadline", -1)
        row: dict[str, Any] = {
            "type": value["type"],
            "worker": value.get("worker", ""),
            "retries": retries,
            "deadline": deadline if deadline is not None and deadline >= 0 else None,
            "error_code": value.get("errorCode") or None,
            "error_message": value.get("errorMessage") or None,
            "last_update_time": record.timestamp,
        }
        if record.intent in _JOB_STATES:
            row["state"] = record.intent
            row["failed_with_retries_left"] = record.intent == "FAILED" and retries > 0
        if record.intent in _JOB_ENDED:
            row["end_time"] = record.timestamp
        if record.intent == "CREATED":
            self.jobs.insert(
                record.key,
                {
                    **row,
                    "process_instance_key": value["processInstanceKey"],
                    "process_definition_key": value["processDefinitionKey"],
                    "bpmn_process_id": value["bpmnProcessId"],
                    "element_id": value["elementId"],
                    "element_instance_key": value["elementInstanceKey"],
                    "custom_headers": dumps(value.get("customHeaders") or {}),
                    "creation_time": record.timestamp,
                    "end_time": None,
                },
            )
        else:
            self.jobs.update(record.key, **row)

    def user_task(self, record: Record) -> None:
        value = record.value
        row: dict[str, Any] = {
            "assignee": value.get("assignee") or None,
            "candidate_groups": dumps(list(value.get("candidateGroups") or [])),
            "candidate_users": dumps(list(value.get("candidateUsers") or [])),
            "due_date": value.get("dueDate"),
            "follow_up_date": value.get("followUpDate"),
            "due_at": _epoch_ms(value.get("dueDate")),
            "follow_up_at": _epoch_ms(value.get("followUpDate")),
            "priority": value.get("priority", 50),
            "form_key": value.get("formKey"),
            "external_form_reference": value.get("externalFormReference"),
        }
        if record.intent == "CREATED":
            self.user_tasks.insert(
                record.key,
                {
                    **row,
                    "state": "CREATED",
                    "element_id": value["elementId"],
                    "element_instance_key": value["elementInstanceKey"],
                    "process_instance_key": value["processInstanceKey"],
                    "process_definition_key": value["processDefinitionKey"],
                    "bpmn_process_id": value["bpmnProcessId"],
                    "creation_date": record.timestamp,
                    "completion_date": None,
                },
            )
        elif record.intent in ("COMPLETED", "CANCELED"):
            self.user_tasks.update(record.key, **row, state=record.intent, completion_date=record.timestamp)
        else:
            self.user_tasks.update(record.key, **row)


def _epoch_ms(text: Any) -> int | None:
    """An ISO 8601 date-time (with an offset, `Z`, or a FEEL `@zone`) as epoch milliseconds."""
    if not isinstance(text, str) or not text:
        return None
    zone = None
    if "@" in text:
        text, _, zone_name = text.partition("@")
        try:
            zone = ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError):
            return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone or UTC)
    return int(moment.timestamp() * 1000)


_HANDLERS = {
    ValueType.PROCESS_INSTANCE: _Batch.process_instance,
    ValueType.VARIABLE: _Batch.variable,
    ValueType.INCIDENT: _Batch.incident,
    ValueType.JOB: _Batch.job,
    ValueType.USER_TASK: _Batch.user_task,
}


def _fold(records: Iterable[Record]) -> tuple[_Batch, int]:
    batch = _Batch()
    last = 0
    for record in records:
        batch.fold(record)
        last = max(last, record.position)
    return batch, last


def apply(connection: Connection, records: Iterable[Record]) -> None:
    """Fold one batch's records into the projection, in the batch's own transaction."""
    batch, last = _fold(records)
    if last == 0:
        return
    batch.write(connection)
    _set_position(connection, last)


def oversized(records: Iterable[Record]) -> list[str]:
    """What in these records is longer than its column allows, said for a person.

    Asked only after the database refused a batch: PostgreSQL names neither the column nor the
    value, and SQLite does not check lengths at all.
    """
    batch, _ = _fold(records)
    # The same value lands in several rows and tables (a process id in every element's row).
    found: dict[tuple[str, str, int], list[str]] = {}
    for rows in vars(batch).values():
        for row in (*rows.inserts.values(), *rows.updates.values()):
            for name, value in row.items():
                length = getattr(rows.table.c[name].type, "length", None)
                if isinstance(value, str) and length is not None and len(value) > length:
                    tables = found.setdefault((name, value, length), [])
                    if rows.table.name not in tables:
                        tables.append(rows.table.name)
    return [
        f"{name} '{value[:40]}…' has {len(value)} characters, but at most {length} fit "
        f"(column {name} of {', '.join(tables)})"
        for (name, value, length), tables in found.items()
    ]


def _set_position(connection: Connection, position: int) -> None:
    # A fixed statement once per batch: the driver's own, without compiling SQLAlchemy's.
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    updated = connection.exec_driver_sql(
        f"UPDATE {projection_meta.name} SET value = {mark} WHERE name = {mark}", (position, _POSITION)
    ).rowcount
    if not updated:
        connection.execute(projection_meta.insert().values(name=_POSITION, value=position))


_CATCH_UP_PAGE = 5000


def catch_up(database: Engine) -> int:
    """Fold the records the projection has not seen yet; returns how many. Run before the engine starts."""
    folded = 0
    while True:
        with database.begin() as connection:
            position = connection.execute(
                select(projection_meta.c.value).where(projection_meta.c.name == _POSITION)
            ).scalar()
            if position is None:
                # A projection never written: start from scratch (the tables may hold nothing).
                position = 0
            last = connection.execute(select(func.max(records_table.c.position))).scalar() or 0
            if last <= position:
                if last == 0 and position == 0:
                    _set_position(connection, 0)
                return folded
            rows = connection.execute(
                select(records_table)
                .where(records_table.c.position > position)
                .order_by(records_table.c.position)
                .limit(_CATCH_UP_PAGE)
            ).all()
            page = [
                Record(
                    row.position,
                    row.record_key,
                    row.timestamp,
                    ValueType(row.value_type),
                    row.intent,
                    row.process_instance_key,
                    json.loads(row.value),
                )
                for row in rows
            ]
            apply(connection, page)
            folded += len(page)
