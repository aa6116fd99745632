"""`config/classification.toml`: the lexicons and rules that classify an appeal's text.

Which words mark a complaint, which topics a unit answers for first, what is not accepted and what
goes to a leader are a jurisdiction's policy (domain.md), so a process owner edits them here and
tries the change with `minsheng classify` before any process runs.
"""

import re
from pathlib import Path
from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from workers.policy import HOTLINE_POLICY_FILE, HotlinePolicy, PolicyError, Text, load_policy

CLASSIFICATION_POLICY_FILE = "classification.toml"


def _regex(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as error:
        raise ValueError(f"not a valid regular expression: {error}") from None
    return pattern


Pattern = Annotated[Text, AfterValidator(_regex)]
Words = tuple[Text, ...]
Share = Annotated[float, Field(ge=0, le=1)]


class _Rules(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SegmentationRules(_Rules):
    # Words jieba would otherwise split or merge wrongly (place names, hotline jargon).
    user_words: Words = ()
    # Words that carry no content: they do not count as substance or towards similarity.
    stopwords: Words = ()


class CategoryCues(_Rules):
    # An appellant naming the category ("我要投诉") outweighs a word that merely suggests it.
    strong: Words = ()
    weak: Words = ()


class CategoryRules(_Rules):
    fallback: Text
    # Below this confidence a person classifies the appeal.
    confidence_threshold: Share
    strong_weight: Annotated[float, Field(gt=0)]
    # Evidence a category must outweigh to be sure: one weak cue alone is not certainty.
    prior_weight: Annotated[float, Field(ge=0)]
    cues: Annotated[dict[Text, CategoryCues], Field(min_length=1)]


class NotAcceptedReason(_Rules):
    # The sentence the appellant receives, in the plain language domain.md asks replies to use.
    notice: Text
    patterns: tuple[Pattern, ...] = ()


class AcceptanceRules(_Rules):
    # Fewer content words than this is "no substantive content" whatever the words are.
    min_content_words: Annotated[int, Field(ge=0)]
    # The reason for too little content; it must be one of `reasons`.
    no_substance_reason: Text
    # Screened in this order; the first reason with a matching pattern is given.
    reasons: Annotated[dict[Text, NotAcceptedReason], Field(min_length=1)]


class Topic(_Rules):
    topic: Text
    unit: Text
    # Multiplies the topic's hits, for a topic that should lead whenever it is present at all.
    weight: Annotated[int, Field(ge=1)] = 1
    keywords: Annotated[Words, Field(min_length=1)]


class RoutingRules(_Rules):
    # Takes what no topic matches; usually the hotline centre, which then dispatches by hand.
    default_unit: Text
    # A second topic's unit co-handles only with this much evidence, so that one incidental word
    # does not pull a unit into a case.
    co_unit_min_hits: Annotated[int, Field(ge=1)]
    topics: Annotated[tuple[Topic, ...], Field(min_length=1)]


class Unit(_Rules):
    name: Text


class LeaderInstructionRules(_Rules):
    # flag (sensitive, important, emergency, ...) → patterns; any match sends the appeal to a leader.
    flags: dict[Text, tuple[Pattern, ...]]


class RepeatRules(_Rules):
    window_days: Annotated[int, Field(ge=1)]
    # Similarity (Jaccard over character pairs) at which an appeal repeats anyone's open case...
    similarity_threshold: Share
    # ...and the lower one that suffices when the same appellant (phone) wrote both.
    same_appellant_threshold: Share


class ClassificationPolicy(_Rules):
    segmentation: SegmentationRules = SegmentationRules()
    categories: CategoryRules
    acceptance: AcceptanceRules
    routing: RoutingRules
    units: Annotated[dict[Text, Unit], Field(min_length=1)]
    leader_instruction: LeaderInstructionRules
    repeats: RepeatRules

    @model_validator(mode="after")
    def _check_references(self) -> Self:
        if self.categories.fallback not in self.categories.cues:
            raise ValueError(
                f"categories.fallback: must be one of {', '.join(self.categories.cues)}, "
                f'got "{self.categories.fallback}"'
            )
        if self.acceptance.no_substance_reason not in self.acceptance.reasons:
            raise ValueError(
                f"acceptance.no_substance_reason: must be one of {', '.join(self.acceptance.reasons)}, "
                f'got "{self.acceptance.no_substance_reason}"'
            )
        named = [("routing.default_unit", self.routing.default_unit)] + [
            (f"routing.topics.{index}.unit", topic.unit) for index, topic in enumerate(self.routing.topics)
        ]
        for key, unit in named:
            if unit not in self.units:
                raise ValueError(f'{key}: "{unit}" is not in [units]')
        return self


def load_classification_policy(config_dir: Path) -> ClassificationPolicy:
    return load_policy(config_dir / CLASSIFICATION_POLICY_FILE, ClassificationPolicy)


def category_limits(hotline: HotlinePolicy, classification: ClassificationPolicy) -> dict[str, int]:
    """Each category's time limit in working days; every category the classifier can choose must
    have one, or the process would start without a deadline."""
    missing = [name for name in classification.categories.cues if name not in hotline.categories]
    if missing:
        raise PolicyError(
            "\n".join(
                f"{CLASSIFICATION_POLICY_FILE}: categories.cues.{name}: has no limit_working_days "
                f"in categories of {HOTLINE_POLICY_FILE}"
                for name in missing
            )
        )
    return {name: hotline.categories[name].limit_working_days for name in classification.categories.cues}
