"""URL converters for outside values in paths, registered once (``CoreConfig.ready``)."""

from __future__ import annotations

from core import parse


class IdConverter:
    """``<id:pk>``: a primary key within the database's 64-bit range. Django's ``<int:>`` takes
    any number of digits, and a 20-digit one ends in an overflow in the query; this one makes it
    a 404, like any id that names no row."""

    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        return parse.parse_id(value)  # OutsideValueError is a ValueError: no match, a 404

    def to_url(self, value) -> str:
        return str(value)
