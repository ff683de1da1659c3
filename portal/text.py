"""Kept for existing imports: the check lives with every other parser, in :mod:`core.parse`."""

from core.parse import storable

__all__ = ["storable"]
