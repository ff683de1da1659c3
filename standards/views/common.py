"""What the standards pages share: role mixins, user-scoped lookups, error plumbing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404

from core.forms import add_service_errors
from core.permissions import ManagerRequiredMixin, RoleRequiredMixin
from core.roles import MANAGER, STAFF
from standards import selectors
from standards.models import Standard, StandardVersion

READER_ROLES = (MANAGER, STAFF)


class ReaderRequiredMixin(RoleRequiredMixin):
    """Managers and staff read standards; integration accounts use the API."""

    allowed_roles = READER_ROLES


class StandardMixin:
    """``self.standard`` from the URL's slug, through the user's queryset (forbidden = 404)."""

    def get_standard(self) -> Standard:
        if not hasattr(self, "_standard"):
            self._standard = get_object_or_404(
                selectors.standard_queryset(user=self.request.user).select_related(
                    "category", "owner"
                ),
                slug=self.kwargs["slug"],
            )
        return self._standard


class VersionMixin(StandardMixin):
    def get_version(self) -> StandardVersion:
        if not hasattr(self, "_version"):
            standard = self.get_standard()
            self._version = get_object_or_404(
                selectors.version_queryset(
                    user=self.request.user, standard=standard
                ).select_related("author", "approver"),
                number=self.kwargs["number"],
            )
            self._version.standard = standard
        return self._version


class ManagerVersionMixin(ManagerRequiredMixin, VersionMixin):
    pass


def messages_of(exc: ValidationError) -> list[str]:
    return list(exc.messages)


def flash_errors(request, exc: ValidationError) -> None:
    for message in messages_of(exc):
        messages.error(request, message)


def apply_errors(
    exc: ValidationError, *, forms: list, fallback, keep: tuple[str, ...] = ()
) -> dict[str, list[str]]:
    """``core.forms.add_service_errors`` under the name standards' and training's views call."""
    return add_service_errors(exc, fallback, forms=forms, keep=keep)
