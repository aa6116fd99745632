"""Choose the first responsible unit (第一责任主体) that leads the handling of an appeal."""

from workers.policy import RoutingPolicy
from workers.services.keywords import keyword_hits


def first_responsible_unit(policy: RoutingPolicy, text: str) -> str:
    """The unit of the rule with the most keyword hits in `text`, the earlier rule on a tie, or the
    policy's default unit when no rule matches."""
    hits = [(keyword_hits(rule.keywords, text), rule.unit) for rule in policy.rules]
    # max() keeps the first of equal maxima, so the policy's order breaks ties.
    best_hits, best_unit = max(hits, key=lambda scored: scored[0], default=(0, policy.default_unit))
    return best_unit if best_hits > 0 else policy.default_unit
