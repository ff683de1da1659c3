"""Satisfaction formulas, pure: counts in, figures out (2 decimals, None if no data)."""

from __future__ import annotations


def _pct(part: float, whole: float) -> float | None:
    return round(part * 100 / whole, 2) if whole else None


def csat_pct(satisfied: int, answers: int) -> float | None:
    """Answers of 4 or 5 out of all CSAT answers, in %."""
    return _pct(satisfied, answers)


def nps(promoters: int, detractors: int, answers: int) -> float | None:
    """% of 9–10 minus % of 0–6."""
    if not answers:
        return None
    return round((promoters - detractors) * 100 / answers, 2)


def ces_avg(total: float | None, answers: int) -> float | None:
    return round(total / answers, 2) if answers and total is not None else None


def response_rate_pct(answered: int, sent: int) -> float | None:
    return _pct(answered, sent)


def is_low(csat: int | None, nps_score: int | None) -> bool:
    """A low answer opens a follow-up: CSAT 1–2 or NPS 0–6."""
    return (csat is not None and csat <= 2) or (nps_score is not None and nps_score <= 6)
