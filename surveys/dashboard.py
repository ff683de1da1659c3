"""The satisfaction card on the dashboard and the feedback section of "My service"."""

from portal.roles import MANAGER, STAFF, has_role
from surveys import selectors


def cards(request) -> list[dict]:
    """Managers: CSAT/NPS of the last 30 days and open follow-ups; staff: their latest feedback."""
    user = request.user
    if has_role(user, MANAGER):
        context = {"manager": True, **selectors.satisfaction_summary(days=30)}
        return [{"template": "surveys/dashboard_card.html", "context": context}]
    if has_role(user, STAFF):
        context = {"manager": False, "latest": selectors.agent_feedback(user=user)["latest"][:5]}
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
