"""What the onboarding services share: who may act, and the locks and refusals several jobs
need."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext

from core.roles import MANAGER, has_role
from standards.models import StandardVersion

Status = StandardVersion.Status


def reack_days() -> int:
    """Days staff get to acknowledge a major version (setting ``TRAINING_REACK_DAYS``)."""
    return settings.TRAINING_REACK_DAYS


def require_manager(user) -> None:
    if user is None or not has_role(user, MANAGER):
        raise PermissionDenied(gettext("Only managers may do this."))


def lock_people(user_ids) -> None:
    """Serialise changes to these people's tracks (PostgreSQL; SQLite serialises writes anyway):
    an unassignment and a concurrent assignment of another track holding the same standard
    must not both decide on the same open obligation from stale reads."""
    list(
        User.objects.select_for_update()
        .filter(pk__in=list(user_ids))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def require_published(version: StandardVersion) -> None:
    if version.standard.is_retired:
        raise ValidationError(
            gettext("This standard is retired: there is nothing to acknowledge any more.")
        )
    if version.status == Status.PUBLISHED:
        return
    if version.status == Status.ARCHIVED:
        message = gettext(
            "Version %(number)d was replaced by a newer one; acknowledge the current version."
        )
    else:
        message = gettext("Version %(number)d is not published yet; it cannot be acknowledged.")
    raise ValidationError(message % {"number": version.number})
