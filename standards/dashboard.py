"""The standards card on the dashboard: overdue reviews and versions awaiting review for
managers, recently published standards for staff. A fixed number of queries."""

from django.utils import timezone

from core.roles import MANAGER, STAFF, has_role
from standards import selectors
from standards.models import StandardVersion

OVERDUE_SHOWN = 10
RECENT_SHOWN = 5


def cards(request) -> list[dict]:
    """Dashboard cards of this app: ``{"template": ..., "context": {...}}`` each."""
    user = request.user
    if has_role(user, MANAGER):
        overdue, overdue_count = selectors.standards_review_overdue(
            today=timezone.localdate(), limit=OVERDUE_SHOWN
        )
        waiting, waiting_count = selectors.versions_awaiting_review(limit=OVERDUE_SHOWN)
        return [
            {
                "template": "standards/dashboard_card.html",
                "context": {
                    "overdue": overdue,
                    "overdue_count": overdue_count,
                    "overdue_more": overdue_count - len(overdue),
                    "waiting": waiting,
                    "waiting_count": waiting_count,
                },
            }
        ]
    if has_role(user, STAFF):
        recent = list(
            StandardVersion.objects.filter(
                status=StandardVersion.Status.PUBLISHED, standard__retired_at__isnull=True
            )
            .select_related("standard")
            .order_by("-published_at")[:RECENT_SHOWN]
        )
        return [{"template": "standards/dashboard_card_staff.html", "context": {"recent": recent}}]
    return []
