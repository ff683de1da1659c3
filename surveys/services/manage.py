"""What managers change: kiosks, surveys and follow-ups."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import languages
from core.clock import now_or
from surveys.models import FollowUp, Kiosk, Survey


@transaction.atomic
def kiosk_create(
    *, name: str, channel, min_interval_seconds: int = 10, language: str | None = None
) -> Kiosk:
    kiosk = Kiosk(name=name, channel=channel, min_interval_seconds=min_interval_seconds)
    if language is not None:
        kiosk.language = language
    kiosk.full_clean()
    kiosk.save()
    return kiosk


@transaction.atomic
def kiosk_set_language(*, kiosk: Kiosk, language: str) -> Kiosk:
    """The language the kiosk opens in for each new customer; ValidationError for an unknown one."""
    if language not in languages.codes():
        raise ValidationError({"language": [_("Choose one of the offered languages.")]})
    Kiosk.objects.filter(pk=kiosk.pk).update(language=language, updated_at=timezone.now())
    kiosk.language = language
    return kiosk


@transaction.atomic
def kiosk_revoke(*, kiosk: Kiosk) -> Kiosk:
    """The key stops working at once; a new kiosk gets a new key."""
    Kiosk.objects.filter(pk=kiosk.pk).update(is_active=False)
    kiosk.is_active = False
    return kiosk


@transaction.atomic
def survey_save(*, survey: Survey | None = None, channels=None, **fields) -> Survey:
    survey = survey or Survey()
    for name, value in fields.items():
        setattr(survey, name, value)
    survey.full_clean(exclude=["channels"])
    survey.save()
    if channels is not None:
        survey.channels.set(channels)
    return survey


@transaction.atomic
def survey_delete(*, survey: Survey) -> None:
    """Only a survey that never invited anyone; else deactivate it (its answers stay)."""
    if survey.invitations.exists():
        raise ValidationError(
            {"non_field_errors": [_("This survey has invitations: deactivate it instead.")]}
        )
    survey.delete()


@transaction.atomic
def follow_up_close(*, follow_up: FollowUp, outcome: str, user, now: datetime | None = None):
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": [_("Say what was done before closing.")]})
    # Only an open one: of two managers closing it at once, the first outcome stays.
    FollowUp.objects.filter(pk=follow_up.pk, closed_at__isnull=True).update(
        outcome=outcome, closed_at=now_or(now), closed_by=user, updated_at=timezone.now()
    )
    follow_up.refresh_from_db()
    return follow_up
