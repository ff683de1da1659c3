"""The quality app's REST endpoints (registered by ``portal.urls_api``)."""

extra_urls: list = []


def register(router) -> None:
    """Adds the app's viewsets to the API router."""
