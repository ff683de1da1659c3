# ruff: noqa: S608, S611 -- SQL text from model identifiers and fixed fragments; values are parameters.
"""What the manager dashboard and the "My service" section show, read through the same
report function as the REST API (:func:`sla.reports.query.sla_report`), so a REST client gets
the same numbers from ``GET /api/v1/reports/sla/``.

Queries, whatever the data size: manager dashboard 4 or 5 (the figures by channel and period
in one statement, the distribution, the at-risk counts and list, channel names if needed);
"My service" (``sla/reports/my_service.py``) 2.

The period's slots, grains and tick labels are the kernel's (:mod:`core.reports.period`), as is
the cache of figures shared between managers (:mod:`core.reports.cache`).
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from django.db import connection
from django.db.models import Case, Count, F, IntegerField, Q, Value, When, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from channels_app.models import Channel
from core.reports import charts
from core.reports.period import slot_ticks, time_slots, trend_grain
from sla.models import Contact
from sla.reports import summary
from sla.reports.query import default_engine, sla_report
from sla.reports.report import ReportQuery, empty_row
from sla.reports.summary_sql import SUMMARY_SETTINGS, summary_entries

ATTENTION_PER_CHANNEL = 10
ATTENTION_COUNT_CAP = 1000
ATTENTION_STATES = ("at_risk", "breached")
# First-response distribution: bins of business minutes, [lower, upper).
HISTOGRAM_EDGES = (0, 5, 15, 30, 60, 120, 240, 480)
assert all(edge % summary.WIDTH["f"] == 0 for edge in HISTOGRAM_EDGES)  # (see _summary_histogram)


def histogram_labels() -> list[str]:
    labels = [f"{lo}–{hi}" for lo, hi in itertools.pairwise(HISTOGRAM_EDGES)]
    return [*labels, f"{HISTOGRAM_EDGES[-1]}+"]


def contacts_list_url(**params) -> str:
    base = reverse("sla:contact-list")
    return f"{base}?{urlencode(params)}" if params else base


def contact_url(pk: int) -> str:
    return reverse("sla:contact-detail", args=[pk])


def _period_contacts(query: ReportQuery):
    lo, hi = query.bounds()
    contacts = Contact.objects.filter(opened_at__gte=lo, opened_at__lt=hi)
    return contacts.filter(agent_id=query.agent_id) if query.agent_id else contacts


def _summary_histogram(query: ReportQuery) -> dict[str, list[int]] | None:
    """The bins from the daily summary's coarse level (PostgreSQL), or None where it cannot
    serve. Its first-response buckets are 5 minutes wide and every bin edge is a multiple of 5,
    so a bucket lies wholly in one bin: exact counts."""
    by_channel = replace(query, group_by="channel", split_by_channel=False)
    if default_engine(connection, by_channel) != "summary":
        return None
    entries = summary_entries(by_channel, "coarse")
    if entries is None:
        return None
    hist, params = entries
    width = summary.WIDTH["f"]
    bins = " ".join(
        f"WHEN bucket * {width} < {int(upper)} THEN {i}"
        for i, upper in enumerate(HISTOGRAM_EDGES[1:])
    )
    sql = (
        f"WITH hist AS ({hist}) SELECT k, CASE {bins} ELSE {len(HISTOGRAM_EDGES) - 1} END, "
        "sum(n) FROM hist WHERE metric = 'f' AND bucket IS NOT NULL GROUP BY 1, 2 "
        "HAVING sum(n) > 0"
    )
    result: dict[str, list[int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(SUMMARY_SETTINGS + sql, params)
        for code, index, count in cursor.fetchall():
            result.setdefault(code, [0] * len(HISTOGRAM_EDGES))[index] = int(count)
    return result


def first_response_histogram(query: ReportQuery) -> dict[str, list[int]]:
    """Channel code -> contacts per first-response bin: one query."""
    from_summary = _summary_histogram(query)
    if from_summary is not None:
        return from_summary
    bins = Case(
        *[
            When(first_response_minutes__lt=upper, then=Value(i))
            for i, upper in enumerate(HISTOGRAM_EDGES[1:])
        ],
        default=Value(len(HISTOGRAM_EDGES) - 1),
        output_field=IntegerField(),
    )
    rows = (
        _period_contacts(query)
        .filter(first_response_minutes__isnull=False)
        .annotate(bin=bins)
        .values("channel__code", "bin")
        .annotate(n=Count("id"))
        .order_by()
    )
    result: dict[str, list[int]] = {}
    for row in rows:
        counts = result.setdefault(row["channel__code"], [0] * len(HISTOGRAM_EDGES))
        counts[row["bin"]] = row["n"]
    return result


def _attention_filter(agent_id: int | None = None) -> Q:
    wanted = ~Q(status=Contact.Status.RESOLVED) & (
        Q(first_response_state__in=ATTENTION_STATES) | Q(resolution_state__in=ATTENTION_STATES)
    )
    return wanted & Q(agent_id=agent_id) if agent_id else wanted


def _attention_sql(agent_id: int | None) -> tuple[str, list]:
    """The attention filter as SQL on ``c`` (the partial indexes' own predicate, so that the
    planner uses them), for the statements below that Django's ORM cannot write."""
    states = ", ".join(f"'{state}'" for state in ATTENTION_STATES)
    sql = (
        f"c.status <> '{Contact.Status.RESOLVED}' AND (c.first_response_state IN ({states}) "
        f"OR c.resolution_state IN ({states}))"
    )
    if agent_id:
        return f"{sql} AND c.agent_id = %s", [agent_id]
    return sql, []


# (key, column, state): the four counts the dashboard shows per channel.
_ATTENTION_COUNTS = (
    ("first_response_at_risk", "first_response_state", "at_risk"),
    ("first_response_breached", "first_response_state", "breached"),
    ("resolution_at_risk", "resolution_state", "at_risk"),
    ("resolution_breached", "resolution_state", "breached"),
)


def attention_counts(agent_id: int | None = None) -> dict[str, dict[str, int]]:
    """Open contacts at risk or breached right now, per channel and metric, each counted up to
    ``ATTENTION_COUNT_CAP + 1``: one query.

    A count above the cap shows as "more than 1,000" (``attention_more``): a manager acts on
    the oldest ones (the list) and on the order of magnitude, and the link opens them all.
    Counting them exactly read a million index entries and rows at ten million contacts; the
    cap keeps each count to at most 1,001 entries of ``sla_contact_attention_state``.
    """
    contact, channel = Contact._meta.db_table, Channel._meta.db_table
    where, where_params = _attention_sql(agent_id)
    # The resolution counts name every first-response state, so that they too read one range
    # of the (channel, first response state, resolution state) index per state.
    every_first = ", ".join(f"'{value}'" for value in Contact.FirstResponseState.values)
    columns, params = [], []
    for key, column, state in _ATTENTION_COUNTS:
        extra = (
            ""
            if column == "first_response_state"
            else (f" AND c.first_response_state IN ({every_first})")
        )
        columns.append(
            f"(SELECT count(*) FROM (SELECT 1 FROM {contact} c WHERE c.channel_id = ch.id "
            f"AND {where} AND c.{column} = %s{extra} LIMIT %s) AS capped) AS {key}"
        )
        params += [*where_params, state, ATTENTION_COUNT_CAP + 1]
    # Built from model identifiers and fixed fragments; the values are parameters.
    sql = f"SELECT ch.code, {', '.join(columns)} FROM {channel} ch"
    result = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for code, *counts in cursor.fetchall():
            if any(counts):
                keys = (key for key, *_ in _ATTENTION_COUNTS)
                result[code] = dict(zip(keys, counts, strict=True))
    return result


def attention_more(counts: dict[str, int]) -> dict[str, bool]:
    """Which of a channel's counts passed the cap (shown as "more than …")."""
    return {key: value > ATTENTION_COUNT_CAP for key, value in counts.items()}


def attention_contacts(
    per_channel: int = ATTENTION_PER_CHANNEL, agent_id: int | None = None
) -> dict[str, list[Contact]]:
    """The oldest open contacts at risk or breached, at most ``per_channel`` each: one query.

    On PostgreSQL each channel walks ``sla_contact_attention`` in order and stops after
    ``per_channel`` (``LATERAL … LIMIT``); ranking every contact needing attention read them
    all (a million at ten million contacts). Elsewhere a window ranks them (small data).
    """
    if connection.vendor == "postgresql":
        where, params = _attention_sql(agent_id)
        lateral = RawSQL(
            f"SELECT a.id FROM {Channel._meta.db_table} ch CROSS JOIN LATERAL "
            f"(SELECT c.id FROM {Contact._meta.db_table} c WHERE c.channel_id = ch.id AND "
            f"{where} ORDER BY c.opened_at, c.id LIMIT %s) AS a",
            [*params, per_channel],
        )
        ranked = (
            Contact.objects.filter(pk__in=lateral)
            .select_related("channel", "agent")
            .order_by("channel__code", "opened_at", "id")
        )
    else:
        ranked = (
            Contact.objects.filter(_attention_filter(agent_id))
            .select_related("channel", "agent")
            .annotate(
                rank=Window(
                    RowNumber(),
                    partition_by=[F("channel_id")],
                    order_by=[F("opened_at"), F("id")],
                )
            )
            .filter(rank__lte=per_channel)
            .order_by("channel__code", "opened_at", "id")
        )
    result: dict[str, list[Contact]] = {}
    for contact in ranked:
        contact.url = contact_url(contact.pk)
        result.setdefault(contact.channel.code, []).append(contact)
    return result


@dataclass
class ChannelSection:
    code: str
    name: str
    summary: dict
    trend: list[dict]  # one row per time slot (empty rows where nothing was opened)
    histogram: list[int]
    attention_counts: dict
    attention: list
    links: dict
    charts: dict

    @property
    def attention_more(self) -> dict[str, bool]:
        return attention_more(self.attention_counts)

    @property
    def attention_cap(self) -> int:
        return ATTENTION_COUNT_CAP

    @property
    def histogram_rows(self) -> list[tuple[str, int]]:
        return list(zip(histogram_labels(), self.histogram, strict=True))


def manager_dashboard(
    *, start: dt.date, end: dt.date, tz: str, agent_id: int | None = None
) -> dict:
    """Per channel: summary, trend, breaches, first-response distribution, contacts needing
    attention now; with ``agent_id``, all of it for that agent's contacts only. The figures
    come from :func:`sla_report` grouped by period and split by channel: each channel's total
    equals its row grouped by channel (a test checks it)."""
    grain = trend_grain(start, end)
    trend_query = ReportQuery(
        start=start,
        end=end,
        tz=tz,
        group_by=grain,
        split_by_channel=True,
        agent_id=agent_id,
    )
    trend = sla_report(trend_query)
    histograms = first_response_histogram(trend_query)
    counts = attention_counts(agent_id)
    waiting = attention_contacts(agent_id=agent_id)
    slots = time_slots(start, end, grain)
    # code -> (name, id): the contacts list filters by the channel's id, not its code.
    channels = {}
    for contacts in waiting.values():
        for contact in contacts:
            channels[contact.channel.code] = (contact.channel.name, contact.channel_id)
    codes = sorted(set(trend.series) | set(counts))
    if len(channels) < len(codes):
        channels.update(
            (code, (name, pk))
            for code, name, pk in Channel.objects.filter(code__in=codes).values_list(
                "code", "name", "pk"
            )
        )
    sections = []
    for code in codes:
        series = trend.series.get(code, {"rows": [], "total": empty_row()})
        # A channel's total over the period is its row of the report grouped by channel.
        summary_row = {**series["total"], "key": code}
        by_key = {r["key"]: r for r in series["rows"]}
        rows = [by_key.get(key, empty_row(key)) for key in slots]
        name, channel_id = channels.get(code, (code, None))
        section = ChannelSection(
            code=code,
            name=name,
            summary=summary_row,
            trend=rows,
            histogram=histograms.get(code, [0] * len(HISTOGRAM_EDGES)),
            attention_counts=counts.get(
                code,
                {
                    "first_response_at_risk": 0,
                    "first_response_breached": 0,
                    "resolution_at_risk": 0,
                    "resolution_breached": 0,
                },
            ),
            attention=waiting.get(code, []),
            links=_links(channel_id, agent_id),
            charts={},
        )
        section.charts = _channel_charts(section, slots, grain)
        sections.append(section)
    return {
        "grain": grain,
        "slots": slots,
        "total": trend.total,
        "sections": sections,
        "histogram_labels": histogram_labels(),
    }


def _links(channel_id: int | None, agent_id: int | None = None) -> dict[str, str]:
    """The contacts list, filtered: its ``channel`` and ``agent`` filters take ids."""
    channel = {"channel": channel_id} if channel_id is not None else {}
    if agent_id:
        channel["agent"] = agent_id
    return {
        "all": contacts_list_url(**channel),
        "first_response_at_risk": contacts_list_url(**channel, first_response_state="at_risk"),
        "first_response_breached": contacts_list_url(**channel, first_response_state="breached"),
        "resolution_at_risk": contacts_list_url(**channel, resolution_state="at_risk"),
        "resolution_breached": contacts_list_url(**channel, resolution_state="breached"),
    }


def grain_label(grain: str) -> str:
    return {
        "day": _("Day opened"),
        "week": _("Week opened (from Monday)"),
        "month": _("Month opened"),
    }[grain]


def _channel_charts(section: ChannelSection, slots: list[str], grain: str = "day") -> dict:
    name = section.name
    fr = [r["first_response_compliance_pct"] for r in section.trend]
    res = [r["resolution_compliance_pct"] for r in section.trend]
    ticks = slot_ticks(slots, grain)
    return {
        "compliance": charts.line_chart(
            chart_id=f"compliance-{section.code}",
            title=_("Compliance trend: %(channel)s") % {"channel": name},
            desc=_(
                "Share of decided contacts that met the first-response and the resolution "
                "target, per period; the table below gives the figures."
            ),
            labels=slots,
            series=[(str(_("First response")), fr), (str(_("Resolution")), res)],
            y_max=100,
            suffix="%",
            ticks=ticks,
            x_label=grain_label(grain),
            y_label=_("Targets met (%)"),
        ),
        "breaches": charts.bar_chart(
            chart_id=f"breaches-{section.code}",
            title=_("Breaches: %(channel)s") % {"channel": name},
            desc=_("First-response and resolution breaches per period of opening."),
            labels=slots,
            series=[
                (str(_("First response")), [r["first_response_breached"] for r in section.trend]),
                (str(_("Resolution")), [r["resolution_breached"] for r in section.trend]),
            ],
            ticks=ticks,
            x_label=grain_label(grain),
            y_label=_("Breaches"),
        ),
        "distribution": charts.bar_chart(
            chart_id=f"distribution-{section.code}",
            title=_("First-response time distribution: %(channel)s") % {"channel": name},
            desc=_("Contacts per first-response time, in business minutes."),
            labels=histogram_labels(),
            series=[(str(_("Contacts")), section.histogram)],
            histogram=True,
            x_label=_("First response (business minutes)"),
            y_label=_("Contacts"),
        ),
    }
