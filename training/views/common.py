"""What the onboarding pages share. A version is looked up through the standards app's
user-scoped lookup (``standards.views.common.VersionMixin``): staff reach only what they may
read there (published or archived versions of standards in the book)."""

from __future__ import annotations

from core.roles import MANAGER, STAFF
from standards.views.common import VersionMixin

READERS = (MANAGER, STAFF)

__all__ = ["READERS", "VersionMixin"]
