"""Request and response bodies of the /v2 subset, in Camunda's JSON shapes.

Field names are Camunda's (camelCase); keys are strings; dates are ISO 8601 with an offset. Search
requests are `{filter, sort: [{field, order}], page}`, answers `{items, page}`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

TENANT = "<default>"

T = TypeVar("T")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def _leave_out_nulls(schema: dict[str, Any]) -> None:
    """An optional field of an answer is left out rather than null (see `routes.CamundaRoute`): say so
    in the OpenAPI description too, as Camunda's does."""
    required = set(schema.get("required", ()))
    for name, field in schema.get("properties", {}).items():
        if name in required:
            continue
        options = [option for option in field.get("anyOf", ()) if option != {"type": "null"}]
        if "anyOf" in field and len(options) < len(field["anyOf"]):
            del field["anyOf"]
            if len(options) == 1:
                field.update(options[0])
            else:
                field["anyOf"] = options
        if "default" in field and field["default"] is None:
            del field["default"]


class Answer(BaseModel):
    """A response body. Fields that are None are left out of the JSON."""

    model_config = ConfigDict(json_schema_extra=_leave_out_nulls)


# ---------------------------------------------------------------------------------------------- filters


class AdvancedStringFilter(Strict):
    eq: str | None = Field(None, alias="$eq")
    neq: str | None = Field(None, alias="$neq")
    exists: bool | None = Field(None, alias="$exists")
    in_: list[str] | None = Field(None, alias="$in")
    not_in: list[str] | None = Field(None, alias="$notIn")
    like: str | None = Field(None, alias="$like")


class AdvancedIntegerFilter(Strict):
    eq: int | None = Field(None, alias="$eq")
    neq: int | None = Field(None, alias="$neq")
    exists: bool | None = Field(None, alias="$exists")
    gt: int | None = Field(None, alias="$gt")
    gte: int | None = Field(None, alias="$gte")
    lt: int | None = Field(None, alias="$lt")
    lte: int | None = Field(None, alias="$lte")
    in_: list[int] | None = Field(None, alias="$in")


class AdvancedDateTimeFilter(Strict):
    eq: datetime | None = Field(None, alias="$eq")
    neq: datetime | None = Field(None, alias="$neq")
    exists: bool | None = Field(None, alias="$exists")
    gt: datetime | None = Field(None, alias="$gt")
    gte: datetime | None = Field(None, alias="$gte")
    lt: datetime | None = Field(None, alias="$lt")
    lte: datetime | None = Field(None, alias="$lte")
    in_: list[datetime] | None = Field(None, alias="$in")


class AdvancedKeyFilter(Strict):
    eq: str | None = Field(None, alias="$eq")
    neq: str | None = Field(None, alias="$neq")
    exists: bool | None = Field(None, alias="$exists")
    in_: list[str] | None = Field(None, alias="$in")
    not_in: list[str] | None = Field(None, alias="$notIn")


StringFilter = str | AdvancedStringFilter
IntegerFilter = int | AdvancedIntegerFilter
DateTimeFilter = datetime | AdvancedDateTimeFilter
KeyFilter = str | AdvancedKeyFilter


class VariableValueFilter(Strict):
    name: str
    value: StringFilter


# ------------------------------------------------------------------------------------------- searching


class PageRequest(Strict):
    """Offset (`from`, `limit`) or cursor (`after` / `before`, `limit`) pagination."""

    from_: int | None = Field(None, alias="from", ge=0)
    limit: int = Field(100, ge=0, le=10_000)
    after: str | None = None
    before: str | None = None


class SortRequest(Strict, Generic[T]):
    field: T
    order: Literal["ASC", "DESC"] = "ASC"

    @field_validator("order", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value


class PageResponse(Answer):
    totalItems: int
    hasMoreTotalItems: bool = False
    startCursor: str | None = None
    endCursor: str | None = None


class SearchResult(Answer, Generic[T]):
    items: list[T]
    page: PageResponse


# ------------------------------------------------------------------------------------------------ cluster


class Partition(Answer):
    partitionId: int
    role: Literal["leader", "follower", "inactive"]
    health: Literal["healthy", "unhealthy", "dead"]


class BrokerInfo(Answer):
    nodeId: int
    host: str
    port: int
    partitions: list[Partition]
    version: str


class Topology(Answer):
    brokers: list[BrokerInfo]
    clusterSize: int
    partitionsCount: int
    replicationFactor: int
    gatewayVersion: str
    lastCompletedChangeId: str


class ClockPinRequest(Strict):
    timestamp: int


class ClockResult(Answer):
    timestamp: int


# -------------------------------------------------------------------------------------------- deployments


class DeploymentProcess(Answer):
    processDefinitionId: str
    processDefinitionVersion: int
    resourceName: str
    tenantId: str = TENANT
    processDefinitionKey: str


class DeploymentForm(Answer):
    formId: str
    version: int
    resourceName: str
    tenantId: str = TENANT
    formKey: str


class DeploymentDecision(Answer):
    decisionDefinitionId: str
    version: int
    name: str
    tenantId: str = TENANT
    decisionRequirementsId: str
    decisionDefinitionKey: str
    decisionRequirementsKey: str


class DeploymentDecisionRequirements(Answer):
    decisionRequirementsId: str
    version: int
    decisionRequirementsName: str
    tenantId: str = TENANT
    resourceName: str
    decisionRequirementsKey: str


class DeploymentMetadata(Answer):
    """One deployed resource: exactly one of the fields is present in an answer."""

    processDefinition: DeploymentProcess | None = None
    decisionDefinition: DeploymentDecision | None = None
    decisionRequirements: DeploymentDecisionRequirements | None = None
    form: DeploymentForm | None = None


class DeploymentResult(Answer):
    deploymentKey: str
    tenantId: str = TENANT
    deployments: list[DeploymentMetadata]


# ------------------------------------------------------------------------------------ process definitions


class ProcessDefinitionFilter(Strict):
    name: StringFilter | None = None
    isLatestVersion: bool | None = None
    resourceName: str | None = None
    version: int | None = None
    versionTag: str | None = None
    processDefinitionId: StringFilter | None = None
    tenantId: str | None = None
    processDefinitionKey: str | None = None
    hasStartForm: bool | None = None


ProcessDefinitionSortField = Literal[
    "processDefinitionKey", "name", "resourceName", "version", "versionTag", "processDefinitionId", "tenantId"
]


class ProcessDefinitionSearch(Strict):
    filter: ProcessDefinitionFilter | None = None
    sort: list[SortRequest[ProcessDefinitionSortField]] = []
    page: PageRequest | None = None


class ProcessDefinition(Answer):
    name: str | None = None
    resourceName: str
    version: int
    versionTag: str | None = None
    processDefinitionId: str
    tenantId: str = TENANT
    processDefinitionKey: str
    hasStartForm: bool


class FormResult(Answer):
    tenantId: str = TENANT
    formId: str
    schema_: dict[str, Any] = Field(alias="schema")
    version: int
    formKey: str

    model_config = ConfigDict(
        populate_by_name=True, serialize_by_alias=True, json_schema_extra=_leave_out_nulls
    )


# -------------------------------------------------------------------------------------- process instances


class ProcessInstanceCreation(Strict):
    processDefinitionId: str | None = None
    processDefinitionVersion: int = -1
    processDefinitionKey: str | None = None
    variables: dict[str, Any] | None = None
    tenantId: str | None = None
    operationReference: int | None = None
    startInstructions: list[dict[str, Any]] | None = None
    runtimeInstructions: list[dict[str, Any]] | None = None
    awaitCompletion: bool = False
    fetchVariables: list[str] | None = None
    requestTimeout: int = 0
    tags: list[str] | None = None


class ProcessInstanceCreated(Answer):
    processDefinitionId: str
    processDefinitionVersion: int
    tenantId: str = TENANT
    variables: dict[str, Any]
    processDefinitionKey: str
    processInstanceKey: str
    tags: list[str] = []


class BaseProcessInstanceFilterFields(Strict):
    """What a process instance filter and a process definition's statistics filter share."""

    processInstanceKey: KeyFilter | None = None
    parentProcessInstanceKey: KeyFilter | None = None
    parentElementInstanceKey: KeyFilter | None = None
    startDate: DateTimeFilter | None = None
    endDate: DateTimeFilter | None = None
    state: StringFilter | None = None
    hasIncident: bool | None = None
    tenantId: StringFilter | None = None
    variables: list[VariableValueFilter] | None = None


class ProcessInstanceFilterFields(BaseProcessInstanceFilterFields):
    processDefinitionId: StringFilter | None = None
    processDefinitionName: StringFilter | None = None
    processDefinitionVersion: IntegerFilter | None = None
    processDefinitionVersionTag: StringFilter | None = None
    processDefinitionKey: KeyFilter | None = None


class ProcessInstanceFilter(ProcessInstanceFilterFields):
    or_: list[ProcessInstanceFilterFields] | None = Field(None, alias="$or")


class ProcessDefinitionStatisticsFilter(BaseProcessInstanceFilterFields):
    """Which instances of the definition the element statistics count."""

    or_: list[BaseProcessInstanceFilterFields] | None = Field(None, alias="$or")


class ProcessDefinitionElementStatisticsQuery(Strict):
    filter: ProcessDefinitionStatisticsFilter | None = None


ProcessInstanceSortField = Literal[
    "processInstanceKey",
    "processDefinitionId",
    "processDefinitionName",
    "processDefinitionVersion",
    "processDefinitionVersionTag",
    "processDefinitionKey",
    "parentProcessInstanceKey",
    "parentElementInstanceKey",
    "startDate",
    "endDate",
    "state",
    "hasIncident",
    "tenantId",
]


class ProcessInstanceSearch(Strict):
    filter: ProcessInstanceFilter | None = None
    sort: list[SortRequest[ProcessInstanceSortField]] = []
    page: PageRequest | None = None


class ProcessInstance(Answer):
    processDefinitionId: str
    processDefinitionName: str
    processDefinitionVersion: int
    processDefinitionVersionTag: str | None = None
    startDate: str
    endDate: str | None = None
    state: Literal["ACTIVE", "COMPLETED", "TERMINATED"]
    hasIncident: bool
    tenantId: str = TENANT
    processInstanceKey: str
    processDefinitionKey: str
    parentProcessInstanceKey: str | None = None
    parentElementInstanceKey: str | None = None
    tags: list[str] = []


class CancelProcessInstance(Strict):
    operationReference: int | None = None


class ProcessInstanceSequenceFlow(Answer):
    """A sequence flow the instance took at least once (Camunda lists each flow once)."""

    sequenceFlowId: str
    processInstanceKey: str
    processDefinitionKey: str
    processDefinitionId: str
    elementId: str
    tenantId: str = TENANT


class ProcessInstanceSequenceFlows(Answer):
    items: list[ProcessInstanceSequenceFlow]


class ElementStatistics(Answer):
    """How many instances of one element are in each state; `active` leaves out those with an incident."""

    elementId: str
    active: int
    canceled: int
    incidents: int
    completed: int


class ElementStatisticsResult(Answer):
    items: list[ElementStatistics]


# -------------------------------------------------------------------------------------- element instances


class ElementInstanceFilter(Strict):
    processDefinitionId: str | None = None
    state: StringFilter | None = None
    type: str | None = None
    elementId: StringFilter | None = None
    elementName: StringFilter | None = None
    hasIncident: bool | None = None
    tenantId: str | None = None
    elementInstanceKey: str | None = None
    processInstanceKey: str | None = None
    processDefinitionKey: str | None = None
    incidentKey: str | None = None
    startDate: DateTimeFilter | None = None
    endDate: DateTimeFilter | None = None
    elementInstanceScopeKey: str | None = None


ElementInstanceSortField = Literal[
    "elementInstanceKey",
    "processInstanceKey",
    "processDefinitionKey",
    "processDefinitionId",
    "startDate",
    "endDate",
    "elementId",
    "elementName",
    "type",
    "state",
    "incidentKey",
    "tenantId",
]


class ElementInstanceSearch(Strict):
    filter: ElementInstanceFilter | None = None
    sort: list[SortRequest[ElementInstanceSortField]] = []
    page: PageRequest | None = None


class ElementInstance(Answer):
    processDefinitionId: str
    startDate: str
    endDate: str | None = None
    elementId: str
    elementName: str
    type: str
    state: Literal["ACTIVE", "COMPLETED", "TERMINATED"]
    hasIncident: bool
    tenantId: str = TENANT
    elementInstanceKey: str
    processInstanceKey: str
    processDefinitionKey: str
    incidentKey: str | None = None


# ---------------------------------------------------------------------------------------------- variables


class VariableFilter(Strict):
    name: StringFilter | None = None
    value: StringFilter | None = None
    tenantId: str | None = None
    isTruncated: bool | None = None
    variableKey: KeyFilter | None = None
    scopeKey: KeyFilter | None = None
    processInstanceKey: KeyFilter | None = None


VariableSortField = Literal["value", "name", "tenantId", "variableKey", "scopeKey", "processInstanceKey"]


class VariableSearch(Strict):
    filter: VariableFilter | None = None
    sort: list[SortRequest[VariableSortField]] = []
    page: PageRequest | None = None


class Variable(Answer):
    name: str
    value: str
    tenantId: str = TENANT
    variableKey: str
    scopeKey: str
    processInstanceKey: str


class VariableSearchItem(Variable):
    isTruncated: bool


# ---------------------------------------------------------------------------------------------- incidents


class IncidentFilter(Strict):
    processDefinitionId: StringFilter | None = None
    errorType: StringFilter | None = None
    errorMessage: StringFilter | None = None
    elementId: StringFilter | None = None
    creationTime: DateTimeFilter | None = None
    state: StringFilter | None = None
    tenantId: StringFilter | None = None
    incidentKey: KeyFilter | None = None
    processDefinitionKey: KeyFilter | None = None
    processInstanceKey: KeyFilter | None = None
    elementInstanceKey: KeyFilter | None = None
    jobKey: KeyFilter | None = None


IncidentSortField = Literal[
    "incidentKey",
    "processDefinitionKey",
    "processDefinitionId",
    "processInstanceKey",
    "errorType",
    "errorMessage",
    "elementId",
    "elementInstanceKey",
    "creationTime",
    "state",
    "jobKey",
    "tenantId",
]


class IncidentSearch(Strict):
    filter: IncidentFilter | None = None
    sort: list[SortRequest[IncidentSortField]] = []
    page: PageRequest | None = None


class Incident(Answer):
    processDefinitionId: str
    errorType: str
    errorMessage: str
    elementId: str
    creationTime: str
    state: str
    tenantId: str = TENANT
    incidentKey: str
    processDefinitionKey: str
    processInstanceKey: str
    elementInstanceKey: str
    jobKey: str | None = None


class IncidentResolution(Strict):
    operationReference: int | None = None


# --------------------------------------------------------------------------------------------------- jobs


class JobFilter(Strict):
    deadline: DateTimeFilter | None = None
    elementId: StringFilter | None = None
    elementInstanceKey: KeyFilter | None = None
    endTime: DateTimeFilter | None = None
    errorCode: StringFilter | None = None
    errorMessage: StringFilter | None = None
    hasFailedWithRetriesLeft: bool | None = None
    jobKey: KeyFilter | None = None
    kind: StringFilter | None = None
    listenerEventType: StringFilter | None = None
    processDefinitionId: StringFilter | None = None
    processDefinitionKey: KeyFilter | None = None
    processInstanceKey: KeyFilter | None = None
    retries: IntegerFilter | None = None
    state: StringFilter | None = None
    tenantId: StringFilter | None = None
    type: StringFilter | None = None
    worker: StringFilter | None = None
    creationTime: DateTimeFilter | None = None
    lastUpdateTime: DateTimeFilter | None = None


JobSortField = Literal[
    "deadline",
    "deniedReason",
    "elementId",
    "elementInstanceKey",
    "endTime",
    "errorCode",
    "errorMessage",
    "hasFailedWithRetriesLeft",
    "isDenied",
    "jobKey",
    "kind",
    "listenerEventType",
    "processDefinitionId",
    "processDefinitionKey",
    "processInstanceKey",
    "retries",
    "state",
    "tenantId",
    "type",
    "worker",
]


class JobSearch(Strict):
    filter: JobFilter | None = None
    sort: list[SortRequest[JobSortField]] = []
    page: PageRequest | None = None


class Job(Answer):
    customHeaders: dict[str, str]
    deadline: str | None = None
    deniedReason: str | None = None
    elementId: str
    elementInstanceKey: str
    endTime: str | None = None
    errorCode: str | None = None
    errorMessage: str | None = None
    hasFailedWithRetriesLeft: bool
    isDenied: bool | None = None
    jobKey: str
    kind: str = "BPMN_ELEMENT"
    listenerEventType: str = "UNSPECIFIED"
    processDefinitionId: str
    processDefinitionKey: str
    processInstanceKey: str
    retries: int
    state: str
    tenantId: str = TENANT
    type: str
    worker: str


class JobChangeset(BaseModel):
    """The job attributes to change; a missing or null one keeps its value. Camunda ignores other
    attributes here, so this model does too."""

    # A 32-bit number in Camunda's API, as in Zeebe's gRPC protocol.
    retries: int | None = Field(None, le=2**31 - 1)
    # Milliseconds from now.
    timeout: int | None = Field(None, ge=1)


class JobUpdate(Strict):
    changeset: JobChangeset
    operationReference: int | None = None


# ----------------------------------------------------------------------------------------------- messages


class MessagePublication(Strict):
    name: str
    correlationKey: str = ""
    timeToLive: int = 0
    messageId: str | None = None
    variables: dict[str, Any] | None = None
    tenantId: str | None = None


class MessagePublished(Answer):
    tenantId: str = TENANT
    messageKey: str


# --------------------------------------------------------------------------------------------- user tasks


class UserTaskFilter(Strict):
    state: StringFilter | None = None
    assignee: StringFilter | None = None
    priority: IntegerFilter | None = None
    elementId: str | None = None
    name: StringFilter | None = None
    candidateGroup: StringFilter | None = None
    candidateUser: StringFilter | None = None
    tenantId: StringFilter | None = None
    processDefinitionId: StringFilter | None = None
    creationDate: DateTimeFilter | None = None
    completionDate: DateTimeFilter | None = None
    followUpDate: DateTimeFilter | None = None
    dueDate: DateTimeFilter | None = None
    processInstanceVariables: list[VariableValueFilter] | None = None
    localVariables: list[VariableValueFilter] | None = None
    userTaskKey: str | None = None
    processDefinitionKey: KeyFilter | None = None
    processInstanceKey: KeyFilter | None = None
    elementInstanceKey: str | None = None


UserTaskSortField = Literal["creationDate", "completionDate", "followUpDate", "dueDate", "priority", "name"]


class UserTaskSearch(Strict):
    filter: UserTaskFilter | None = None
    sort: list[SortRequest[UserTaskSortField]] = []
    page: PageRequest | None = None


class UserTask(Answer):
    name: str | None = None
    state: str
    assignee: str | None = None
    elementId: str
    candidateGroups: list[str]
    candidateUsers: list[str]
    processDefinitionId: str
    creationDate: str
    completionDate: str | None = None
    followUpDate: str | None = None
    dueDate: str | None = None
    tenantId: str = TENANT
    externalFormReference: str | None = None
    processDefinitionVersion: int
    customHeaders: dict[str, str]
    priority: int
    userTaskKey: str
    elementInstanceKey: str
    processName: str | None = None
    processDefinitionKey: str
    processInstanceKey: str
    formKey: str | None = None


class UserTaskAssignment(Strict):
    assignee: str
    allowOverride: bool | None = None
    action: str | None = None


class UserTaskCompletion(Strict):
    variables: dict[str, Any] | None = None
    action: str | None = None
