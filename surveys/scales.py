"""The survey scales and their thresholds, declared once (docs/design.md, "Satisfaction").

CSAT 1–5, satisfied at 4 or 5; NPS 0–10, promoters 9–10 and detractors 0–6; CES 1–7, a mean.
A low answer (CSAT 1–2 or NPS 0–6) opens a follow-up. The model's constraints, the answer
services, the API serializer, the survey pages, the selectors and the reports all read these,
so changing how CSAT is counted is a change here (and a migration if a range changes).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q


@dataclass(frozen=True)
class Scale:
    """A question's whole-number answers, from ``low`` to ``high`` inclusive."""

    name: str
    low: int
    high: int

    @property
    def scores(self) -> range:
        return range(self.low, self.high + 1)

    def contains(self, score: int) -> bool:
        return self.low <= score <= self.high

    def stored_range(self) -> Q:
        """The database constraint: no answer, or one on the scale."""
        return Q(**{f"{self.name}__isnull": True}) | Q(
            **{f"{self.name}__gte": self.low, f"{self.name}__lte": self.high}
        )


CSAT = Scale("csat", 1, 5)
NPS = Scale("nps", 0, 10)
CES = Scale("ces", 1, 7)
SCALES = {scale.name: scale for scale in (CSAT, NPS, CES)}

CSAT_SATISFIED_MIN = 4  # 4 or 5 counts as satisfied (the CSAT %)
CSAT_LOW_MAX = 2  # 1 or 2 is a low answer: it opens a follow-up
NPS_PROMOTER_MIN = 9  # 9–10
NPS_DETRACTOR_MAX = 6  # 0–6

SATISFIED = Q(csat__gte=CSAT_SATISFIED_MIN)
PROMOTER = Q(nps__gte=NPS_PROMOTER_MIN)
DETRACTOR = Q(nps__lte=NPS_DETRACTOR_MAX)
# The responses list's "low" and "high" filters, and the follow-up rule as a filter.
LOW = Q(csat__lte=CSAT_LOW_MAX) | DETRACTOR
HIGH = SATISFIED | PROMOTER


def is_low(csat: int | None, nps: int | None) -> bool:
    """A low answer opens a follow-up: CSAT 1–2 or NPS 0–6 (``LOW`` in Python)."""
    return (csat is not None and csat <= CSAT_LOW_MAX) or (
        nps is not None and nps <= NPS_DETRACTOR_MAX
    )
