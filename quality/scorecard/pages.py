"""What the scorecard pages show beyond the figures: the trends drawn as charts (marked at the
dates the standard's versions were published), and the links to the rows behind each figure
(evaluations, breached contacts, low-score answers) on the existing list pages."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from core.db import without_jit
from core.reports import charts
from core.reports.period import Period, slot_ticks, time_slots, trend_grain
from quality.scorecard import detail
from quality.scorecard.sources import EVALUATION_LIST_URL
from sla.reports.dashboard import contacts_list_url, grain_label
from standards.models import Standard

PEOPLE_SHOWN = 200


def standard_or_none(slug: str) -> Standard | None:
    """The standard with its channels and current version and its criteria (four queries)."""
    return Standard.objects.with_current_version(criteria=True).filter(slug=slug).first()


# --- Links ----------------------------------------------------------------------------------


def evaluations_url(standard: Standard, query: Period, **extra) -> str:
    params = {
        "standard": standard.slug,
        "date_from": query.start.isoformat(),
        "date_to": query.end.isoformat(),
        **extra,
    }
    return f"{reverse(EVALUATION_LIST_URL)}?{urlencode(params)}"


def breaches_url(channel, query: Period, metric: str) -> str:
    """The contacts of one channel opened in the period whose ``metric`` was breached."""
    return contacts_list_url(
        channel=channel.pk,
        opened_from=query.start.isoformat(),
        opened_to=query.end.isoformat(),
        **{f"{metric}_state": "breached"},
    )


def low_scores_url(channel, query: Period) -> str:
    """The channel's low answers (CSAT 1–2 or NPS 0–6) of the period."""
    params = {
        "channel": channel.code,
        "score": "low",
        "from": query.start.isoformat(),
        "to": query.end.isoformat(),
    }
    return f"{reverse('surveys:response-list')}?{urlencode(params)}"


def overview_links(card, query: Period) -> dict:
    return {
        "scorecard": reverse("quality:scorecard", kwargs={"slug": card.standard.slug}),
        "evaluations": evaluations_url(card.standard, query),
    }


def channel_links(standard: Standard, query: Period) -> list[dict]:
    return [
        {
            "channel": channel,
            "first_response_breaches": breaches_url(channel, query, "first_response"),
            "resolution_breaches": breaches_url(channel, query, "resolution"),
            "low_scores": low_scores_url(channel, query),
        }
        for channel in standard.channels.all()
    ]


# --- The page -------------------------------------------------------------------------------


def scorecard_detail(standard: Standard, query: Period, *, today: dt.date) -> dict:
    """Everything one standard's page shows, in a bounded number of queries (about 20)."""
    grain = trend_grain(query.start, query.end)
    slots = time_slots(query.start, query.end, grain)
    with without_jit():
        card, report, counts = detail.scorecard(standard, query, today=today, grain=grain)
        trend = detail.trends(card, query, slots, grain, report, counts)
        markers = detail.version_markers(standard, slots, grain, query.zone)
        criteria = detail.criteria_failures(query, standard, card.version)
    people = detail.people(card)
    return {
        "card": card,
        "people": people,
        # The page lists those who owe it first, up to PEOPLE_SHOWN; the CSV has everyone.
        "people_shown": people[:PEOPLE_SHOWN],
        "people_more": max(0, len(people) - PEOPLE_SHOWN),
        "criteria": criteria,
        "trend": trend,
        "grain": grain,
        "markers": markers,
        "charts": _charts(standard, trend, slots, grain, markers),
        "channels": channel_links(standard, query),
        "evaluations_url": evaluations_url(standard, query),
        "lowest_evaluations_url": evaluations_url(standard, query, order="lowest"),
    }


def _series(trend, section, name):
    return [row[section][name] for row in trend]


def _charts(standard, trend, slots, grain, markers) -> dict:
    ticks = slot_ticks(slots, grain)
    common = {
        "labels": slots,
        "ticks": ticks,
        "markers": markers,
        "x_label": grain_label(grain),
    }
    slug = standard.slug
    return {
        "sla": charts.line_chart(
            chart_id=f"scorecard-sla-{slug}",
            title=_("SLA compliance on the standard's channels"),
            desc=_(
                "Share of decided contacts that met the first-response and the resolution "
                "target, per period; dashed lines mark the versions published. The table below "
                "gives the figures."
            ),
            series=[
                (_("First response"), _series(trend, "sla", "first_response_compliance_pct")),
                (_("Resolution"), _series(trend, "sla", "resolution_compliance_pct")),
            ],
            y_max=100,
            suffix="%",
            y_label=_("Targets met (%)"),
            **common,
        ),
        "satisfaction": charts.line_chart(
            chart_id=f"scorecard-csat-{slug}",
            title=_("CSAT and response rate on the standard's channels"),
            desc=_(
                "Share of CSAT answers of 4 or 5, and share of invitations answered, per "
                "period; dashed lines mark the versions published."
            ),
            series=[
                (_("CSAT"), _series(trend, "satisfaction", "csat_pct")),
                (_("Response rate"), _series(trend, "satisfaction", "response_rate_pct")),
            ],
            y_max=100,
            suffix="%",
            y_label=_("Share (%)"),
            **common,
        ),
        "nps": charts.line_chart(
            chart_id=f"scorecard-nps-{slug}",
            title=_("NPS on the standard's channels"),
            desc=_(
                "Per cent of 9–10 minus per cent of 0–6, per period; dashed lines mark the "
                "versions published."
            ),
            series=[(_("NPS"), _series(trend, "satisfaction", "nps"))],
            y_min=-100,
            y_max=100,
            y_label=_("NPS"),
            **common,
        ),
        "ces": charts.line_chart(
            chart_id=f"scorecard-ces-{slug}",
            title=_("Customer effort (CES) on the standard's channels"),
            desc=_(
                "Mean of the 1–7 effort answers, per period; dashed lines mark the versions "
                "published."
            ),
            series=[(_("CES"), _series(trend, "satisfaction", "ces_avg"))],
            y_min=0,
            y_max=7,
            y_label=_("Mean effort (1–7)"),
            **common,
        ),
        "evaluations": charts.line_chart(
            chart_id=f"scorecard-evaluations-{slug}",
            title=_("Evaluations of the current version"),
            desc=_(
                "Average evaluation score and share of evaluations passed, per period of the "
                "interaction; dashed lines mark the versions published."
            ),
            series=[
                (_("Average score"), _series(trend, "followed", "avg_pct")),
                (_("Passed"), _series(trend, "followed", "pass_pct")),
            ],
            y_max=100,
            suffix="%",
            y_label=_("Score / passed (%)"),
            **common,
        ),
    }


# --- CSV ------------------------------------------------------------------------------------

DETAIL_CSV_HEADER = [
    "section",
    "key",
    "name",
    "value",
    "state",
    "due_date",
    "acknowledged_version",
    "not_met",
    "met",
    "not_applicable",
    "contacts",
    "first_response_compliance_pct",
    "resolution_compliance_pct",
    "responses",
    "csat_pct",
    "nps",
    "ces_avg",
    "response_rate_pct",
    "evaluations",
    "evaluation_avg_pct",
    "evaluation_pass_pct",
    "critical_failures",
]


def _line(**cells) -> list:
    return [cells.get(name) for name in DETAIL_CSV_HEADER]


def detail_csv_rows(detail: dict):
    """The scorecard's tables, told apart by ``section``: the summary (the standards report's
    row, one figure a line), the people, the criteria, then one line per period of the trend."""
    card = detail["card"]
    for name, value in card.as_row().items():
        yield _line(section="summary", key=name, value=value)
    for person in detail["people"]:
        user, cell = person["user"], person["cell"]
        yield _line(
            section="people",
            key=user.get_username(),
            name=user.get_full_name(),
            state=cell.state,
            due_date=cell.due_date,
            acknowledged_version=cell.acknowledged_version,
        )
    for row in detail["criteria"]:
        yield _line(
            section="criteria",
            key=row["criterion"].pk,
            name=row["criterion"].text,
            not_met=row["not_met"],
            met=row["met"],
            not_applicable=row["na"],
        )
    for row in detail["trend"]:
        sla, sat, followed = row["sla"], row["satisfaction"], row["followed"]
        yield _line(
            section=f"trend_{detail['grain']}",
            key=row["key"],
            contacts=sla["contacts"],
            first_response_compliance_pct=sla["first_response_compliance_pct"],
            resolution_compliance_pct=sla["resolution_compliance_pct"],
            responses=sat["responses"],
            csat_pct=sat["csat_pct"],
            nps=sat["nps"],
            ces_avg=sat["ces_avg"],
            response_rate_pct=sat["response_rate_pct"],
            evaluations=followed["evaluations"],
            evaluation_avg_pct=followed["avg_pct"],
            evaluation_pass_pct=followed["pass_pct"],
            critical_failures=followed["critical"],
        )
