"""The first responsible unit (第一责任主体) that leads an appeal, and the units that co-handle it
[seed 002 三]."""

from dataclasses import dataclass

from workers.classification_policy import RoutingRules
from workers.services.segment import Segmented


@dataclass(frozen=True, slots=True)
class Routing:
    lead_unit: str
    co_units: tuple[str, ...]


def route(rules: RoutingRules, text: Segmented) -> Routing:
    """The unit of the topic with the most (weighted) keyword hits leads, the earlier topic on a tie;
    the units of other topics with enough hits co-handle. No matching topic: the default unit leads
    alone."""
    hits_by_unit: dict[str, int] = {}
    for topic in rules.topics:
        hits = topic.weight * len(text.hits(topic.keywords))
        # A unit answering for several topics is scored by its best one, not their sum, so that a
        # unit with a long topic list does not win by breadth.
        if hits > hits_by_unit.get(topic.unit, 0):
            hits_by_unit[topic.unit] = hits
    if not hits_by_unit:
        return Routing(lead_unit=rules.default_unit, co_units=())
    # max() keeps the first of equal maxima, and units enter the dict in the order of their first
    # matching topic, so the policy's order breaks ties.
    lead = max(hits_by_unit, key=hits_by_unit.__getitem__)
    co_units = tuple(
        unit for unit, hits in hits_by_unit.items() if unit != lead and hits >= rules.co_unit_min_hits
    )
    return Routing(lead_unit=lead, co_units=co_units)
