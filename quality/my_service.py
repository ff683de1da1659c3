"""The "Evaluations" section of "My service": the staff member's average QA score over the last
90 days next to the team's, how many await their answer, and their latest evaluations with their
outcome (accepted, disputed, resolved: upheld or a changed score); two queries."""

from core.roles import STAFF, user_roles
from quality import evaluation_selectors


def my_service_sections(request) -> list[dict]:
    """Sections of the "My service" page: ``{"template": ..., "context": {...}}`` each."""
    if STAFF not in user_roles(request.user):
        return []
    return [
        {
            "template": "quality/my_service_section.html",
            "context": evaluation_selectors.agent_summary(user=request.user),
        }
    ]
