"""The SLA card on the dashboard: open, at-risk and recently breached contacts (two queries).

Managers and integrations see every contact, staff their own, like the API.
"""

from django.conf import settings
from django.utils import timezone

from core.reports.period import local_today
from core.roles import STAFF, user_roles
from sla import selectors
from sla.reports.my_service import my_service


def cards(request) -> list[dict]:
    """Dashboard cards of this app: ``{"template": ..., "context": {...}}`` each."""
    if not user_roles(request.user):
        return []
    figures = selectors.sla_figures(user=request.user, now=timezone.now())
    return [{"template": "sla/dashboard_card.html", "context": figures}]


def my_service_sections(request) -> list[dict]:
    """Sections of the "My service" page: ``{"template": ..., "context": {...}}`` each.

    Staff see their SLA figures of the last 30 days next to the team's (two queries, through
    the same report function as the REST API); others get no section.
    """
    if STAFF not in user_roles(request.user):
        return []
    tz = settings.TIME_ZONE
    today = local_today(tz)
    figures = my_service(user=request.user, today=today, tz=tz)
    return [{"template": "sla/reports/my_service_section.html", "context": figures}]
