"""Classify one appeal: acceptance, category, first responsible unit, leader instruction, repeats."""

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from workers.classification_policy import ClassificationPolicy
from workers.services.acceptance import screen
from workers.services.category import choose_category
from workers.services.leader_instruction import leader_flags
from workers.services.repeats import OpenCases, find_repeat, shingles
from workers.services.route import route
from workers.services.segment import Segmenter

# About a month of a city's hotline cases.
OPEN_CASES_CACHED = 100_000


@dataclass(frozen=True, slots=True)
class Appeal:
    title: str | None
    content: str | None
    received_at: datetime
    channel: str | None = None
    phone: str | None = None
    # The appeal's case number when the process registered it before classifying it.
    case_id: str | None = None

    @property
    def text(self) -> str:
        """What the appeal is judged on: its title (the operator's summary) and its content."""
        return "\n".join(part for part in (self.title, self.content) if part)


@dataclass(frozen=True, slots=True)
class AppealClassification:
    category: str
    category_confidence: float
    needs_manual_classification: bool
    accepted: bool
    not_accepted_reason: str | None
    not_accepted_notice: str | None
    lead_unit: str
    co_units: tuple[str, ...]
    leader_flags: tuple[str, ...]
    repeat_of: str | None

    @property
    def needs_leader_instruction(self) -> bool:
        return bool(self.leader_flags)


class AppealClassifier:
    """The policy's rules over jieba's words; building one loads jieba's dictionary, so build it once."""

    def __init__(self, policy: ClassificationPolicy) -> None:
        self.policy = policy
        self._segmenter = Segmenter(policy.segmentation.user_words, policy.segmentation.stopwords)
        # Every new appeal is compared with every open case in the window: segment each case once.
        self._case_shingles = lru_cache(maxsize=OPEN_CASES_CACHED)(self._shingles)

    def _shingles(self, text: str) -> frozenset[str]:
        return shingles(self._segmenter.segment(text).content_words)

    def classify(self, appeal: Appeal, open_cases: OpenCases) -> AppealClassification:
        text = self._segmenter.segment(appeal.text)
        category = choose_category(self.policy.categories, text)
        screening = screen(self.policy.acceptance, text)
        routing = route(self.policy.routing, text)
        return AppealClassification(
            category=category.category,
            category_confidence=category.confidence,
            needs_manual_classification=category.needs_person,
            accepted=screening.accepted,
            not_accepted_reason=screening.reason,
            not_accepted_notice=screening.notice,
            lead_unit=routing.lead_unit,
            co_units=routing.co_units,
            leader_flags=leader_flags(self.policy.leader_instruction, text.text),
            repeat_of=find_repeat(
                self.policy.repeats,
                shingles(text.content_words),
                appeal.phone,
                appeal.received_at,
                open_cases,
                self._case_shingles,
                own_case=appeal.case_id,
            ),
        )
