"""Acceptance screening against the not-accepted list (不予受理范围) [seed 001 第三条㈡]."""

import re
from dataclasses import dataclass

from workers.classification_policy import AcceptanceRules
from workers.services.segment import Segmented


@dataclass(frozen=True, slots=True)
class Screening:
    accepted: bool
    # The reason code from the policy and the sentence for the appellant; both None if accepted.
    reason: str | None = None
    notice: str | None = None


def screen(rules: AcceptanceRules, text: Segmented) -> Screening:
    """The first reason, in the policy's order, whose pattern matches; too little content is the
    no-substance reason whatever the words."""
    if len(text.content_words) < rules.min_content_words:
        return _not_accepted(rules, rules.no_substance_reason)
    for code, reason in rules.reasons.items():
        if any(re.search(pattern, text.text) for pattern in reason.patterns):
            return _not_accepted(rules, code)
    return Screening(accepted=True)


def _not_accepted(rules: AcceptanceRules, code: str) -> Screening:
    return Screening(accepted=False, reason=code, notice=rules.reasons[code].notice)
