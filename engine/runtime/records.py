"""The ordered record log: what happened, to which key, when.

Names follow Zeebe's exporter records (value types and intents), so the log reads like Zeebe's and
can later be exported in the same shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class ValueType(StrEnum):
    DEPLOYMENT = "DEPLOYMENT"
    PROCESS = "PROCESS"
    FORM = "FORM"
    PROCESS_INSTANCE = "PROCESS_INSTANCE"
    PROCESS_INSTANCE_CREATION = "PROCESS_INSTANCE_CREATION"
    VARIABLE = "VARIABLE"
    VARIABLE_DOCUMENT = "VARIABLE_DOCUMENT"
    JOB = "JOB"
    INCIDENT = "INCIDENT"
    MESSAGE = "MESSAGE"
    MESSAGE_SUBSCRIPTION = "MESSAGE_SUBSCRIPTION"
    ERROR = "ERROR"
    USER_TASK = "USER_TASK"
    TIMER = "TIMER"
    SIGNAL = "SIGNAL"
    ESCALATION = "ESCALATION"
    DECISION_EVALUATION = "DECISION_EVALUATION"


@dataclass(frozen=True, slots=True)
class Record:
    position: int
    key: int
    timestamp: int
    value_type: ValueType
    intent: str
    process_instance_key: int | None
    value: dict[str, Any]
