"""Satisfaction formulas, pure: counts in, figures out (2 decimals, None if no data)."""

from __future__ import annotations

from surveys import scales


def _pct(part: float, whole: float) -> float | None:
    return round(part * 100 / whole, 2) if whole else None


def csat_pct(satisfied: int, answers: int) -> float | None:
    """Satisfied answers (``scales.SATISFIED``) out of all CSAT answers, in %."""
    return _pct(satisfied, answers)


def nps(promoters: int, detractors: int, answers: int) -> float | None:
    """% of promoters minus % of detractors (``scales.PROMOTER``, ``scales.DETRACTOR``)."""
    if not answers:
        return None
    return round((promoters - detractors) * 100 / answers, 2)


def ces_avg(total: float | None, answers: int) -> float | None:
    return round(total / answers, 2) if answers and total is not None else None


def response_rate_pct(answered: int, sent: int) -> float | None:
    return _pct(answered, sent)


def is_low(csat: int | None, nps_score: int | None) -> bool:
    """A low answer opens a follow-up (the thresholds are ``scales``')."""
    return scales.is_low(csat, nps_score)
