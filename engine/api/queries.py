"""Search and get over the projection tables, answered in Camunda's shapes.

Conditions are built on the event loop (names and tags come from the in-memory definitions), the
SQL runs on a worker thread with a read-only connection, and the rows are dressed on the loop again.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from sqlalchemy import Engine, Select, and_, case, exists, false, func, literal, not_, or_, select, true

from engine.api import filters as f
from engine.api import schemas as s
from engine.api.catalog import Catalog
from engine.api.problems import bad_request, not_found
from engine.jsoncodec import dumps
from engine.model.elements import ElementType
from engine.runtime.entities import Kind
from engine.runtime.records import ValueType
from engine.store.database import records_table
from engine.store.projections import (
    element_instances,
    incidents,
    jobs,
    process_instances,
    user_tasks,
    variables,
)

# Longer variable values are cut in search results, as Camunda does (`isTruncated`).
VARIABLE_PREVIEW = 8191


class Queries:
    def __init__(self, database: Engine, catalog: Catalog) -> None:
        self.database = database
        self.catalog = catalog

    async def _search(
        self, query: Select[Any], conditions: list[f.Condition], terms: list[Any], win: f.Window
    ) -> tuple[int, list[Any]]:
        def run() -> tuple[int, list[Any]]:
            with self.database.connect() as connection:
                return f.run_search(connection, query, conditions, terms, win)

        return await asyncio.to_thread(run)

    async def _one(self, query: Select[Any]) -> Any:
        def run() -> Any:
            with self.database.connect() as connection:
                return connection.execute(query).first()

        return await asyncio.to_thread(run)

    async def _all(self, query: Select[Any]) -> list[Any]:
        def run() -> list[Any]:
            with self.database.connect() as connection:
                return list(connection.execute(query).all())

        return await asyncio.to_thread(run)

    def _variable_exists(self, scope_column: Any, spec: s.VariableValueFilter) -> f.Condition:
        condition = f.string_condition(variables.c.value, spec.value)
        return exists(
            select(literal(1)).where(
                variables.c.scope_key == scope_column,
                variables.c.name == spec.name,
                *f.all_of([condition]),
            )
        )

    # --------------------------------------------------------------------------- process instances

    def _base_instance_conditions(self, spec: s.BaseProcessInstanceFilterFields) -> list[f.Condition]:
        pi = process_instances.c
        conditions = [
            f.key_condition(pi.key, spec.processInstanceKey, "processInstanceKey"),
            f.key_condition(pi.parent_process_instance_key, spec.parentProcessInstanceKey),
            f.key_condition(pi.parent_element_instance_key, spec.parentElementInstanceKey),
            f.date_condition(pi.start_date, spec.startDate),
            f.date_condition(pi.end_date, spec.endDate),
            f.string_condition(pi.state, spec.state),
            f.flag_condition(pi.incidents > 0, spec.hasIncident),
            f.tenant_condition(spec.tenantId),
        ]
        for variable in spec.variables or ():
            conditions.append(self._variable_exists(pi.key, variable))
        return f.all_of(conditions)

    def _instance_conditions(self, spec: s.ProcessInstanceFilterFields) -> list[f.Condition]:
        pi = process_instances.c
        catalog = self.catalog
        conditions = self._base_instance_conditions(spec) + f.all_of(
            [
                f.string_condition(pi.bpmn_process_id, spec.processDefinitionId),
                f.integer_condition(pi.version, spec.processDefinitionVersion),
                f.key_condition(pi.process_definition_key, spec.processDefinitionKey, "processDefinitionKey"),
            ]
        )
        if spec.processDefinitionName is not None:
            keys = catalog.definitions_where(catalog.instance_process_name, spec.processDefinitionName)
            conditions.append(pi.process_definition_key.in_(keys))
        if spec.processDefinitionVersionTag is not None:
            keys = catalog.definitions_where(catalog.version_tag, spec.processDefinitionVersionTag)
            conditions.append(pi.process_definition_key.in_(keys))
        return conditions

    async def search_process_instances(
        self, query: s.ProcessInstanceSearch
    ) -> s.SearchResult[s.ProcessInstance]:
        pi = process_instances.c
        spec = query.filter or s.ProcessInstanceFilter.model_validate({})
        conditions = self._instance_conditions(spec)
        if spec.or_:
            conditions.append(or_(*(and_(true(), *self._instance_conditions(part)) for part in spec.or_)))
        columns = {
            "processInstanceKey": pi.key,
            "processDefinitionId": pi.bpmn_process_id,
            "processDefinitionVersion": pi.version,
            "processDefinitionKey": pi.process_definition_key,
            "parentProcessInstanceKey": pi.parent_process_instance_key,
            "parentElementInstanceKey": pi.parent_element_instance_key,
            "startDate": pi.start_date,
            "endDate": pi.end_date,
            "state": pi.state,
            "hasIncident": pi.incidents > 0,
            "tenantId": literal("<default>"),
            "processDefinitionName": self.catalog.by_definition(
                pi.process_definition_key, self.catalog.instance_process_name
            ),
            "processDefinitionVersionTag": self.catalog.by_definition(
                pi.process_definition_key, self.catalog.version_tag
            ),
        }
        terms = f.order_by(query.sort, columns, pi.key)
        win = f.window(query.page)
        total, rows = await self._search(select(process_instances), conditions, terms, win)
        items = [self._process_instance(row) for row in rows]
        return s.SearchResult(items=items, page=f.page_response(total, win, len(items)))

    async def process_instance(self, key: int) -> s.ProcessInstance:
        row = await self._one(select(process_instances).where(process_instances.c.key == key))
        if row is None:
            raise not_found(f"Process instance with key '{key}' not found")
        return self._process_instance(row)

    def _process_instance(self, row: Any) -> s.ProcessInstance:
        return s.ProcessInstance(
            processDefinitionId=row.bpmn_process_id,
            processDefinitionName=(
                self.catalog.instance_process_name(row.process_definition_key) or row.bpmn_process_id
            ),
            processDefinitionVersion=row.version,
            processDefinitionVersionTag=self.catalog.version_tag(row.process_definition_key),
            startDate=f.iso(row.start_date) or "",
            endDate=f.iso(row.end_date),
            state=row.state,
            hasIncident=row.incidents > 0,
            processInstanceKey=str(row.key),
            processDefinitionKey=str(row.process_definition_key),
            parentProcessInstanceKey=f.key_text(row.parent_process_instance_key),
            parentElementInstanceKey=f.key_text(row.parent_element_instance_key),
        )

    async def sequence_flows(self, key: int) -> s.ProcessInstanceSequenceFlows:
        """The flows the instance took, each once, in the order first taken. Read from the record log
        (indexed by instance), as no projection table keeps them. Like Camunda's, an unknown instance
        has none rather than a 404."""
        r = records_table.c
        query = (
            select(r.value)
            .where(
                r.process_instance_key == key,
                r.value_type == ValueType.PROCESS_INSTANCE.value,
                r.intent == "SEQUENCE_FLOW_TAKEN",
            )
            .order_by(r.position)
        )
        items: dict[str, s.ProcessInstanceSequenceFlow] = {}
        for row in await self._all(query):
            value = json.loads(row.value)
            flow_id = value["elementId"]
            if flow_id not in items:
                items[flow_id] = s.ProcessInstanceSequenceFlow(
                    # Camunda's id of a taken flow: one per instance and flow.
                    sequenceFlowId=f"{key}_{flow_id}",
                    processInstanceKey=str(key),
                    processDefinitionKey=str(value["processDefinitionKey"]),
                    processDefinitionId=value["bpmnProcessId"],
                    elementId=flow_id,
                )
        return s.ProcessInstanceSequenceFlows(items=list(items.values()))

    async def process_instance_statistics(self, key: int) -> s.ElementStatisticsResult:
        """Element instance counts per element of one instance (an unknown instance has none)."""
        return await self._element_statistics(element_instances.c.process_instance_key == key)

    async def process_definition_statistics(
        self, key: int, spec: s.ProcessDefinitionStatisticsFilter | None
    ) -> s.ElementStatisticsResult:
        """Element instance counts per element over the definition's instances that match `spec`.

        As on Operate's diagram, `completed` counts end events only: a badge on every passed task
        of every finished instance would hide the ones that matter.
        """
        pi = process_instances.c
        ei = element_instances.c
        spec = spec or s.ProcessDefinitionStatisticsFilter.model_validate({})
        conditions = self._base_instance_conditions(spec)
        if spec.or_:
            conditions.append(
                or_(*(and_(true(), *self._base_instance_conditions(part)) for part in spec.or_))
            )
        matching = select(pi.key).where(pi.process_definition_key == key, *conditions)
        return await self._element_statistics(
            ei.process_instance_key.in_(matching),
            or_(ei.state != "COMPLETED", ei.type == ElementType.END_EVENT.value),
        )

    async def _element_statistics(self, *conditions: f.Condition) -> s.ElementStatisticsResult:
        ei = element_instances.c
        active = ei.state == "ACTIVE"
        incident = ei.incident_key.is_not(None)

        def count(condition: f.Condition) -> Any:
            return func.sum(case((condition, 1), else_=0))

        query = (
            select(
                ei.element_id,
                count(and_(active, not_(incident))).label("active"),
                count(ei.state == "TERMINATED").label("canceled"),
                count(and_(active, incident)).label("incidents"),
                count(ei.state == "COMPLETED").label("completed"),
            )
            .where(
                *conditions,
                ei.type != ElementType.PROCESS.value,
                # A multi-instance body shares its element id with its inner instances: counted only
                # for an incident of its own (Camunda does the same).
                or_(ei.type != ElementType.MULTI_INSTANCE_BODY.value, incident),
            )
            .group_by(ei.element_id)
            .order_by(ei.element_id)
        )
        items = [
            s.ElementStatistics(
                elementId=row.element_id,
                active=int(row.active),
                canceled=int(row.canceled),
                incidents=int(row.incidents),
                completed=int(row.completed),
            )
            for row in await self._all(query)
        ]
        return s.ElementStatisticsResult(items=items)

    # --------------------------------------------------------------------------- element instances

    async def search_element_instances(
        self, query: s.ElementInstanceSearch
    ) -> s.SearchResult[s.ElementInstance]:
        ei = element_instances.c
        spec = query.filter or s.ElementInstanceFilter()
        conditions = f.all_of(
            [
                f.string_condition(ei.bpmn_process_id, spec.processDefinitionId),
                f.string_condition(ei.state, spec.state),
                f.string_condition(ei.type, spec.type),
                f.string_condition(ei.element_id, spec.elementId),
                f.flag_condition(ei.incident_key.is_not(None), spec.hasIncident),
                f.tenant_condition(spec.tenantId),
                f.key_condition(ei.key, spec.elementInstanceKey, "elementInstanceKey"),
                f.key_condition(ei.process_instance_key, spec.processInstanceKey, "processInstanceKey"),
                f.key_condition(ei.process_definition_key, spec.processDefinitionKey, "processDefinitionKey"),
                f.key_condition(ei.incident_key, spec.incidentKey, "incidentKey"),
                f.date_condition(ei.start_date, spec.startDate),
                f.date_condition(ei.end_date, spec.endDate),
                f.key_condition(ei.flow_scope_key, spec.elementInstanceScopeKey, "elementInstanceScopeKey"),
            ]
        )
        if spec.elementName is not None:
            conditions.append(
                self.catalog.elements_named(ei.process_definition_key, ei.element_id, spec.elementName)
            )
        columns = {
            "elementInstanceKey": ei.key,
            "processInstanceKey": ei.process_instance_key,
            "processDefinitionKey": ei.process_definition_key,
            "processDefinitionId": ei.bpmn_process_id,
            "startDate": ei.start_date,
            "endDate": ei.end_date,
            "elementId": ei.element_id,
            "type": ei.type,
            "state": ei.state,
            "incidentKey": ei.incident_key,
            "tenantId": literal("<default>"),
        }
        terms = f.order_by(query.sort, columns, ei.key)
        win = f.window(query.page)
        total, rows = await self._search(select(element_instances), conditions, terms, win)
        items = [self._element_instance(row) for row in rows]
        return s.SearchResult(items=items, page=f.page_response(total, win, len(items)))

    async def element_instance(self, key: int) -> s.ElementInstance:
        row = await self._one(select(element_instances).where(element_instances.c.key == key))
        if row is None:
            raise not_found(f"Element instance with key '{key}' not found")
        return self._element_instance(row)

    def _element_instance(self, row: Any) -> s.ElementInstance:
        return s.ElementInstance(
            processDefinitionId=row.bpmn_process_id,
            startDate=f.iso(row.start_date) or "",
            endDate=f.iso(row.end_date),
            elementId=row.element_id,
            elementName=self.catalog.element_name(row.process_definition_key, row.element_id),
            type=row.type,
            state=row.state,
            hasIncident=row.incident_key is not None,
            elementInstanceKey=str(row.key),
            processInstanceKey=str(row.process_instance_key),
            processDefinitionKey=str(row.process_definition_key),
            incidentKey=f.key_text(row.incident_key),
        )

    # ----------------------------------------------------------------------------------- variables

    async def search_variables(
        self, query: s.VariableSearch, truncate: bool
    ) -> s.SearchResult[s.VariableSearchItem]:
        v = variables.c
        spec = query.filter or s.VariableFilter()
        if spec.isTruncated:
            conditions: list[f.Condition] = [func.length(v.value) > VARIABLE_PREVIEW] if truncate else []
        else:
            conditions = []
        conditions += f.all_of(
            [
                f.string_condition(v.name, spec.name),
                f.string_condition(v.value, spec.value),
                f.tenant_condition(spec.tenantId),
                f.key_condition(v.key, spec.variableKey, "variableKey"),
                f.key_condition(v.scope_key, spec.scopeKey, "scopeKey"),
                f.key_condition(v.process_instance_key, spec.processInstanceKey, "processInstanceKey"),
            ]
        )
        columns = {
            "value": v.value,
            "name": v.name,
            "tenantId": literal("<default>"),
            "variableKey": v.key,
            "scopeKey": v.scope_key,
            "processInstanceKey": v.process_instance_key,
        }
        terms = f.order_by(query.sort, columns, v.key)
        win = f.window(query.page)
        total, rows = await self._search(select(variables), conditions, terms, win)
        items = []
        for row in rows:
            value, cut = row.value, False
            if truncate and len(value) > VARIABLE_PREVIEW:
                value, cut = value[:VARIABLE_PREVIEW], True
            items.append(s.VariableSearchItem(**self._variable_fields(row), value=value, isTruncated=cut))
        return s.SearchResult(items=items, page=f.page_response(total, win, len(items)))

    async def variable(self, key: int) -> s.Variable:
        row = await self._one(select(variables).where(variables.c.key == key))
        if row is None:
            raise not_found(f"Variable with key '{key}' not found")
        return s.Variable(**self._variable_fields(row), value=row.value)

    @staticmethod
    def _variable_fields(row: Any) -> dict[str, Any]:
        return {
            "name": row.name,
            "variableKey": str(row.key),
            "scopeKey": str(row.scope_key),
            "processInstanceKey": str(row.process_instance_key),
        }

    # ----------------------------------------------------------------------------------- incidents

    async def search_incidents(self, query: s.IncidentSearch) -> s.SearchResult[s.Incident]:
        i = incidents.c
        spec = query.filter or s.IncidentFilter()
        conditions = f.all_of(
            [
                f.string_condition(i.bpmn_process_id, spec.processDefinitionId),
                f.string_condition(i.error_type, spec.errorType),
                f.string_condition(i.error_message, spec.errorMessage),
                f.string_condition(i.element_id, spec.elementId),
                f.date_condition(i.creation_time, spec.creationTime),
                f.string_condition(i.state, spec.state),
                f.tenant_condition(spec.tenantId),
                f.key_condition(i.key, spec.incidentKey, "incidentKey"),
                f.key_condition(i.process_definition_key, spec.processDefinitionKey, "processDefinitionKey"),
                f.key_condition(i.process_instance_key, spec.processInstanceKey, "processInstanceKey"),
                f.key_condition(i.element_instance_key, spec.elementInstanceKey, "elementInstanceKey"),
                f.key_condition(i.job_key, spec.jobKey, "jobKey"),
            ]
        )
        columns = {
            "incidentKey": i.key,
            "processDefinitionKey": i.process_definition_key,
            "processDefinitionId": i.bpmn_process_id,
            "processInstanceKey": i.process_instance_key,
            "errorType": i.error_type,
            "errorMessage": i.error_message,
            "elementId": i.element_id,
            "elementInstanceKey": i.element_instance_key,
            "creationTime": i.creation_time,
            "state": i.state,
            "jobKey": i.job_key,
            "tenantId": literal("<default>"),
        }
        terms = f.order_by(query.sort, columns, i.key)
        win = f.window(query.page)
        total, rows = await self._search(select(incidents), conditions, terms, win)
        items = [self._incident(row) for row in rows]
        return s.SearchResult(items=items, page=f.page_response(total, win, len(items)))

    async def incident(self, key: int) -> s.Incident:
        row = await self._one(select(incidents).where(incidents.c.key == key))
        if row is None:
            raise not_found(f"Incident with key '{key}' not found")
        return self._incident(row)

    @staticmethod
    def _incident(row: Any) -> s.Incident:
        return s.Incident(
            processDefinitionId=row.bpmn_process_id,
            errorType=row.error_type,
            errorMessage=row.error_message,
            elementId=row.element_id,
            creationTime=f.iso(row.creation_time) or "",
            state=row.state,
            incidentKey=str(row.key),
            processDefinitionKey=str(row.process_definition_key),
            processInstanceKey=str(row.process_instance_key),
            elementInstanceKey=str(row.element_instance_key),
            jobKey=f.key_text(row.job_key),
        )

    # ---------------------------------------------------------------------------------------- jobs

    async def search_jobs(self, query: s.JobSearch) -> s.SearchResult[s.Job]:
        j = jobs.c
        spec = query.filter or s.JobFilter()
        conditions = f.all_of(
            [
                f.date_condition(j.deadline, spec.deadline),
                f.string_condition(j.element_id, spec.elementId),
                f.key_condition(j.element_instance_key, spec.elementInstanceKey, "elementInstanceKey"),
                f.date_condition(j.end_time, spec.endTime),
                f.string_condition(j.error_code, spec.errorCode),
                f.string_condition(j.error_message, spec.errorMessage),
                f.flag_condition(j.failed_with_retries_left.is_(True), spec.hasFailedWithRetriesLeft),
                f.key_condition(j.key, spec.jobKey, "jobKey"),
                f.string_condition(literal("BPMN_ELEMENT"), spec.kind),
                f.string_condition(literal("UNSPECIFIED"), spec.listenerEventType),
                f.string_condition(j.bpmn_process_id, spec.processDefinitionId),
                f.key_condition(j.process_definition_key, spec.processDefinitionKey, "processDefinitionKey"),
                f.key_condition(j.process_instance_key, spec.processInstanceKey, "processInstanceKey"),
                f.integer_condition(j.retries, spec.retries),
                f.string_condition(j.state, spec.state),
                f.tenant_condition(spec.tenantId),
                f.string_condition(j.type, spec.type),
                f.string_condition(j.worker, spec.worker),
                f.date_condition(j.creation_time, spec.creationTime),
                f.date_condition(j.last_update_time, spec.lastUpdateTime),
            ]
        )
        columns = {
            "deadline": j.deadline,
            "elementId": j.element_id,
            "elementInstanceKey": j.element_instance_key,
            "endTime": j.end_time,
            "errorCode": j.error_code,
            "errorMessage": j.error_message,
            "hasFailedWithRetriesLeft": j.failed_with_retries_left,
            "jobKey": j.key,
            "processDefinitionId": j.bpmn_process_id,
            "processDefinitionKey": j.process_definition_key,
            "processInstanceKey": j.process_instance_key,
            "retries": j.retries,
            "state": j.state,
            "type": j.type,
            "worker": j.worker,
            "tenantId": literal("<default>"),
            "kind": literal("BPMN_ELEMENT"),
            "listenerEventType": literal("UNSPECIFIED"),
            "deniedReason": literal(None),
            "isDenied": literal(None),
        }
        terms = f.order_by(query.sort, columns, j.key)
        win = f.window(query.page)
        total, rows = await self._search(select(jobs), conditions, terms, win)
        items = [self._job(row) for row in rows]
        return s.SearchResult(items=items, page=f.page_response(total, win, len(items)))

    @staticmethod
    def _job(row: Any) -> s.Job:
        return s.Job(
            customHeaders=json.loads(row.custom_headers),
            deadline=f.iso(row.deadline),
            elementId=row.element_id,
            elementInstanceKey=str(row.element_instance_key),
            endTime=f.iso(row.end_time),
            errorCode=row.error_code,
            errorMessage=row.error_message,
            hasFailedWithRetriesLeft=bool(row.failed_with_retries_left),
            jobKey=str(row.key),
            processDefinitionId=row.bpmn_process_id,
            processDefinitionKey=str(row.process_definition_key),
            processInstanceKey=str(row.process_instance_key),
            retries=row.retries,
            state=row.state,
            type=row.type,
            worker=row.worker,
        )

    # ---------------------------------------------------------------------------------- user tasks

    def _candidate(self, column: Any, spec: s.StringFilter | None) -> f.Condition | None:
        """A candidate group or user filter over the JSON list stored in `column`."""
        if spec is None:
            return None

        def contains(name: str) -> f.Condition:
            # The list is stored as JSON text written by the same encoder: look for the quoted name.
            quoted = dumps(name).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            condition: f.Condition = column.like(f"%{quoted}%", escape="\\")
            return condition

        if isinstance(spec, str):
            return contains(spec)
        parts: list[f.Condition] = []
        if spec.eq is not None:
            parts.append(contains(spec.eq))
        if spec.in_ is not None:
            parts.append(or_(false(), *(contains(name) for name in spec.in_)))
        if spec.neq is not None:
            parts.append(not_(contains(spec.neq)))
        if spec.not_in:
            parts.append(and_(true(), *(not_(contains(name)) for name in spec.not_in)))
        if spec.exists is not None:
            parts.append(column != "[]" if spec.exists else column == "[]")
        if spec.like is not None:
            raise bad_request(
                "Filtering candidate groups or users with '$like' is not supported by this engine"
            )
        return and_(true(), *parts)

    async def search_user_tasks(self, query: s.UserTaskSearch) -> s.SearchResult[s.UserTask]:
        t = user_tasks.c
        spec = query.filter or s.UserTaskFilter()
        conditions = f.all_of(
            [
                f.string_condition(t.state, spec.state),
                f.string_condition(t.assignee, spec.assignee),
                f.integer_condition(t.priority, spec.priority),
                f.string_condition(t.element_id, spec.elementId),
                self._candidate(t.candidate_groups, spec.candidateGroup),
                self._candidate(t.candidate_users, spec.candidateUser),
                f.tenant_condition(spec.tenantId),
                f.string_condition(t.bpmn_process_id, spec.processDefinitionId),
                f.date_condition(t.creation_date, spec.creationDate),
                f.date_condition(t.completion_date, spec.completionDate),
                f.date_condition(t.follow_up_at, spec.followUpDate),
                f.date_condition(t.due_at, spec.dueDate),
                f.key_condition(t.key, spec.userTaskKey, "userTaskKey"),
                f.key_condition(t.process_definition_key, spec.processDefinitionKey, "processDefinitionKey"),
                f.key_condition(t.process_instance_key, spec.processInstanceKey, "processInstanceKey"),
                f.key_condition(t.element_instance_key, spec.elementInstanceKey, "elementInstanceKey"),
            ]
        )
        if spec.name is not None:
            conditions.append(self.catalog.elements_named(t.process_definition_key, t.element_id, spec.name))
        for variable in spec.processInstanceVariables or ():
            conditions.append(self._variable_exists(t.process_instance_key, variable))
        for variable in spec.localVariables or ():
            conditions.append(self._variable_exists(t.element_instance_key, variable))
        columns = {
            "creationDate": t.creation_date,
            "completionDate": t.completion_date,
            "followUpDate": t.follow_up_at,
            "dueDate": t.due_at,
            "priority": t.priority,
        }
        terms = f.order_by(query.sort, columns, t.key)
        win = f.window(query.page)
        total, rows = await self._search(select(user_tasks), conditions, terms, win)
        items = [self._user_task(row) for row in rows]
        return s.SearchResult(items=items, page=f.page_response(total, win, len(items)))

    async def user_task_row(self, key: int) -> Any:
        row = await self._one(select(user_tasks).where(user_tasks.c.key == key))
        if row is None:
            raise not_found(f"User task with key '{key}' not found")
        return row

    async def user_task(self, key: int) -> s.UserTask:
        return self._user_task(await self.user_task_row(key))

    def _user_task(self, row: Any) -> s.UserTask:
        live = self.catalog.read(lambda ctx: ctx.layer.get(Kind.USER_TASK, row.key))
        definition_key = row.process_definition_key
        return s.UserTask(
            name=self.catalog.element_name(definition_key, row.element_id),
            state=row.state,
            assignee=row.assignee,
            elementId=row.element_id,
            candidateGroups=json.loads(row.candidate_groups),
            candidateUsers=json.loads(row.candidate_users),
            processDefinitionId=row.bpmn_process_id,
            creationDate=f.iso(row.creation_date) or "",
            completionDate=f.iso(row.completion_date),
            followUpDate=_date_text(row.follow_up_date, row.follow_up_at),
            dueDate=_date_text(row.due_date, row.due_at),
            externalFormReference=row.external_form_reference,
            processDefinitionVersion=self.catalog.version(definition_key),
            customHeaders=dict(live.custom_headers) if live is not None else {},
            priority=row.priority,
            userTaskKey=str(row.key),
            elementInstanceKey=str(row.element_instance_key),
            processName=self.catalog.process_name(definition_key),
            processDefinitionKey=str(definition_key),
            processInstanceKey=str(row.process_instance_key),
            formKey=f.key_text(row.form_key),
        )


def _date_text(text: str | None, ms: int | None) -> str | None:
    """A due or follow-up date as an ISO 8601 date-time; left out when the task's text is not one
    (Camunda's schema allows only date-times, and Zeebe refuses other values with an incident)."""
    if text is None or ms is None:
        return None
    return f.iso(ms)
