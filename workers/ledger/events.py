"""What the processes tell the ledger: a new case, and the events of its life.

Field names are the process variables' (camelCase). A task's custom headers may give the same
fields: a diagram names the event (`ledgerEvent`) and its fixed parts (`status`, `actor`) in headers,
and passes what varies (`caseNumber`, `reason`, `dueAt`) as variables. Headers win, as they belong to
the one task while a variable of the same name may be left over from an earlier step.
"""

from collections.abc import Mapping
from typing import Annotated, Any, Literal, Self, get_args

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    model_validator,
)
from pydantic.alias_generators import to_camel

from workers.ids import TaskHeader

KIND_HEADER = TaskHeader.LEDGER_EVENT

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def _blank_as_none(value: object) -> object:
    """A form's empty field (absent, null or blank) as no value; other text stripped."""
    if isinstance(value, str):
        return value.strip() or None
    return value


class _Input(BaseModel):
    # Variables of other events are fetched too (one job type records every event), so unknown
    # fields are ignored here; unknown headers are refused by `ledger_event`.
    model_config = ConfigDict(
        frozen=True, extra="ignore", alias_generator=to_camel, validate_by_name=True, validate_by_alias=True
    )


class AppellantDetails(_Input):
    name: Name | None = None
    phone: Name | None = None
    address: Name | None = None
    confidential: bool = False


class CaseRegistration(_Input):
    channel: Name
    # The worker's clock when absent.
    received_at: AwareDatetime | None = None
    appellant: AppellantDetails = AppellantDetails()
    title: str | None = None
    content: str | None = None
    location: str | None = None


class _CaseEvent(_Input):
    case_number: Name


class Transition(_CaseEvent):
    kind: Literal["transition"]
    status: Name
    actor: str | None = None
    note: str | None = None


class Details(_CaseEvent):
    """What classification, screening and dispatch found out; only the fields given change."""

    kind: Literal["details"]
    category: str | None = None
    accepted: bool | None = None
    acceptance_reason: str | None = None
    lead_unit: str | None = None
    co_units: tuple[str, ...] = ()
    location: str | None = None


class Deadline(_CaseEvent):
    kind: Literal["deadline"]
    due_at: AwareDatetime
    reason: str | None = None


class Reminder(_CaseEvent):
    kind: Literal["reminder"]
    # The case's lead unit when absent.
    unit: str | None = None
    note: str | None = None


class Return(_CaseEvent):
    kind: Literal["return"]
    unit: str | None = None
    reason: Name


class Extension(_CaseEvent):
    kind: Literal["extension"]
    unit: str | None = None
    requested_at: AwareDatetime | None = None
    reason: Name
    signer: str | None = None
    decision: Literal["approved", "rejected"]
    new_due_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _check_new_due(self) -> Self:
        if self.decision == "approved" and self.new_due_at is None:
            raise ValueError("an approved extension needs newDueAt")
        return self


class Escalation(_CaseEvent):
    kind: Literal["escalation"]
    unit: str | None = None
    reason: Name


class Reply(_CaseEvent):
    kind: Literal["reply"]
    unit: str | None = None
    # Blank when the front desk cites a knowledge base entry without words of its own: the entry's
    # answer is then the reply.
    text: Annotated[str | None, BeforeValidator(_blank_as_none)] = None
    signer: str | None = None
    grade: Literal["A", "B", "C"] | None = None
    # The knowledge base entry (ZS...) the reply cites (首问首接); it must be published and valid.
    # Named apart from the intake form's `knowledgeEntry` and given by the recording task's input
    # mapping only, so that no later reply of the same process picks up a citation left over.
    cited_entry: Annotated[str | None, BeforeValidator(_blank_as_none)] = None

    @model_validator(mode="after")
    def _check_text(self) -> Self:
        if self.text is None and self.cited_entry is None:
            raise ValueError("a reply needs its text or the citedEntry it cites")
        return self


class Satisfaction(_CaseEvent):
    kind: Literal["satisfaction"]
    visited_at: AwareDatetime | None = None
    result: Name
    note: str | None = None


class Archive(_CaseEvent):
    kind: Literal["archive"]


class Activity(_CaseEvent):
    """A step of a channel that is not an appeal's (a preview published, attendees selected, an answer
    approved on air), with the figures its channel's report counts (`activityData`, which a diagram
    sets with an input mapping on the recording task so that no earlier step's figures carry over)."""

    kind: Literal["activity"]
    activity: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,59}$")]
    label: Name
    unit: str | None = None
    actor: str | None = None
    # When it happened, if not when it is recorded (a broadcast recorded the next morning).
    occurred_at: AwareDatetime | None = None
    activity_data: dict[str, Any] = Field(default_factory=dict)


LedgerEvent = Annotated[
    Transition
    | Details
    | Deadline
    | Reminder
    | Return
    | Extension
    | Escalation
    | Reply
    | Satisfaction
    | Archive
    | Activity,
    Field(discriminator="kind"),
]
_EVENTS: TypeAdapter[LedgerEvent] = TypeAdapter(LedgerEvent)
EVENT_MODELS: tuple[type[_CaseEvent], ...] = get_args(get_args(LedgerEvent)[0])


class InboxPost(_Input):
    """A message for the console's inbox: for everyone who matches all the recipients given."""

    recipient_role: str | None = None
    recipient_unit: str | None = None
    recipient_user: str | None = None
    case_number: str | None = None
    subject: Name
    body: str

    @model_validator(mode="after")
    def _check_recipient(self) -> Self:
        if self.recipient_role is None and self.recipient_unit is None and self.recipient_user is None:
            raise ValueError("a message needs a recipient role, unit or user")
        return self


def fetched_variables(*models: type[BaseModel]) -> list[str]:
    """The process variables that `models` read, for the job activation to fetch; an event's kind
    comes from its task's header, never from a variable."""
    names = {field.alias or name for model in models for name, field in model.model_fields.items()}
    return sorted(names - {"kind"})


class LedgerInputError(ValueError):
    """Variables or headers a ledger task cannot use. The message names the fields and the problems
    but never the values: it becomes the job's error message, visible in Operate, and the values
    may be an appellant's personal data."""


def case_registration(
    headers: Mapping[str, str], variables: Mapping[str, Any], channel: str
) -> CaseRegistration:
    """The case a `register` task describes; `channel` applies when neither a header nor a variable
    names one (the process id, by domain.md's channel table)."""
    try:
        return CaseRegistration.model_validate({"channel": channel, **variables, **headers})
    except ValidationError as error:
        raise LedgerInputError(_problems(error)) from None


def ledger_event(headers: Mapping[str, str], variables: Mapping[str, Any]) -> LedgerEvent:
    """The event a `record` task describes: its kind from the `ledgerEvent` header, its fields from
    the other headers and the variables."""
    try:
        event = _EVENTS.validate_python({**variables, **headers, "kind": headers.get(KIND_HEADER)})
    except ValidationError as error:
        # The only error without a location is the tag's: no header or an unknown one.
        raise LedgerInputError(_problems(error, f"task header {KIND_HEADER}")) from None
    fields = {field.alias for field in type(event).model_fields.values()}
    unknown = headers.keys() - fields - {KIND_HEADER}
    if unknown:
        raise LedgerInputError(
            f"task headers that a {event.kind} event does not use: {', '.join(sorted(unknown))}"
        )
    return event


def _problems(error: ValidationError, unlocated: str = "variables") -> str:
    details = error.errors(include_input=False, include_url=False, include_context=False)
    return "; ".join(
        f"{'.'.join(str(part) for part in detail['loc']) or unlocated}: {detail['msg']}" for detail in details
    )
