"""What the standards pages share: role mixins, user-scoped lookups, error plumbing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.shortcuts import get_object_or_404

from portal.permissions import ManagerRequiredMixin, RoleRequiredMixin
from portal.roles import MANAGER, STAFF
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
    """Put each service error on the form that has that field, the rest on ``fallback``.

    Errors of the fields named in ``keep`` (e.g. ``criteria``) are returned instead, for the
    page to show next to their formset.
    """
    kept: dict[str, list[str]] = {}
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            fallback.add_error(None, message)
        return kept
    for field, field_errors in exc.message_dict.items():
        if field in keep:
            kept.setdefault(field, []).extend(field_errors)
            continue
        target = next((f for f in forms if field in f.fields), None)
        for message in field_errors:
            if target is not None and field != NON_FIELD_ERRORS:
                target.add_error(field, message)
            else:
                fallback.add_error(None, message)
    return kept
