"""How much of each record kind an account gets, by grade, with some jitter."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

from sfa_desktop.demo.allocation import allocate
from sfa_desktop.demo.state import AccountRef

CONTACTS_BY_GRADE: Mapping[str, float] = {"A": 4.0, "B": 2.5, "C": 1.5, "D": 0.8, "E": 0.5}
OPPORTUNITIES_BY_GRADE: Mapping[str, float] = {"A": 3.0, "B": 2.0, "C": 1.2, "D": 0.6, "E": 0.3}
ACTIVITIES_BY_GRADE: Mapping[str, float] = {"A": 5.0, "B": 3.0, "C": 2.0, "D": 1.0, "E": 0.5}
EVENTS_BY_GRADE: Mapping[str, float] = {"A": 4.0, "B": 3.0, "C": 2.0, "D": 1.0, "E": 0.5}
TASKS_BY_GRADE: Mapping[str, float] = {"A": 3.0, "B": 2.0, "C": 1.5, "D": 1.0, "E": 0.7}


def per_account(
    total: int,
    accounts: Sequence[AccountRef],
    by_grade: Mapping[str, float],
    rng: random.Random,
    minimum: int = 0,
) -> list[int]:
    """Split `total` records over `accounts` in proportion to grade, jittered by +-50%."""
    weights = [by_grade[account.grade] * rng.uniform(0.5, 1.5) for account in accounts]
    return allocate(total, weights, minimum)
