"""Top and bottom units by score [seed 002 五]: the first praised, the last criticised.

Places are shared on equal scores (1, 2, 2, 4): two units that did equally well are named
together, so a tie at the border names more than `size` units. Scores are compared as printed
(two decimals), so that no reader sees two equal scores in different places.
"""

from collections.abc import Mapping
from dataclasses import dataclass

SCORE_DECIMALS = 2


@dataclass(frozen=True)
class Placing:
    unit: str
    # 1 for the best; shared by equal scores.
    place: int
    score: float


@dataclass(frozen=True)
class Ranking:
    top: tuple[Placing, ...]
    # Worst first.
    bottom: tuple[Placing, ...]


def rank(scores: Mapping[str, float], size: int) -> Ranking:
    """The units whose place is within `size` from the top, and from the bottom. A unit in the
    top is never in the bottom too: with fewer than twice `size` units, the bottom is shorter."""
    shown = {unit: round(score, SCORE_DECIMALS) for unit, score in scores.items()}
    values = list(shown.values())
    placings = sorted(
        (Placing(unit, 1 + sum(other > score for other in values), score) for unit, score in shown.items()),
        key=lambda placing: (placing.place, placing.unit),
    )
    top = tuple(placing for placing in placings if placing.place <= size)
    named = {placing.unit for placing in top}
    bottom = tuple(
        placing
        for placing in sorted(placings, key=lambda placing: (-placing.place, placing.unit))
        if sum(other < placing.score for other in values) < size and placing.unit not in named
    )
    return Ranking(top, bottom)
