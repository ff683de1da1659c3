def cards(request) -> list[dict]:
    """Dashboard cards of this app: ``{"template": ..., "context": {...}}`` each."""
    return []
