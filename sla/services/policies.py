"""SLA policies: one active policy per (channel, priority), and contacts follow their edits."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext_lazy as _

from sla.models import WARNING_PERCENT_DEFAULT, SlaPolicy
from sla.services.recompute import contacts_recompute_deadlines

MSG_DUPLICATE = _("This channel already has an active policy for this priority.")
MSG_DUPLICATE_ANY = _("This channel already has an active policy for any priority.")

_FIELDS = (
    "name",
    "channel",
    "priority",
    "first_response_minutes",
    "resolution_minutes",
    "warning_percent",
    "business_hours",
    "is_active",
)
# Changing only these leaves every deadline where it was.
_COSMETIC = {"name"}


def _duplicate_error(policy: SlaPolicy) -> ValidationError:
    return ValidationError({"priority": [MSG_DUPLICATE if policy.priority else MSG_DUPLICATE_ANY]})


def _validate_and_save(policy: SlaPolicy) -> None:
    policy.full_clean(validate_constraints=False)
    if policy.is_active:
        clash = SlaPolicy.objects.active().filter(
            channel_id=policy.channel_id, priority=policy.priority
        )
        if policy.pk:
            clash = clash.exclude(pk=policy.pk)
        if clash.exists():
            raise _duplicate_error(policy)
    try:
        with transaction.atomic():
            policy.save()
    except IntegrityError:  # lost a race with another save of the same (channel, priority)
        raise _duplicate_error(policy) from None


@transaction.atomic
def sla_policy_create(
    *,
    name: str,
    channel,
    first_response_minutes: int,
    resolution_minutes: int,
    priority: str | None = None,
    warning_percent: int = WARNING_PERCENT_DEFAULT,
    business_hours: bool = True,
    is_active: bool = True,
) -> SlaPolicy:
    """Create a policy; the channel's open contacts are recomputed in the background."""
    policy = SlaPolicy(
        name=name,
        channel=channel,
        priority=priority or None,
        first_response_minutes=first_response_minutes,
        resolution_minutes=resolution_minutes,
        warning_percent=warning_percent,
        business_hours=business_hours,
        is_active=is_active,
    )
    _validate_and_save(policy)
    if policy.is_active:
        contacts_recompute_deadlines(channel_ids=[policy.channel_id])
    return policy


@transaction.atomic
def sla_policy_update(*, policy: SlaPolicy, **fields) -> SlaPolicy:
    """Change the given fields; unless only the name changed, open contacts are recomputed.

    Contacts already decided keep their outcome: a target is judged by the policy it ran under.
    """
    unknown = set(fields) - set(_FIELDS)
    if unknown:
        raise TypeError(f"sla_policy_update() got unexpected fields: {sorted(unknown)}")
    old_channel_id = policy.channel_id
    changed = set()
    for name, value in fields.items():
        if name == "priority":
            value = value or None
        if getattr(policy, name) != value:
            setattr(policy, name, value)
            changed.add(name)
    if not changed:
        return policy
    _validate_and_save(policy)
    if changed - _COSMETIC:
        contacts_recompute_deadlines(channel_ids=sorted({old_channel_id, policy.channel_id}))
    return policy


@transaction.atomic
def sla_policy_delete(*, policy: SlaPolicy) -> None:
    """Delete a policy no contact has used; a used one must be deactivated (history keeps it)."""
    channel_id = policy.channel_id
    try:
        policy.delete()
    except ProtectedError:
        raise ValidationError(
            _("Contacts were measured against this policy; deactivate it instead."),
            code="protected",
        ) from None
    contacts_recompute_deadlines(channel_ids=[channel_id])
