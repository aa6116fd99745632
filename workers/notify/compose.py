"""What a notification says and to whom: the request a job makes, and the messages it becomes.

Pure but for reading templates: given the policy, the case as the ledger holds it and the job's
details, it returns inbox posts and outgoing emails and text messages. Every recipient but the
appellant gets the appellant masked (`workers/ledger/masking.py`), whatever their role may see in
the console: an email or a text message leaves the ledger's control once sent.
"""

import dataclasses
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal, NoReturn

import jinja2
from pydantic import AwareDatetime, BeforeValidator, StringConstraints, ValidationError, field_validator

from workers.ids import TaskHeader
from workers.ledger.events import InboxPost, _Input, _problems
from workers.ledger.masking import masked
from workers.ledger.service import CaseView, Outgoing
from workers.notification_policy import (
    CASELESS_EVENTS,
    NOTIFICATION_POLICY_FILE,
    Audience,
    Channel,
    Contact,
    NotificationPolicy,
)
from workers.services.deadlines import deadline_day_and_clock

TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "notifications"
EVENT_HEADER = TaskHeader.NOTIFICATION_EVENT


def _names(value: object) -> object:
    """A header's "supervision, congress-office" as a list; a variable's list as it is."""
    if isinstance(value, str):
        return tuple(name.strip() for name in value.split(",") if name.strip())
    return () if value is None else value


class Placing(_Input):
    unit: str
    place: int
    score: float | None = None


class BulletinRanking(_Input):
    top: tuple[Placing, ...] = ()
    bottom: tuple[Placing, ...] = ()


class NotificationRequest(_Input):
    """What a notify task says: the event (from its header) and its details, from headers and
    variables named as the ledger's tasks name them, so one variable feeds both tasks."""

    # A key of the policy's `[events]`.
    event: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    # None only for an event without a case (a bulletin).
    case_number: str | None = None
    reason: str | None = None
    note: str | None = None
    unit: str | None = None
    # Extension decided.
    decision: Literal["approved", "rejected"] | None = None
    new_due_at: AwareDatetime | None = None
    extension_refusal_reason: str | None = None
    # A step due before an event (radio-chase: the preparation or the leading official's report),
    # how its due time is counted ("上线前3个工作日"), and the broadcast itself; the event's case has
    # no due date of its own, and the template formats the times.
    step_due_at: AwareDatetime | None = None
    step_rule: str | None = None
    broadcast_at: AwareDatetime | None = None
    # Reply to the appellant, or copied to the roles of `copy_to`.
    text: str | None = None
    signer: str | None = None
    grade: Literal["A", "B", "C"] | None = None
    # Roles of `[roles]` that a reply is copied to (the `copy-to` recipients): a list, or in a task
    # header names separated by commas.
    copy_to: Annotated[tuple[str, ...], BeforeValidator(_names)] = ()
    # Bulletin published.
    bulletin_title: str | None = None
    bulletin_period: str | None = None
    bulletin_url: str | None = None
    # The compile task's ranking: {"top": [{unit, place, score}], "bottom": [...]}.
    ranking: BulletinRanking | None = None

    @field_validator("bulletin_period", mode="before")
    @classmethod
    def _period_label(cls, value: Any) -> Any:
        # The compile task returns the period as {kind, label, first, last}; its label is what to say.
        return value.get("label") if isinstance(value, dict) else value


class NotificationInputError(ValueError):
    """Variables, headers or policy a notify job cannot use. Like the ledger's input errors it names
    fields and problems, never values: it becomes the job's error message, visible in Operate."""


def notification_request(headers: Mapping[str, str], variables: Mapping[str, Any]) -> NotificationRequest:
    """The request of a notify task: its event from the `notificationEvent` header; headers win
    over variables, as they belong to the one task."""
    event = headers.get(EVENT_HEADER)
    if not event:
        raise NotificationInputError(f"task header {EVENT_HEADER}: is required")
    try:
        request = NotificationRequest.model_validate({**variables, **headers, "event": event})
    except ValidationError as error:
        raise NotificationInputError(_problems(error)) from None
    if request.case_number is None and request.event not in CASELESS_EVENTS:
        raise NotificationInputError(f"caseNumber: a {request.event} notification needs it")
    return request


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    # The text message, short enough for one or two SMS segments.
    sms: str


class Templates:
    """The Chinese Jinja2 templates, one per event, each with `subject`, `body` and `sms` blocks.

    Undefined names fail the job rather than print blanks: a template that uses a detail the job
    did not give (`{{ reason }}`) names it in the error; optional details are tested with
    `{% if note is defined %}`.
    """

    def __init__(self, policy: NotificationPolicy, directory: Path = TEMPLATES) -> None:
        self._environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader(directory),
            undefined=jinja2.StrictUndefined,
            # Plain text: nothing here becomes HTML.
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._environment.filters["datetime"] = lambda moment: local_time(moment, policy)
        self._environment.filters["unit_name"] = lambda unit: unit_name(unit, policy)
        self._environment.filters["role_name"] = lambda role: role_name(role, policy)
        self._environment.globals["fail"] = _fail

    def render(self, event: str, context: Mapping[str, Any]) -> Rendered:
        template = self._environment.get_template(f"{event}.j2")
        try:
            parts = {
                block: "".join(template.blocks[block](template.new_context(dict(context)))).strip()
                for block in ("subject", "body", "sms")
            }
        except jinja2.UndefinedError as error:
            raise NotificationInputError(f"template {event}.j2: {error.message}") from None
        return Rendered(**parts)


def local_time(moment: datetime, policy: NotificationPolicy) -> str:
    """`2025年10月9日 24:00`: a deadline at midnight reads as the end of the day before, as
    domain.md counts it, not as the start of the next."""
    day, clock = deadline_day_and_clock(moment, policy.timezone)
    return f"{day.year}年{day.month}月{day.day}日 {clock}"


def unit_name(unit: str, policy: NotificationPolicy) -> str:
    contact = policy.units.get(unit)
    return unit if contact is None or contact.name is None else contact.name


def role_name(role: str, policy: NotificationPolicy) -> str:
    """The name of a role of `[roles]` that a template names, e.g. the office an appellant asks."""
    contact = policy.roles.get(role)
    if contact is None:
        raise NotificationInputError(
            f"roles.{role}: the notification templates name this role, "
            f"but {NOTIFICATION_POLICY_FILE} has no such role"
        )
    return contact.name or role


def _fail(message: str) -> NoReturn:
    """For a template that meets a case it has no wording for, rather than print a wrong one."""
    raise NotificationInputError(message)


@dataclass(frozen=True)
class Recipient:
    name: str
    contact: Contact
    # Who sees an inbox post: a role, or a unit.
    role: str | None = None
    unit: str | None = None
    appellant: bool = False


@dataclass(frozen=True)
class Composed:
    posts: tuple[InboxPost, ...]
    messages: tuple[Outgoing, ...]


def compose(
    policy: NotificationPolicy,
    templates: Templates,
    request: NotificationRequest,
    case: CaseView | None,
    channels: Collection[Channel],
) -> Composed:
    """The messages of `request` on `case` (viewed with the appellant in the clear), on those of
    the policy's channels that are in `channels` (the ones this worker can send on)."""
    if request.event not in policy.events:
        raise NotificationInputError(
            f"task header {EVENT_HEADER}: no event {request.event!r} in {NOTIFICATION_POLICY_FILE}; "
            f"it has {', '.join(policy.events)}"
        )
    details = request.model_dump(exclude={"event", "case_number", "copy_to"}, exclude_none=True)
    posts: list[InboxPost] = []
    messages: list[Outgoing] = []
    for rule in policy.events[request.event].recipients:
        wanted = rule.channels & set(channels)
        for recipient in _recipients(policy, rule.to, case, request):
            shown = case if case is None or recipient.appellant else _masked(case)
            context = {**details, "case": shown, "recipient": recipient.name}
            rendered = templates.render(request.event, context)
            if Channel.INBOX in wanted:
                posts.append(
                    InboxPost(
                        recipient_role=recipient.role,
                        recipient_unit=recipient.unit,
                        case_number=request.case_number,
                        subject=rendered.subject,
                        body=rendered.body,
                    )
                )
            if Channel.EMAIL in wanted:
                address = _address(recipient, "email")
                messages.append(Outgoing(Channel.EMAIL, address, rendered.subject, rendered.body))
            # An appellant without a phone number (an anonymous web message) cannot be texted.
            if Channel.SMS in wanted and not (recipient.appellant and recipient.contact.phone is None):
                text = policy.sms_signature + rendered.sms
                messages.append(Outgoing(Channel.SMS, _address(recipient, "phone"), rendered.subject, text))
    return Composed(tuple(posts), tuple(messages))


def _masked(case: CaseView) -> CaseView:
    return dataclasses.replace(case, appellant=masked(case.appellant))


def _recipients(
    policy: NotificationPolicy, to: str, case: CaseView | None, request: NotificationRequest
) -> list[Recipient]:
    match to:
        case Audience.APPELLANT:
            assert case is not None  # the policy names no case's recipients for caseless events
            appellant = case.appellant
            return [Recipient(appellant.name or "市民", Contact(phone=appellant.phone), appellant=True)]
        case Audience.LEAD_UNIT:
            assert case is not None
            if case.lead_unit is None:
                raise NotificationInputError(f"case {case.case_number} has no lead unit to notify yet")
            return [_unit(policy, case.lead_unit)]
        case Audience.CO_UNITS:
            assert case is not None
            # A task about one co-unit (its overdue opinion) tells that unit only.
            units = (request.unit,) if request.unit in case.co_units else case.co_units
            return [_unit(policy, unit) for unit in units]
        case Audience.ALL_UNITS:
            return [_unit(policy, unit) for unit in policy.units]
        case Audience.COPY_TO:
            return _copies(policy, case, request)
        case role:
            return [_role(policy, role)]


def _copies(
    policy: NotificationPolicy, case: CaseView | None, request: NotificationRequest
) -> list[Recipient]:
    """The recipients `copyTo` lists: roles of [roles], or the case's units (lead-unit, co-units)."""
    copy_to = request.copy_to
    if not copy_to:
        raise NotificationInputError(
            f"copyTo: must list at least one role of [roles] (or lead-unit, co-units), as notifications.toml "
            f"tells {Audience.COPY_TO}"
        )
    case_units = (Audience.LEAD_UNIT, Audience.CO_UNITS)
    unknown = [name for name in copy_to if name not in policy.roles and name not in case_units]
    if unknown:
        known = ", ".join([*policy.roles, *case_units])
        raise NotificationInputError(
            f"copyTo: {', '.join(unknown)} is not a role of [roles] in notifications.toml nor a unit of "
            f"the case ({known})"
        )
    if case is None and set(case_units) & set(copy_to):
        raise NotificationInputError("copyTo: a notification without a case has no units to copy to")
    return [
        recipient for name in dict.fromkeys(copy_to) for recipient in _recipients(policy, name, case, request)
    ]


def _role(policy: NotificationPolicy, role: str) -> Recipient:
    contact = policy.roles[role]
    return Recipient(contact.name or role, contact, role=role)


def _unit(policy: NotificationPolicy, unit: str) -> Recipient:
    contact = policy.units.get(unit)
    if contact is None:
        raise NotificationInputError(f"unit {unit} is not in the units of notifications.toml")
    return Recipient(contact.name or unit, contact, unit=unit)


def _address(recipient: Recipient, field: Literal["email", "phone"]) -> str:
    address = getattr(recipient.contact, field)
    if address is None:
        raise NotificationInputError(f"{recipient.name} has no {field} in notifications.toml")
    return str(address)
