"""The onboarding card on the dashboard: overdue people for managers, one's own outstanding
items for staff. A fixed number of queries."""

from core.roles import MANAGER, STAFF, has_role
from training import selectors


def cards(request) -> list[dict]:
    """Dashboard cards of this app: ``{"template": ..., "context": {...}}`` each."""
    user = request.user
    if has_role(user, MANAGER):
        return [
            {
                "template": "training/dashboard_card.html",
                "context": {"overdue_people": selectors.overdue_people_count()},
            }
        ]
    if has_role(user, STAFF):
        outstanding, overdue = selectors.open_count(user)
        return [
            {
                "template": "training/dashboard_card_staff.html",
                "context": {"outstanding": outstanding, "overdue": overdue},
            }
        ]
    return []
