"""The "Standards to acknowledge" section of "My service": what the staff member still owes,
overdue first, each with its due date and the way to its acknowledgement page (the seven
queries of ``selectors.build_rows``)."""

from django.utils import timezone

from core.roles import STAFF, user_roles
from training import selectors


def outstanding(user, *, today=None) -> dict:
    today = today or timezone.localdate()
    [row] = selectors.build_rows([user], today=today)
    cells = sorted(
        (c for c in row.cells.values() if c.is_open),
        key=lambda c: (c.state != "overdue", c.due_date or today, c.standard.title),
    )
    return {
        "open": cells,
        "overdue": sum(1 for c in cells if c.state == "overdue"),
        "assigned": row.assigned,
    }


def my_service_sections(request) -> list[dict]:
    """Sections of the "My service" page: ``{"template": ..., "context": {...}}`` each."""
    if STAFF not in user_roles(request.user):
        return []
    return [
        {
            "template": "training/my_service_section.html",
            "context": outstanding(request.user),
        }
    ]
