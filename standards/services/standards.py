"""Writes for standards and categories (what is not versioned: title, channels, owner, review)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from channels_app.models import Channel
from standards.dates import add_months
from standards.models import Category, Standard
from standards.services.common import VersionStateError, require_manager
from standards.signals import standard_reinstated, standard_retired

CATEGORY_NAME_MAX = Category._meta.get_field("name").max_length
SLUG_MAX = Standard._meta.get_field("slug").max_length

_UNSET = object()

# Paths under /standards/ that a slug must not shadow.
RESERVED_SLUGS = frozenset({"new", "preview"})


@transaction.atomic
def category_get_or_create(*, name: str) -> Category:
    """The category with this name, ignoring case and surrounding spaces; created if new."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"category": [_("A category needs a name.")]})
    if len(name) > CATEGORY_NAME_MAX:
        raise ValidationError(
            {"category": [_("At most %(max)d characters.") % {"max": CATEGORY_NAME_MAX}]}
        )
    existing = Category.objects.filter(name__iexact=name).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            return Category.objects.create(name=name)
    except IntegrityError:
        # Someone created it a moment ago: theirs is as good as ours.
        return Category.objects.get(name__iexact=name)


def channels_by_code(codes: Iterable[str]) -> list[Channel]:
    """Channels for the given codes, in order, without duplicates; unknown codes are an error."""
    wanted = list(dict.fromkeys(codes))
    found = {c.code: c for c in Channel.objects.filter(code__in=wanted)}
    unknown = [code for code in wanted if code not in found]
    if unknown:
        raise ValidationError(
            {
                "channels": [
                    _("Unknown channel code: %(code)s.") % {"code": code} for code in unknown
                ]
            }
        )
    return [found[code] for code in wanted]


def _unique_slug(title: str) -> str:
    base = slugify(title)[: SLUG_MAX - 4] or "standard"
    if base in RESERVED_SLUGS:
        base = f"{base}-standard"
    slug, n = base, 2
    while Standard.objects.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


def _resolve_category(category) -> Category | None:
    if category is None or isinstance(category, Category):
        return category
    return category_get_or_create(name=category)


def _clean_four_eyes(value) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise ValidationError({"four_eyes": [_("Choose required, not required or empty.")]})
    return value


def _save(standard: Standard) -> None:
    if standard.slug in RESERVED_SLUGS:
        raise ValidationError({"slug": [_("This address is reserved; choose another slug.")]})
    standard.full_clean(exclude=["channels"])
    try:
        with transaction.atomic():
            standard.save()
    except IntegrityError:
        raise ValidationError({"slug": [_("A standard with this slug already exists.")]}) from None


@transaction.atomic
def standard_create(
    *,
    user,
    title: str,
    slug: str = "",
    category: Category | str | None = None,
    channels: Iterable[Channel] = (),
    owner=None,
    review_interval_months: int = 12,
    four_eyes: bool | None = None,
) -> Standard:
    """A new standard with no versions yet; ``category`` may be a name (created if new)."""
    require_manager(user)
    title = (title or "").strip()
    standard = Standard(
        title=title,
        slug=(slug or "").strip() or _unique_slug(title),
        category=_resolve_category(category),
        owner=owner if owner is not None else user,
        review_interval_months=review_interval_months,
        four_eyes=_clean_four_eyes(four_eyes),
    )
    _save(standard)
    standard.channels.set(list(channels))
    return standard


@transaction.atomic
def standard_update(
    *,
    standard: Standard,
    user,
    title=_UNSET,
    slug=_UNSET,
    category=_UNSET,
    channels=_UNSET,
    owner=_UNSET,
    review_interval_months=_UNSET,
    four_eyes=_UNSET,
) -> Standard:
    """Change what is given. A new interval moves the next review date at once.
    ``four_eyes``: True or False for this standard, None for the portal's setting."""
    require_manager(user)
    locked = Standard.objects.select_for_update().get(pk=standard.pk)
    if title is not _UNSET:
        locked.title = (title or "").strip()
    if slug is not _UNSET:
        locked.slug = (slug or "").strip()
    if category is not _UNSET:
        locked.category = _resolve_category(category)
    if owner is not _UNSET:
        locked.owner = owner
    if four_eyes is not _UNSET:
        locked.four_eyes = _clean_four_eyes(four_eyes)
    if review_interval_months is not _UNSET:
        locked.review_interval_months = review_interval_months
        if locked.last_reviewed_on:
            locked.next_review_date = add_months(locked.last_reviewed_on, review_interval_months)
    _save(locked)
    if channels is not _UNSET:
        locked.channels.set(list(channels))
    return locked


@transaction.atomic
def standard_mark_reviewed(*, standard: Standard, user, on: date | None = None) -> Standard:
    """The owner checked the published text and it is still right: the next review moves on."""
    require_manager(user)
    locked = Standard.objects.select_for_update().get(pk=standard.pk)
    if locked.current_version is None:
        raise ValidationError(_("Only a published standard can be marked as reviewed."))
    set_reviewed(locked, on or timezone.localdate())
    return locked


def set_reviewed(standard: Standard, on: date) -> None:
    standard.last_reviewed_on = on
    standard.next_review_date = add_months(on, standard.review_interval_months)
    standard.save(update_fields=["last_reviewed_on", "next_review_date", "updated_at"])


@transaction.atomic
def standard_retire(*, standard: Standard, user, at=None) -> Standard:
    """Take the standard out of the book: lists, onboarding and "My service" no longer show it,
    and its outstanding acknowledgements are withdrawn (``standard_retired``; training listens).
    Versions, acknowledgements and evaluations stay. A version in draft or in review stays too,
    but cannot be published until the standard is reinstated."""
    require_manager(user)
    locked = Standard.objects.select_for_update().get(pk=standard.pk)
    if locked.is_retired:
        raise VersionStateError(_("This standard is retired already."))
    locked.retired_at = at or timezone.now()
    locked.retired_by = user
    locked.save(update_fields=["retired_at", "retired_by", "updated_at"])
    standard_retired.send(sender=Standard, standard=locked, at=locked.retired_at)
    return locked


@transaction.atomic
def standard_reinstate(*, standard: Standard, user) -> Standard:
    """Put a retired standard back in the book; the people whose tracks hold it are asked to
    acknowledge its published version again where they still have to (``standard_reinstated``),
    with due dates counted from today."""
    require_manager(user)
    locked = Standard.objects.select_for_update().get(pk=standard.pk)
    if not locked.is_retired:
        raise VersionStateError(_("This standard is not retired."))
    locked.retired_at = None
    locked.retired_by = None
    locked.save(update_fields=["retired_at", "retired_by", "updated_at"])
    standard_reinstated.send(sender=Standard, standard=locked)
    return locked
