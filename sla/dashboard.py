"""The SLA card on the dashboard: open, at-risk and recently breached contacts (two queries).

Managers and integrations see every contact, staff their own, like the API.
"""

from django.utils import timezone

from portal.roles import user_roles
from sla import selectors


def cards(request) -> list[dict]:
    """Dashboard cards of this app: ``{"template": ..., "context": {...}}`` each."""
    if not user_roles(request.user):
        return []
    figures = selectors.sla_figures(user=request.user, now=timezone.now())
    return [{"template": "sla/dashboard_card.html", "context": figures}]


def my_service_sections(request) -> list[dict]:
    """Sections of the "My service" page: ``{"template": ..., "context": {...}}`` each."""
    return []
