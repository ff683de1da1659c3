"""The manager's SLA dashboard and its CSV download."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.db import connection
from django.http import HttpResponseBadRequest
from django.utils.translation import get_language
from django.views.generic import TemplateView, View

from core.csv import csv_response
from core.permissions import ManagerRequiredMixin
from core.reports.cache import shared, shared_cache_seconds
from core.reports.period import local_today
from sla.reports.dashboard import histogram_labels, manager_dashboard
from sla.reports.forms import ReportPeriodForm
from sla.reports.report import ROW_FIELDS


def _form(request) -> ReportPeriodForm:
    return ReportPeriodForm(request.GET or {"period": "30"}, today=local_today())


def _dashboard_for(form: ReportPeriodForm) -> dict | None:
    if not form.is_valid():
        return None
    start, end, tz = form.cleaned_data["from"], form.cleaned_data["to"], settings.TIME_ZONE
    agent = form.cleaned_data.get("agent")
    agent_id = agent.pk if agent else None
    # Over a million contacts the figures take seconds to aggregate: every manager looking in
    # the same minute shares one computation (through the shared cache, so across processes).
    database = connection.settings_dict["NAME"]
    key = f"sla:report-dashboard:v2:{database}:{start}:{end}:{tz}:{agent_id or ''}:{get_language()}"
    figures = shared(key, lambda: manager_dashboard(start=start, end=end, tz=tz, agent_id=agent_id))
    return {"start": start, "end": end, "tz": tz, "agent": agent, "cache_key": key, **figures}


class ReportDashboardView(ManagerRequiredMixin, TemplateView):
    template_name = "sla/reports/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = _form(self.request)
        context["form"] = form
        # One query for the agent picker (a template loop would count the users first).
        context["agent_choices"] = list(iter(form.fields["agent"].choices))
        report = _dashboard_for(form)
        context["report"] = report
        context["cache_seconds"] = shared_cache_seconds()
        context["cache_key"] = report["cache_key"] if report else ""
        if report:
            params = {
                "from": report["start"].isoformat(),
                "to": report["end"].isoformat(),
                "tz": report["tz"],
            }
            agent = report["agent"]
            if agent:
                params["agent"] = agent.get_username()  # the API names agents by username
            context["period_query"] = urlencode(params)
            csv_params = {"period": "custom", "from": params["from"], "to": params["to"]}
            if agent:
                csv_params["agent"] = agent.pk
            context["csv_query"] = urlencode(csv_params)
        return context


class ReportDashboardCsvView(ManagerRequiredMixin, View):
    """What the dashboard shows, as one CSV: a ``section`` column tells the tables apart."""

    def get(self, request):
        form = _form(request)
        report = _dashboard_for(form)
        if report is None:
            return HttpResponseBadRequest(
                "\n".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()),
                content_type="text/plain; charset=utf-8",
            )
        return csv_response(
            f"sla-dashboard-{report['start']}-{report['end']}.csv",
            DASHBOARD_HEADER,
            _dashboard_rows(report),
        )


DASHBOARD_HEADER = ["section", "channel", *ROW_FIELDS, "first_response_state", "resolution_state"]


def _dashboard_rows(report):
    blank = [""] * (len(ROW_FIELDS) - 2)
    for section in report["sections"]:
        yield ["summary", section.code, *[section.summary[f] for f in ROW_FIELDS], "", ""]
    for section in report["sections"]:
        for row in section.trend:
            yield [f"trend_{report['grain']}", section.code, *[row[f] for f in ROW_FIELDS], "", ""]
    labels = histogram_labels()
    for section in report["sections"]:
        for label, count in zip(labels, section.histogram, strict=True):
            yield ["first_response_distribution", section.code, label, count, *blank, "", ""]
    for section in report["sections"]:
        for contact in section.attention:
            yield [
                "attention",
                section.code,
                contact.external_id,
                "",
                *blank,
                contact.first_response_state,
                contact.resolution_state,
            ]
    yield ["total", "", *[report["total"][f] for f in ROW_FIELDS], "", ""]
