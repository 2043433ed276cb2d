"""Account grading: A (best) to E by default from historical and potential revenue."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pydantic import StringConstraints

# A grade is one capital letter; which letters are in use is the scheme's business (up to 7).
Grade = Annotated[str, StringConstraints(pattern=r"^[A-G]$")]


@dataclass(frozen=True)
class GradeScheme:
    """Grades best first, with the minimum score (in minor units) that earns each.

    The score weighs what an account has bought (average yearly revenue over recent
    years) against what it could buy (potential revenue per year).
    """

    grades: tuple[str, ...] = ("A", "B", "C", "D", "E")
    thresholds: tuple[int, ...] = (50_000_000, 20_000_000, 5_000_000, 1_000_000, 0)
    historical_weight: float = 0.5

    def __post_init__(self) -> None:
        if not 2 <= len(self.grades) <= 7:
            raise ValueError("a grade scheme has between 2 and 7 grades")
        if len(self.thresholds) != len(self.grades):
            raise ValueError("give one threshold per grade")
        if list(self.thresholds) != sorted(self.thresholds, reverse=True):
            raise ValueError("thresholds must fall from the best grade to the worst")
        if self.thresholds[-1] != 0:
            raise ValueError("the last grade must start at 0 so every account gets a grade")
        if not 0.0 <= self.historical_weight <= 1.0:
            raise ValueError("the historical weight lies between 0 and 1")

    def score(self, historical_revenue: int, potential_revenue: int) -> int:
        weight = self.historical_weight
        return round(weight * historical_revenue + (1 - weight) * potential_revenue)

    def grade_for(self, historical_revenue: int, potential_revenue: int) -> str:
        """The suggested grade for an account's yearly revenue and potential."""
        score = self.score(historical_revenue, potential_revenue)
        for grade, threshold in zip(self.grades, self.thresholds, strict=True):
            if score >= threshold:
                return grade
        return self.grades[-1]

    def rank(self, grade: str) -> int:
        """0 for the best grade; unknown grades rank below the worst."""
        return self.grades.index(grade) if grade in self.grades else len(self.grades)


DEFAULT_SCHEME = GradeScheme()
