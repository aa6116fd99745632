"""`config/notifications.toml`: who hears of which event, through which channels, and where each
recipient is reached. Validated at start-up like every policy file (see `workers.policy`).

A recipient is the case's appellant, its lead unit, its co-handling units, every unit in the
directory, the roles that the task names in `copyTo`, or a role of `[roles]` (the hotline centre,
supervision, the leaders, the congress's, the CPPCC's and the government's offices, the forum
office). The appellant is reached only by text message: the ledger holds their phone number but no
email address, and they do not use the console's inbox.
"""

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Self

from pydantic import Field, model_validator

from workers.deadline_policy import TimeZone
from workers.policy import Text, _Policy, load_policy

NOTIFICATION_POLICY_FILE = "notifications.toml"


class Event(StrEnum):
    """The events the appeal diagrams notify of, which every jurisdiction's file must configure.
    A file may add events of its own for the other channels' diagrams (a Weibo release refused, a
    radio department chased); every event has a template `templates/notifications/<event>.j2`."""

    DISPATCHED = "dispatched"  # 派单
    REMINDER = "reminder"  # 催办
    OVERDUE = "overdue"  # 超期
    ESCALATED = "escalated"  # 督办
    RETURNED = "returned"  # 退单
    EXTENSION_DECIDED = "extension-decided"  # 延期审批结果
    REPLY = "reply"  # 答复
    SURVEY = "survey"  # 回访 / 满意度调查
    BULLETIN_PUBLISHED = "bulletin-published"  # 通报发布
    NOT_ACCEPTED = "not-accepted"  # 不予受理告知 [seed 001 第三条㈡]
    CO_UNIT_REMINDER = "co-unit-reminder"  # 会办催办 [seed 003 §二.2(5)]
    REPLY_COPIED = "reply-copied"  # 答复抄送 [seed 003 §二.4(3)]
    FORUM_NOTICE = "forum-notice"  # 论坛逾期通知 [seed 003 §九.3(1)]
    PUBLIC_NAMING = "public-naming"  # 论坛公开点名 [seed 003 §九.3(1)]
    REVIEW_OVERDUE = "review-overdue"  # 审签超时 [seed 000 三]
    INSTRUCTION_REQUESTED = "instruction-requested"  # 请领导批示 [seed 000 二]
    OPINION_OVERDUE = "opinion-overdue"  # 拟办超时 [seed 000 二]


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    INBOX = "inbox"


class Audience(StrEnum):
    """Recipients that a case, the unit directory or the task determines; any other name is a role."""

    APPELLANT = "appellant"
    LEAD_UNIT = "lead-unit"
    CO_UNITS = "co-units"
    ALL_UNITS = "all-units"
    # The roles that the task's variable `copyTo` lists (a reply copied to supervision and to the
    # congress's or the CPPCC's office [seed 003 §二.4(3)]).
    COPY_TO = "copy-to"


# Recipients that only a case determines, so an event without one (a bulletin) cannot name them.
CASE_AUDIENCES = frozenset({Audience.APPELLANT, Audience.LEAD_UNIT, Audience.CO_UNITS})
CASELESS_EVENTS = frozenset({Event.BULLETIN_PUBLISHED})


class Contact(_Policy):
    # How messages address the recipient; the key in the file when not given.
    name: Text | None = None
    email: Text | None = None
    phone: Text | None = None


class Recipients(_Policy):
    to: Text
    channels: Annotated[frozenset[Channel], Field(min_length=1)]


class EventPolicy(_Policy):
    # Empty: the event is told to nobody, which the file then says in so many words.
    recipients: tuple[Recipients, ...]


# An event's name is its template's file name and a task header's value.
EventName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$")]


class NotificationPolicy(_Policy):
    # Times in messages are local times of this zone.
    timezone: TimeZone
    # Chinese carriers deliver only texts that start with the sender's registered signature.
    sms_signature: Text
    roles: dict[Text, Contact] = Field(default_factory=dict)
    units: dict[Text, Contact] = Field(default_factory=dict)
    events: dict[EventName, EventPolicy]

    @model_validator(mode="after")
    def _check(self) -> Self:
        problems = [f"events.{event}: is required" for event in Event if event not in self.events]
        for event, policy in self.events.items():
            for index, recipients in enumerate(policy.recipients):
                key = f"events.{event}.recipients.{index}"
                problems += self._recipient_problems(event, recipients, key)
        for table, contacts in (("roles", self.roles), ("units", self.units)):
            problems += [
                f"{table}.{name}: needs an email or a phone"
                for name, contact in contacts.items()
                if contact.email is None and contact.phone is None
            ]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _recipient_problems(self, event: str, recipients: Recipients, key: str) -> list[str]:
        to = recipients.to
        if to == Audience.APPELLANT and recipients.channels != {Channel.SMS}:
            return [f"{key}.channels: the appellant is reached by sms only"]
        if to in CASE_AUDIENCES and event in CASELESS_EVENTS:
            return [f"{key}.to: a {event} event has no case, so no {to}"]
        if to in set(Audience):
            return []
        contact = self.roles.get(to)
        if contact is None:
            known = ", ".join([*Audience, *self.roles])
            return [f"{key}.to: is neither a recipient of a case nor a role of [roles] ({known}), got {to!r}"]
        return [
            f"{key}.channels: {channel} needs roles.{to}.{field}"
            for channel, field in ((Channel.EMAIL, "email"), (Channel.SMS, "phone"))
            if channel in recipients.channels and getattr(contact, field) is None
        ]


def load_notification_policy(config_dir: Path) -> NotificationPolicy:
    return load_policy(config_dir / NOTIFICATION_POLICY_FILE, NotificationPolicy)
