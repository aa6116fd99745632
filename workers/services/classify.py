"""Classify an appeal into one of the jurisdiction's categories by keyword evidence."""

from dataclasses import dataclass

from workers.policy import HotlinePolicy
from workers.services.keywords import keyword_hits


@dataclass(frozen=True, slots=True)
class Classification:
    category: str
    # The chosen category's share of all keyword hits: 1.0 when only its keywords occur.
    confidence: float
    limit_working_days: int


def classify(policy: HotlinePolicy, text: str) -> Classification:
    """Choose the category whose keywords occur most in `text`, the earlier one in the policy on a
    tie; when its share of the evidence is below the policy's threshold, or there is no evidence,
    choose the fallback category so that a person decides instead of a guess."""
    hits = {name: keyword_hits(category.keywords, text) for name, category in policy.categories.items()}
    total = sum(hits.values())
    best = max(hits, key=hits.__getitem__)
    if total == 0 or hits[best] / total < policy.classification.confidence_threshold:
        best = policy.classification.fallback_category
    return Classification(
        category=best,
        confidence=hits[best] / total if total else 0.0,
        limit_working_days=policy.categories[best].limit_working_days,
    )
