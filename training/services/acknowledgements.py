"""Acknowledgements: a person accepts the published version, having passed its check; the
record resolves their obligation."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from standards.models import StandardVersion
from training.models import Acknowledgement, Obligation, compute_fingerprint
from training.services.checks import attempts_state
from training.services.common import require_published


def _norm(name: str) -> str:
    return " ".join((name or "").split()).casefold()


def name_matches(user, typed: str) -> bool:
    """The typed name must be the person's full name (case and spacing aside); a person with no
    name on file must type a non-empty name."""
    typed = _norm(typed)
    if not typed:
        return False
    expected = _norm(user.get_full_name())
    return not expected or typed == expected


@transaction.atomic
def acknowledgement_create(
    *,
    user,
    version: StandardVersion,
    full_name: str,
    confirmed: bool,
    ip_address: str | None = None,
    user_agent: str = "",
    at=None,
) -> tuple[Acknowledgement, bool]:
    """Record that ``user`` read and accepts ``version``. A repeat (double submit) returns the
    existing record with ``created=False``."""
    version = StandardVersion.objects.select_related("standard").get(pk=version.pk)
    existing = Acknowledgement.objects.filter(user=user, version=version).first()
    if existing is not None:
        return existing, False
    require_published(version)
    errors = {}
    if not confirmed:
        errors["confirmed"] = [gettext("Tick the box to confirm you read the standard.")]
    if not name_matches(user, full_name):
        errors["full_name"] = [
            gettext("Type your full name as it is on your account: %(name)s.")
            % {"name": user.get_full_name()}
            if user.get_full_name()
            else gettext("Type your full name.")
        ]
    quiz_score = None
    if version.training_questions.exists():
        state = attempts_state(user=user, version=version)
        if not state["passed"]:
            errors["__all__"] = [gettext("Pass the comprehension check first.")]
        quiz_score = state["best_score"]
    if errors:
        raise ValidationError(errors)
    at = at or timezone.now()
    version = StandardVersion.objects.prefetch_related("criteria", "situations").get(pk=version.pk)
    record = Acknowledgement(
        user=user,
        version=version,
        acknowledged_at=at,
        ip_address=ip_address or None,
        user_agent=(user_agent or "")[:500],
        quiz_score=quiz_score,
        full_name=" ".join(full_name.split())[:200],
        fingerprint=compute_fingerprint(version=version, user_id=user.pk, at=at),
    )
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        return Acknowledgement.objects.get(user=user, version=version), False
    Obligation.objects.open().filter(user=user, standard_id=version.standard_id).update(
        state=Obligation.State.DONE, resolved_at=at, acknowledgement=record
    )
    return record, True
