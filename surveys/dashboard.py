def cards(request) -> list[dict]:
    """Dashboard cards of this app: ``{"template": ..., "context": {...}}`` each."""
    return []


def my_service_sections(request) -> list[dict]:
    """Sections of the "My service" page: ``{"template": ..., "context": {...}}`` each."""
    return []
