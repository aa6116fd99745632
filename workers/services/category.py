"""The category of an appeal (咨询, 建议, 求助, 投诉, 举报, 其他 by default) and how sure it is."""

from dataclasses import dataclass

from workers.classification_policy import CategoryRules
from workers.services.segment import Segmented


@dataclass(frozen=True, slots=True)
class CategoryDecision:
    category: str
    # The chosen category's share of the evidence, the prior weight included.
    confidence: float
    needs_person: bool


def choose_category(rules: CategoryRules, text: Segmented) -> CategoryDecision:
    """The category whose cues weigh most, the earlier one in the policy on a tie. With no cue at
    all it is the fallback category; below the threshold a person confirms the guess."""
    scores = {
        name: rules.strong_weight * len(text.hits(cues.strong)) + len(text.hits(cues.weak))
        for name, cues in rules.cues.items()
    }
    total = sum(scores.values())
    if total == 0:
        return CategoryDecision(category=rules.fallback, confidence=0.0, needs_person=True)
    best = max(scores, key=scores.__getitem__)
    confidence = round(scores[best] / (total + rules.prior_weight), 3)
    return CategoryDecision(
        category=best, confidence=confidence, needs_person=confidence < rules.confidence_threshold
    )
