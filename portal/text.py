"""Checks on text from outside before it reaches a query."""


def storable(value: str) -> bool:
    """Text every database can take. Valid JSON (and a CSV file) may carry a NUL character,
    which PostgreSQL refuses in any string, and JSON a lone surrogate, which no UTF-8 encoder
    takes; looked up as they are, both end in a server error instead of "unknown"."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
