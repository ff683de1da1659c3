"""Report endpoints, mounted under /api/v1/ through sla.api.extra_urls."""

extra_urls: list = []
