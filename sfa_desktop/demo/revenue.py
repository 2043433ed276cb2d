"""Revenue history and potential that earn an account a chosen grade under the default scheme."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from sfa_desktop.core.entities import YearRevenue
from sfa_desktop.core.rules.grading import DEFAULT_SCHEME
from sfa_desktop.demo.randomness import Weighted

# Intended share of accounts per grade (percent) and the score band, in whole euros,
# each grade's score is drawn from. Bands sit inside DEFAULT_SCHEME's thresholds.
GRADE_SHARES: dict[str, int] = {"A": 10, "B": 20, "C": 30, "D": 25, "E": 15}
_GRADES = Weighted(tuple(GRADE_SHARES), tuple(GRADE_SHARES.values()))
_SCORE_BANDS: dict[str, tuple[int, int]] = {
    "A": (510_000, 3_000_000),
    "B": (205_000, 490_000),
    "C": (51_000, 195_000),
    "D": (10_200, 49_000),
    "E": (1_000, 9_800),
}
# Share of prospects (no revenue yet) per grade.
_PROSPECT_SHARE: dict[str, float] = {"A": 0.0, "B": 0.03, "C": 0.08, "D": 0.2, "E": 0.35}
_CENTS = 100


@dataclass(frozen=True)
class Revenue:
    history: tuple[YearRevenue, ...]
    historical: int  # average yearly revenue, minor units
    potential: int  # minor units per year
    grade: str


def draw_revenue(rng: random.Random, this_year: int) -> Revenue:
    """Revenue for the three years before `this_year` and a potential, graded by the scheme.

    The score (the mean of historical average and potential) is drawn log-uniformly from
    the band of a grade picked with GRADE_SHARES, so the grades spread as intended.
    """
    target = _GRADES.pick(rng)
    low, high = _SCORE_BANDS[target]
    score = round(math.exp(rng.uniform(math.log(low), math.log(high))))
    history: tuple[YearRevenue, ...] = ()
    average = 0
    if rng.random() >= _PROSPECT_SHARE[target]:
        average = round(score * rng.uniform(0.3, 0.95))
        swing = round(average * rng.uniform(-0.15, 0.25))  # growth from year to year
        amounts = (average - swing, average, average + swing)
        history = tuple(
            YearRevenue(year=this_year - 3 + index, amount=amount * _CENTS)
            for index, amount in enumerate(amounts)
        )
    potential = 2 * score - average  # so that the mean of average and potential is the score
    historical = average * _CENTS
    grade = DEFAULT_SCHEME.grade_for(historical, potential * _CENTS)
    return Revenue(history, historical, potential * _CENTS, grade)
