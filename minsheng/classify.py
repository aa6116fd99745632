"""`minsheng classify`: classify appeals given as JSON lines, without a process or a gateway.

Each input line is `{"content": ..., "channel": ..., "appellant": ...}` (optionally `title`, `id`
and `receivedAt`); each output line says what the classification worker would decide. Earlier
accepted inputs count as open cases, so a repeat within the file is linked to the first one.
"""

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from workers.classification import appellant_phone
from workers.services.appeal import Appeal, AppealClassification, AppealClassifier
from workers.services.repeats import InMemoryOpenCases, OpenCase


class InputError(ValueError):
    """An input line that is not an appeal; names the line."""


def parse_appeal(line_number: int, line: str, now: datetime) -> tuple[str, Appeal]:
    """The appeal on one input line and the id that later lines' `repeatOf` names: its `id`, or
    its line number."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise InputError(f"line {line_number}: not valid JSON: {error}") from error
    if not isinstance(record, dict):
        raise InputError(f"line {line_number}: expected a JSON object")
    received = record.get("receivedAt")
    try:
        received_at = datetime.fromisoformat(received) if isinstance(received, str) else now
    except ValueError as error:
        raise InputError(f"line {line_number}: receivedAt: {error}") from error
    if received_at.tzinfo is None:
        raise InputError(f"line {line_number}: receivedAt: needs a UTC offset, got {received!r}")
    appeal = Appeal(
        title=_text(record.get("title")),
        content=_text(record.get("content")),
        received_at=received_at,
        channel=_text(record.get("channel")),
        phone=appellant_phone(record.get("appellant")),
    )
    return str(record.get("id", line_number)), appeal


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def classify_lines(classifier: AppealClassifier, lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """One result per non-blank input line, in order."""
    open_cases = InMemoryOpenCases()
    now = datetime.now(UTC)
    for line_number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        appeal_id, appeal = parse_appeal(line_number, line, now)
        result = classifier.classify(appeal, open_cases)
        if result.accepted and result.repeat_of is None:
            open_cases.add(
                OpenCase(
                    case_id=appeal_id, received_at=appeal.received_at, phone=appeal.phone, text=appeal.text
                )
            )
        yield {"id": appeal_id, **describe(result)}


def describe(result: AppealClassification) -> dict[str, Any]:
    flags = list(result.leader_flags)
    if result.needs_manual_classification:
        flags.append("manual_classification")
    if result.repeat_of is not None:
        flags.append("repeat")
    return {
        "category": result.category,
        "confidence": result.category_confidence,
        "accepted": result.accepted,
        "reason": result.not_accepted_reason,
        "notice": result.not_accepted_notice,
        "leadUnit": result.lead_unit,
        "coUnits": list(result.co_units),
        "needsLeaderInstruction": result.needs_leader_instruction,
        "needsManualClassification": result.needs_manual_classification,
        "repeatOf": result.repeat_of,
        "flags": flags,
    }
