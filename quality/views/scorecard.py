"""The scorecard pages (managers): the team overview and one standard's scorecard, each with
its CSV. The period is every report page's (last 7, 30 or 90 days, or from–to, in the
portal's time zone), checked by the kernel's form."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpResponseBadRequest
from django.views.generic import TemplateView, View

from core.csv import csv_response
from core.permissions import ManagerRequiredMixin
from core.reports.forms import PeriodForm
from core.reports.period import Period, local_today
from quality.scorecard import pages
from quality.scorecard.selectors import ROW_FIELDS, pass_mark, shared_scorecards


def _today():
    return local_today()


def period_form(request) -> PeriodForm:
    return PeriodForm(request.GET or {"period": "30"}, today=_today())


def period_query(form: PeriodForm) -> Period | None:
    if not form.is_valid():
        return None
    return Period(
        start=form.cleaned_data["from"], end=form.cleaned_data["to"], tz=settings.TIME_ZONE
    )


def _bad_period(form):
    return HttpResponseBadRequest(
        "\n".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()),
        content_type="text/plain; charset=utf-8",
    )


def _period_params(query: Period) -> dict:
    """The page's period as the from–to choice (what links to other pages keep)."""
    return {"period": "custom", "from": query.start.isoformat(), "to": query.end.isoformat()}


class ScorecardOverviewView(ManagerRequiredMixin, TemplateView):
    """Every published standard, the one needing most attention first."""

    template_name = "quality/overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = period_form(self.request)
        query = period_query(form)
        context.update(form=form, query=query, pass_mark=pass_mark())
        if query is not None:
            cards = shared_scorecards(query, today=_today())
            for card in cards:
                card.links = pages.overview_links(card, query)
            context["cards"] = cards
            context["period_query"] = urlencode(_period_params(query))
            context["api_query"] = urlencode(
                {"from": query.start.isoformat(), "to": query.end.isoformat(), "tz": query.tz}
            )
        return context


class ScorecardOverviewCsvView(ManagerRequiredMixin, View):
    """The overview as CSV: the standards report's columns, in the page's order."""

    def get(self, request):
        form = period_form(request)
        query = period_query(form)
        if query is None:
            return _bad_period(form)
        cards = shared_scorecards(query, today=_today())
        return csv_response(
            f"scorecards-{query.start}-{query.end}.csv",
            ROW_FIELDS,
            ([card.as_row()[f] for f in ROW_FIELDS] for card in cards),
        )


class ScorecardMixin(ManagerRequiredMixin):
    def scorecard(self):
        form = period_form(self.request)
        query = period_query(form)
        standard = pages.standard_or_none(self.kwargs["slug"])
        if standard is None:
            raise Http404
        detail = pages.scorecard_detail(standard, query, today=_today()) if query else None
        return form, query, standard, detail


class ScorecardView(ScorecardMixin, TemplateView):
    """One standard: known, followed and working, with trends, drill-downs and links."""

    template_name = "quality/scorecard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, query, standard, detail = self.scorecard()
        context.update(form=form, query=query, standard=standard, detail=detail)
        context["pass_mark"] = pass_mark()
        if query is not None:
            context["period_query"] = urlencode(_period_params(query))
        return context


class ScorecardCsvView(ScorecardMixin, View):
    """One standard's scorecard as CSV: a ``section`` column tells the tables apart."""

    def get(self, request, slug):
        form, query, standard, detail = self.scorecard()
        if query is None:
            return _bad_period(form)
        return csv_response(
            f"scorecard-{standard.slug}-{query.start}-{query.end}.csv",
            pages.DETAIL_CSV_HEADER,
            pages.detail_csv_rows(detail),
        )
