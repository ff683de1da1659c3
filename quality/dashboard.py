"""The scorecard's dashboard card (managers): a way in, without computing the scorecard."""

from core.roles import MANAGER, has_role


def cards(request) -> list[dict]:
    """Dashboard cards of this app: ``{"template": ..., "context": {...}}`` each."""
    if has_role(request.user, MANAGER):
        return [{"template": "quality/dashboard_card.html", "context": {}}]
    return []
