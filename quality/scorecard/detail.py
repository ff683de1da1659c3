"""One standard's scorecard (the page behind a card): the card with its people, its trend per
period next to the versions published, and the criteria missed most. The figures are the
overview's (:mod:`quality.scorecard.selectors`), read per slot of the period.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.reports.period import Period, time_key, truncated
from quality import scoring
from quality.scorecard.selectors import (
    STATE_ORDER,
    Scorecard,
    cells_by_standard,
    evaluation_counts,
    evaluation_figures,
    followed_by_standard,
    known_figures,
    make_card,
    period_evaluations,
    standards_channel_ids,
    sum_pairs,
    sum_satisfaction,
    sum_sla,
)
from quality.scorecard.sources import EvaluationItem
from sla.reports.query import ReportQuery, sla_report
from standards.models import Standard, StandardVersion
from surveys.reports import satisfaction_counts


def scorecard(standard: Standard, query: Period, *, today: dt.date, grain: str):
    """One standard's card with its people, and its trend per ``grain`` (the card's period
    figures are the trend's totals: the same statements give both). About 15 queries."""
    cells = cells_by_standard([standard.pk], today)
    people = cells.get(standard.pk, [])
    trend_query = ReportQuery(
        start=query.start,
        end=query.end,
        tz=query.tz,
        group_by=grain,
        split_by_channel=True,
        channel_ids=standards_channel_ids([standard]),
        percentiles=False,
    )
    report = sla_report(trend_query)
    counts = satisfaction_counts(trend_query, by_time=True)
    satisfaction: dict[str, list] = defaultdict(list)
    for (code, _key), pair in counts.items():
        satisfaction[code].append(pair)
    card = make_card(
        standard,
        known=known_figures([cell for _user, cell in people]),
        followed=followed_by_standard(trend_query, [standard.pk]),
        sla_rows={code: series["total"] for code, series in report.series.items()},
        satisfaction={code: sum_pairs(pairs) for code, pairs in satisfaction.items()},
        people=people,
    )
    return card, report, counts


def people(card: Scorecard) -> list[dict]:
    """The drill-down: everyone the standard applies to, those who owe it first (overdue, by
    due date), then those without an obligation, then those who acknowledged."""
    order = {state: i for i, state in enumerate(STATE_ORDER)}
    rows = [{"user": user, "cell": cell, "state": cell.state} for user, cell in card.people]
    rows.sort(
        key=lambda r: (
            order[r["state"]],
            r["cell"].due_date or dt.date.max,
            (r["user"].get_full_name() or r["user"].get_username()).lower(),
        )
    )
    return rows


def criteria_failures(query: Period, standard: Standard, version) -> list[dict]:
    """The current version's criteria, most often not met first (two queries)."""
    if version is None:
        return []
    evaluations = period_evaluations(query, [standard.pk]).filter(version=version)
    counts = {
        row["criterion_id"]: row
        for row in EvaluationItem.objects.filter(evaluation__in=evaluations.values("id"))
        .order_by()
        .values("criterion_id")
        .annotate(
            met=Count("id", filter=Q(result=scoring.MET)),
            not_met=Count("id", filter=Q(result=scoring.NOT_MET)),
            na=Count("id", filter=Q(result=scoring.NOT_APPLICABLE)),
        )
    }
    rows = []
    for criterion in version.criteria.order_by("order", "id"):
        row = counts.get(criterion.pk, {"met": 0, "not_met": 0, "na": 0})
        judged = row["met"] + row["not_met"]
        rows.append(
            {
                "criterion": criterion,
                "met": row["met"],
                "not_met": row["not_met"],
                "na": row["na"],
                "not_met_pct": round(row["not_met"] * 100 / judged, 2) if judged else None,
            }
        )
    rows.sort(key=lambda r: (-r["not_met"], r["criterion"].order, r["criterion"].pk))
    return rows


def version_markers(standard: Standard, slots: list[str], grain: str, tz) -> list[tuple]:
    """(slot index, "v3 · 6 Dec") for every version of the standard published in the period
    (one query)."""
    index = {slot: i for i, slot in enumerate(slots)}
    markers = []
    for number, published_at in (
        StandardVersion.objects.filter(standard=standard, published_at__isnull=False)
        .order_by("published_at")
        .values_list("number", "published_at")
    ):
        day = published_at.astimezone(tz).date()
        slot = time_key(day, grain).isoformat()
        if slot in index:
            label = _("v%(number)s published %(date)s") % {
                "number": number,
                "date": date_format(day, "j M"),
            }
            markers.append((index[slot], label))
    return markers


def trends(
    card: Scorecard, query: ReportQuery, slots: list[str], grain: str, report, counts
) -> list[dict]:
    """One row per time slot: SLA compliance, satisfaction and evaluations on the standard's
    channels, from :func:`scorecard`'s report and counts (and one query for evaluations)."""
    codes = set(card.channel_codes)
    sla_by_slot: dict[str, list] = defaultdict(list)
    for code in codes:
        for row in report.series.get(code, {"rows": []})["rows"]:
            sla_by_slot[row["key"]].append(row)
    satisfaction_by_slot: dict[str, list] = defaultdict(list)
    for (code, key), pair in counts.items():
        if code in codes:
            satisfaction_by_slot[key].append(pair)
    trend_query = ReportQuery(start=query.start, end=query.end, tz=query.tz, group_by=grain)
    evaluations = _evaluation_trend(trend_query, card)
    return [
        {
            "key": slot,
            "sla": sum_sla(sla_by_slot.get(slot, [])),
            "satisfaction": sum_satisfaction(satisfaction_by_slot.get(slot, []), slot),
            "followed": evaluations.get(slot) or evaluation_figures(0, None, 0, 0),
        }
        for slot in slots
    ]


def _evaluation_trend(query: ReportQuery, card: Scorecard) -> dict[str, dict]:
    """Slot -> evaluation figures of the current version (one grouped query)."""
    if card.version is None:
        return {}
    rows = (
        period_evaluations(query, [card.standard.pk])
        .filter(version=card.version)
        .annotate(slot=truncated("occurred_at", query.group_by, query.zone))
        .order_by()
        .values("slot")
        .annotate(**evaluation_counts())
    )
    result = {}
    for r in rows:
        slot = r["slot"]
        slot = (slot.date() if isinstance(slot, dt.datetime) else slot).isoformat()
        result[slot] = evaluation_figures(r["count"], r["average"], r["passed"], r["critical"])
    return result
