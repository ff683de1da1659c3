"""The score of a QA evaluation: pure arithmetic, no Django, tested without a database.

Score = weight of the criteria met / weight of the applicable criteria × 100, rounded half up to
one decimal. Criteria marked "not applicable" count neither way. One critical criterion not met
fails the whole evaluation: the score is 0. With no applicable criterion there is no score.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

MET = "met"
NOT_MET = "not_met"
NOT_APPLICABLE = "na"
RESULTS = (MET, NOT_MET, NOT_APPLICABLE)

SCORE_MAX = Decimal("100.0")
_ONE_DECIMAL = Decimal("0.1")


@dataclass(frozen=True)
class Answer:
    """One criterion as judged: its weight, whether it is critical, and the result."""

    weight: int
    is_critical: bool
    result: str


@dataclass(frozen=True)
class Score:
    """``value`` is ``None`` when no criterion applied."""

    value: Decimal | None
    critical_missed: bool
    met_weight: int
    applicable_weight: int


def score(answers: Iterable[Answer]) -> Score:
    met_weight = applicable_weight = 0
    critical_missed = False
    for answer in answers:
        if answer.result not in RESULTS:
            raise ValueError(f"Unknown result {answer.result!r}")
        if answer.weight < 1:
            raise ValueError("A criterion's weight is at least 1")
        if answer.result == NOT_APPLICABLE:
            continue
        applicable_weight += answer.weight
        if answer.result == MET:
            met_weight += answer.weight
        elif answer.is_critical:
            critical_missed = True
    if applicable_weight == 0:
        return Score(None, False, 0, 0)
    if critical_missed:
        value = Decimal("0.0")
    else:
        value = (Decimal(met_weight * 100) / Decimal(applicable_weight)).quantize(
            _ONE_DECIMAL, rounding=ROUND_HALF_UP
        )
    return Score(value, critical_missed, met_weight, applicable_weight)


def round_average(value) -> Decimal | None:
    """An average from the database (Decimal or float, by backend) to one decimal, half up."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(_ONE_DECIMAL, rounding=ROUND_HALF_UP)
