"""Each standard's scorecard: is it known, followed and working (design.md, "Why it exists").

Nothing here has a formula of its own; every figure comes from the code that owns it:

* Known: training's "who owes what" (:func:`training.selectors.assigned_pairs`, one SQL rule
  that training's own pages read too): of the people a track asks to acknowledge the standard,
  those ``acknowledged`` (no open obligation, an acknowledgement on record), ``outstanding`` or
  ``overdue`` (an open obligation, past its due date); counted in the database for the
  overview, cell by cell (:func:`training.selectors.build_rows`) for one standard's people.
* Followed: QA evaluations against the current (published) version whose interaction lies in
  the period: their average score, the share at or above ``QUALITY_EVALUATION_PASS_PCT`` (no
  pass mark exists elsewhere; this setting declares one), critical failures, and per criterion
  how often it was not met.
* Working: the SLA report (:func:`sla.reports.query.sla_report`) and the satisfaction counts
  (:func:`surveys.reports.satisfaction_counts`) by channel, summed over the standard's channels
  before dividing, so the figures follow design.md's formulas.

Queries are bounded whatever the number of standards, people and contacts: the overview reads
every standard in one pass (about 15 queries), a scorecard a few more for its trends
(:mod:`quality.scorecard.detail`, one standard's page).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import Avg, Count, Q
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.db import without_jit
from core.reports.cache import shared
from core.reports.period import Period
from quality import scoring
from quality.scorecard.sources import current_evaluations
from sla.reports.query import ReportQuery, compliance_pct, sla_report
from standards.models import Standard, StandardVersion
from surveys.reports import row_from_counts, satisfaction_counts
from training.selectors import build_rows, percent, standard_states, users_assigned_to

# The cell states of training's rule, in the order the people list shows them.
STATE_ORDER = ("overdue", "outstanding", "unavailable", "acknowledged")
_SLA_COUNTS = ("contacts", "first_response_met", "first_response_breached", "resolution_met")
_SLA_COUNTS += ("resolution_breached",)


def pass_mark() -> int:
    """The evaluation score (%) at or above which an evaluation passes."""
    return settings.QUALITY_EVALUATION_PASS_PCT


@dataclass
class Scorecard:
    standard: Standard
    version: StandardVersion | None
    channel_codes: list[str]
    known: dict
    followed: dict
    sla: dict
    satisfaction: dict
    attention: float | None = None
    weakest: str = ""
    people: list = field(default_factory=list)

    def as_row(self) -> dict:
        """The standards report's row (docs/api.md)."""
        return {
            "standard": self.standard.slug,
            "version": self.version.number if self.version else None,
            "known_pct": self.known["known_pct"],
            "acknowledged": self.known["acknowledged"],
            "outstanding": self.known["outstanding"],
            "overdue": self.known["overdue"],
            "evaluations": self.followed["evaluations"],
            "evaluation_avg_pct": self.followed["avg_pct"],
            "evaluation_pass_pct": self.followed["pass_pct"],
            "first_response_compliance_pct": self.sla["first_response_compliance_pct"],
            "resolution_compliance_pct": self.sla["resolution_compliance_pct"],
            "csat_pct": self.satisfaction["csat_pct"],
            "nps": self.satisfaction["nps"],
            "responses": self.satisfaction["responses"],
        }


# The report's columns, in the order of docs/api.md (and of the CSV).
ROW_FIELDS = (
    "standard",
    "version",
    "known_pct",
    "acknowledged",
    "outstanding",
    "overdue",
    "evaluations",
    "evaluation_avg_pct",
    "evaluation_pass_pct",
    "first_response_compliance_pct",
    "resolution_compliance_pct",
    "csat_pct",
    "nps",
    "responses",
)


# --- Known ----------------------------------------------------------------------------------


def known_figures(cells: list) -> dict:
    """Counts of the cells' states: outstanding includes overdue (as training's matrix)."""
    counts = dict.fromkeys(STATE_ORDER, 0)
    for cell in cells:
        counts[cell.state] += 1
    return _known_counts(counts)


def _known_counts(states: dict[str, int]) -> dict:
    """The figures of :func:`known_figures` from training's counts per state."""
    states = {state: states.get(state, 0) for state in STATE_ORDER}
    assigned = sum(states.values())
    return {
        "assigned": assigned,
        "acknowledged": states["acknowledged"],
        "outstanding": states["outstanding"] + states["overdue"],
        "overdue": states["overdue"],
        "unavailable": states["unavailable"],
        "known_pct": percent(states["acknowledged"], assigned) if assigned else None,
    }


def cells_by_standard(standard_ids: list[int], today: dt.date) -> dict[int, list]:
    """standard id -> [(user, cell)] of everyone a track asks to acknowledge it (7 queries)."""
    users = list(users_assigned_to(standard_ids))
    result: dict[int, list] = defaultdict(list)
    for row in build_rows(users, standard_ids=standard_ids, today=today):
        for standard_id, cell in row.cells.items():
            result[standard_id].append((row.user, cell))
    return result


# --- Followed -------------------------------------------------------------------------------


def period_evaluations(query: Period, standard_ids: list[int]):
    """Evaluations against the standards' published versions, interaction in the period."""
    lo, hi = query.bounds()
    return current_evaluations().filter(
        standard_id__in=standard_ids,
        version__status=StandardVersion.Status.PUBLISHED,
        occurred_at__gte=lo,
        occurred_at__lt=hi,
    )


def evaluation_figures(count, average, passed, critical) -> dict:
    return {
        "evaluations": count or 0,
        "avg_pct": (
            float(scoring.round_average(average)) if count and average is not None else None
        ),
        "pass_pct": round(passed * 100 / count, 2) if count else None,
        "critical": critical or 0,
    }


def evaluation_counts() -> dict:
    """The aggregates behind :func:`evaluation_figures`, for any grouping of evaluations."""
    return {
        "count": Count("id"),
        "average": Avg("score"),
        "passed": Count("id", filter=Q(score__gte=pass_mark())),
        "critical": Count("id", filter=Q(critical_missed=True)),
    }


def followed_by_standard(query: Period, standard_ids: list[int]) -> dict[int, dict]:
    """standard id -> evaluation figures (one query)."""
    rows = (
        period_evaluations(query, standard_ids)
        .order_by()
        .values("standard_id")
        .annotate(**evaluation_counts())
    )
    return {
        r["standard_id"]: evaluation_figures(r["count"], r["average"], r["passed"], r["critical"])
        for r in rows
    }


# --- Working --------------------------------------------------------------------------------


def sum_sla(rows: list[dict]) -> dict:
    total = dict.fromkeys(_SLA_COUNTS, 0)
    for row in rows:
        for name in _SLA_COUNTS:
            total[name] += row[name]
    total["first_response_compliance_pct"] = compliance_pct(
        total["first_response_met"], total["first_response_breached"]
    )
    total["resolution_compliance_pct"] = compliance_pct(
        total["resolution_met"], total["resolution_breached"]
    )
    return total


def sum_pairs(pairs) -> tuple[dict, dict]:
    responses, invitations = defaultdict(int), defaultdict(int)
    for r, i in pairs:
        for name, value in r.items():
            responses[name] += value or 0
        for name, value in i.items():
            invitations[name] += value or 0
    return responses, invitations


def sum_satisfaction(pairs, key=None) -> dict:
    return row_from_counts(key, *sum_pairs(pairs))


# --- Ranking --------------------------------------------------------------------------------


def _figure_names() -> tuple[str, ...]:
    """The names of the ranked figures, translated once per read (not once per standard:
    looking up the active language costs more than the ranking)."""
    return (
        _("Known"),
        _("Evaluations passed"),
        _("First response in time"),
        _("Resolution in time"),
        _("CSAT"),
    )


def _attention(card: Scorecard, names: tuple[str, ...]) -> tuple[float | None, str]:
    """How far the standard's percentage figures fall short of 100, on average, and the
    weakest of them: the overview ranks the largest shortfall first."""
    values = (
        card.known["known_pct"],
        card.followed["pass_pct"],
        card.sla["first_response_compliance_pct"],
        card.sla["resolution_compliance_pct"],
        card.satisfaction["csat_pct"],
    )
    present = [
        (name, value) for name, value in zip(names, values, strict=True) if value is not None
    ]
    if not present:
        return None, ""
    shortfall = sum(100 - float(value) for _name, value in present) / len(present)
    weakest = min(present, key=lambda pair: pair[1])[0]
    return round(shortfall, 2), weakest


def rank_key(card: Scorecard):
    """Most attention first: the largest shortfall, then the most overdue people; standards
    with no figure at all last, by title."""
    return (
        card.attention is None,
        -(card.attention or 0),
        -card.known["overdue"],
        card.standard.title.lower(),
    )


# --- The reads ------------------------------------------------------------------------------


def standards_in_scope(slugs=None):
    """Published standards with their channels and current version (three queries)."""
    qs = Standard.objects.published().with_current_version(criteria=False).order_by("title")
    if slugs is not None:
        qs = qs.filter(slug__in=slugs)
    return list(qs)


def standards_channel_ids(standards) -> tuple[int, ...]:
    return tuple(sorted({channel.pk for s in standards for channel in s.channels.all()}))


def make_card(
    standard, *, known, followed, sla_rows, satisfaction, people=(), names=None
) -> Scorecard:
    """One standard's card from figures read for many: its channels' rows are summed."""
    codes = [channel.code for channel in standard.channels.all()]
    card = Scorecard(
        standard=standard,
        version=standard.current_version,
        channel_codes=codes,
        known=known,
        followed=followed.get(standard.pk) or evaluation_figures(0, None, 0, 0),
        sla=sum_sla([sla_rows[code] for code in codes if code in sla_rows]),
        satisfaction=sum_satisfaction([satisfaction[c] for c in codes if c in satisfaction]),
        people=list(people),
    )
    card.attention, card.weakest = _attention(card, names or _figure_names())
    return card


def scorecards(
    query: Period, *, today: dt.date, standards: list[Standard] | None = None
) -> list[Scorecard]:
    """Every published standard's scorecard for the period, most attention first (the counts
    of "known", not the people: see :func:`scorecard` for one standard's).

    ``query`` gives the period (``start``/``end``/``tz``; any grouping is ignored). About 12
    queries whatever the number of standards, people and contacts.
    """
    standards = standards_in_scope() if standards is None else standards
    if not standards:
        return []
    ids = [s.pk for s in standards]
    period = ReportQuery(
        start=query.start,
        end=query.end,
        tz=query.tz,
        group_by="channel",
        channel_ids=standards_channel_ids(standards),
        percentiles=False,
    )
    with without_jit():
        states = standard_states(ids, today=today)
        followed = followed_by_standard(period, ids)
        sla_rows = {row["key"]: row for row in sla_report(period).rows}
        counts = satisfaction_counts(period)
    satisfaction = {code: pair for (code, _key), pair in counts.items()}
    names = _figure_names()
    cards = [
        make_card(
            standard,
            known=_known_counts(states.get(standard.pk, {})),
            followed=followed,
            sla_rows=sla_rows,
            satisfaction=satisfaction,
            names=names,
        )
        for standard in standards
    ]
    cards.sort(key=rank_key)
    return cards


def shared_scorecards(query: Period, *, today: dt.date) -> list[Scorecard]:
    """:func:`scorecards` of every standard, shared through the cache for as long as the SLA
    dashboard shares its figures (a minute): every manager looking in the same minute, on the
    page or through the API, shares one computation, as on the SLA dashboard."""
    key = (
        f"quality:scorecards:v1:{connection.settings_dict['NAME']}:{query.start}:{query.end}:"
        f"{query.tz}:{today}:{get_language()}"
    )
    return shared(key, lambda: scorecards(query, today=today))
