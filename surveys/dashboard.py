"""The satisfaction card on the dashboard, the feedback section of "My service", and the
satisfaction page's charts (drawn by the SLA reports' chart module, like the SLA dashboard's)."""

from django.utils import formats
from django.utils.translation import gettext as _

from core.reports import charts
from core.roles import MANAGER, STAFF, has_role
from surveys import selectors


def cards(request) -> list[dict]:
    """Managers: CSAT/NPS of the last 30 days and open follow-ups; staff: their latest feedback."""
    user = request.user
    if has_role(user, MANAGER):
        context = {"manager": True, **selectors.satisfaction_summary(days=30)}
        return [{"template": "surveys/dashboard_card.html", "context": context}]
    if has_role(user, STAFF):
        context = {"manager": False, "latest": selectors.agent_latest(user=user, limit=5)}
        return [{"template": "surveys/dashboard_card.html", "context": context}]
    return []


def my_service_sections(request) -> list[dict]:
    """The agent's own responses and comments, CSAT/NPS next to the team's."""
    if not has_role(request.user, MANAGER, STAFF):
        return []
    return [
        {
            "template": "surveys/my_service.html",
            "context": selectors.agent_feedback(user=request.user),
        }
    ]


def satisfaction_charts(data: dict) -> dict:
    """The satisfaction page's charts for ``selectors.satisfaction_dashboard``'s ``data``.

    Adds a ``label`` to every week of ``data["trend"]`` (its Monday as a short date in the
    active language), which the charts and the table alternative both show.
    """
    for week in data["trend"]:
        week["label"] = formats.date_format(week["week"], "SHORT_DATE_FORMAT")
    labels = [week["label"] for week in data["trend"]]
    per_week = _(
        "Weeks start on Monday; a week without answers leaves a gap in the line. "
        "The table below gives the figures."
    )
    csat_title, nps_title = _("CSAT % by week"), _("NPS by week")
    csat_desc = _("Share of CSAT answers of 4 or 5, per week.")
    nps_desc = _("Net Promoter Score, from -100 to 100, per week.")
    trends = [
        {
            "title": csat_title,
            "chart": charts.line_chart(
                chart_id="satisfaction-csat-trend",
                title=csat_title,
                desc=f"{csat_desc} {per_week}",
                labels=labels,
                series=[("CSAT", [week["csat_pct"] for week in data["trend"]])],
                y_max=100,
                suffix="%",
            ),
        },
        {
            "title": nps_title,
            "chart": charts.line_chart(
                chart_id="satisfaction-nps-trend",
                title=nps_title,
                desc=f"{nps_desc} {per_week}",
                labels=labels,
                series=[("NPS", [week["nps"] for week in data["trend"]])],
                y_min=-100,
                y_max=100,
            ),
        },
    ]
    titles = {"csat": _("CSAT answers"), "nps": _("NPS answers"), "ces": _("CES answers")}
    distributions = []
    for question, rows in data["distributions"].items():
        scores = [str(row["score"]) for row in rows]
        desc = _("Answers per score, from %(low)s to %(high)s. The table below gives them.") % {
            "low": scores[0],
            "high": scores[-1],
        }
        chart = charts.bar_chart(
            chart_id=f"satisfaction-{question}-answers",
            title=titles[question],
            desc=desc,
            labels=scores,
            series=[(_("Answers"), [row["count"] for row in rows])],
            max_x_labels=len(scores),  # short labels: every score gets one
        )
        distributions.append(
            {"question": question, "title": titles[question], "chart": chart, "rows": rows}
        )
    return {"trend_charts": trends, "distribution_charts": distributions}
