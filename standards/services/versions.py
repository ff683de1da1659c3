"""The version workflow: draft -> in review -> published (-> archived), or back to draft.

Just over 400 lines on purpose: one state machine, each transition's checks next to the others'
(the same lock, the same frozen and retired refusals).

Every function locks the standard's row first, then re-reads the version, so two managers acting
at once run one after the other and the second one gets a clear message instead of a surprise.
The partial unique constraints on ``StandardVersion`` are the last line of defence.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from standards.models import (
    Criterion,
    ImmutableVersionError,
    Standard,
    StandardVersion,
    TypicalSituation,
)
from standards.services.common import (
    FourEyesError,
    VersionStateError,
    clean_body,
    clean_change_kind,
    clean_change_summary,
    clean_criteria,
    clean_situations,
    four_eyes_refusal,
    require_manager,
)
from standards.services.standards import set_reviewed
from standards.signals import draft_started, version_published

Status = StandardVersion.Status


def _lock(version: StandardVersion) -> tuple[Standard, StandardVersion]:
    standard = Standard.objects.select_for_update().get(pk=version.standard_id)
    fresh = StandardVersion.objects.select_related("approver").get(pk=version.pk)
    fresh.standard = standard
    return standard, fresh


def _who(user) -> str:
    if user is None:
        return gettext("someone")
    return user.get_full_name() or user.get_username()


def _refuse_frozen(version: StandardVersion) -> None:
    if version.status == Status.PUBLISHED:
        raise ImmutableVersionError(
            gettext(
                "Version %(number)d is published and cannot be changed. "
                "Start a new draft to change this standard."
            )
            % {"number": version.number}
        )
    if version.status == Status.ARCHIVED:
        raise ImmutableVersionError(
            gettext("Version %(number)d is archived and cannot be changed.")
            % {"number": version.number}
        )


def _replace_parts(
    version: StandardVersion,
    *,
    criteria: list[dict[str, Any]] | None,
    situations: list[dict[str, str]] | None,
) -> None:
    if criteria is not None:
        version.criteria.all().delete()
        Criterion.objects.bulk_create(
            Criterion(version=version, order=i, **item) for i, item in enumerate(criteria)
        )
    if situations is not None:
        version.situations.all().delete()
        TypicalSituation.objects.bulk_create(
            TypicalSituation(version=version, order=i, **item) for i, item in enumerate(situations)
        )


def _retired_refusal(standard: Standard) -> str | None:
    if standard.is_retired:
        return gettext("This standard is retired; reinstate it before publishing a new version.")
    return None


def _refuse_retired(standard: Standard) -> None:
    refusal = _retired_refusal(standard)
    if refusal:
        raise VersionStateError(refusal)


def _collect(checks) -> None:
    """Run every check, then raise all their problems together."""
    errors: dict[str, list[str]] = {}
    for check in checks:
        try:
            check()
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def version_create_draft(
    *,
    standard: Standard,
    user,
    body_markdown: str | None = None,
    change_kind: str | None = None,
    change_summary: str = "",
    criteria: Iterable[Mapping[str, Any]] | None = None,
    situations: Iterable[Mapping[str, Any]] | None = None,
) -> StandardVersion:
    """A new draft with the next number, starting as a copy of the published version.

    Whatever is given replaces the copied body, criteria or situations. A standard has at most
    one version in draft or in review at a time.
    """
    require_manager(user)
    standard = Standard.objects.select_for_update().get(pk=standard.pk)
    cleaned: dict[str, Any] = {}

    def check_body():
        if body_markdown is not None:
            cleaned["body"] = clean_body(body_markdown)

    def check_kind():
        if change_kind is not None:
            cleaned["kind"] = clean_change_kind(change_kind)

    def check_summary():
        cleaned["summary"] = clean_change_summary(change_summary)

    def check_criteria():
        if criteria is not None:
            cleaned["criteria"] = clean_criteria(criteria)

    def check_situations():
        if situations is not None:
            cleaned["situations"] = clean_situations(situations)

    _collect([check_body, check_kind, check_summary, check_criteria, check_situations])

    _refuse_retired(standard)
    open_version = standard.versions.open().first()
    if open_version is not None:
        raise VersionStateError(
            gettext(
                "Version %(number)d of this standard is already %(status)s; "
                "publish or discard it before starting another."
            )
            % {"number": open_version.number, "status": open_version.get_status_display().lower()}
        )
    published = (
        standard.versions.filter(status=Status.PUBLISHED)
        .prefetch_related("criteria", "situations")
        .first()
    )
    number = (standard.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = StandardVersion(
        standard=standard,
        number=number,
        body_markdown=cleaned.get("body", published.body_markdown if published else ""),
        change_kind=cleaned.get("kind", StandardVersion.ChangeKind.MAJOR),
        change_summary=cleaned["summary"],
        author=user,
        status=Status.DRAFT,
    )
    try:
        with transaction.atomic():
            version.save()
    except IntegrityError:
        raise VersionStateError(
            gettext("Another draft of this standard was started at the same time; reload.")
        ) from None
    copied_criteria = cleaned.get("criteria")
    if copied_criteria is None:
        copied_criteria = [
            {"text": c.text, "weight": c.weight, "is_critical": c.is_critical}
            for c in (published.criteria.all() if published else [])
        ]
    copied_situations = cleaned.get("situations")
    if copied_situations is None:
        copied_situations = [
            {
                "title": s.title,
                "customer_says": s.customer_says,
                "prescribed_response": s.prescribed_response,
            }
            for s in (published.situations.all() if published else [])
        ]
    _replace_parts(version, criteria=copied_criteria, situations=copied_situations)
    draft_started.send(sender=StandardVersion, version=version, source=published)
    return version


@transaction.atomic
def version_update_draft(
    *,
    version: StandardVersion,
    user,
    body_markdown: str | None = None,
    change_kind: str | None = None,
    change_summary: str | None = None,
    criteria: Iterable[Mapping[str, Any]] | None = None,
    situations: Iterable[Mapping[str, Any]] | None = None,
) -> StandardVersion:
    """Change a draft; what is given replaces what was there (criteria and situations whole)."""
    require_manager(user)
    _standard, fresh = _lock(version)
    _refuse_frozen(fresh)
    if fresh.status == Status.IN_REVIEW:
        raise VersionStateError(
            gettext("Version %(number)d is in review. Return it to draft before changing it.")
            % {"number": fresh.number}
        )
    cleaned: dict[str, Any] = {}

    def check_body():
        if body_markdown is not None:
            fresh.body_markdown = clean_body(body_markdown)

    def check_kind():
        if change_kind is not None:
            fresh.change_kind = clean_change_kind(change_kind)

    def check_summary():
        if change_summary is not None:
            fresh.change_summary = clean_change_summary(change_summary)

    def check_criteria():
        if criteria is not None:
            cleaned["criteria"] = clean_criteria(criteria)

    def check_situations():
        if situations is not None:
            cleaned["situations"] = clean_situations(situations)

    _collect([check_body, check_kind, check_summary, check_criteria, check_situations])
    fresh.save()
    _replace_parts(fresh, criteria=cleaned.get("criteria"), situations=cleaned.get("situations"))
    return fresh


def _publishable_problems(version: StandardVersion) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not version.body_markdown.strip():
        errors["body_markdown"] = [gettext("Write the text of the standard before publishing it.")]
    if not version.criteria.exists():
        errors["criteria"] = [
            gettext("Add at least one measurable criterion before publishing the standard.")
        ]
    return errors


@transaction.atomic
def version_submit_for_review(*, version: StandardVersion, user) -> StandardVersion:
    require_manager(user)
    _standard, fresh = _lock(version)
    _refuse_frozen(fresh)
    if fresh.status == Status.IN_REVIEW:
        raise VersionStateError(
            gettext("Version %(number)d is already in review.") % {"number": fresh.number}
        )
    if errors := _publishable_problems(fresh):
        raise ValidationError(errors)
    fresh.status = Status.IN_REVIEW
    fresh.submitted_at = timezone.now()
    fresh.review_comment = ""
    fresh.save()
    return fresh


@transaction.atomic
def version_return_to_draft(*, version: StandardVersion, user, comment: str) -> StandardVersion:
    """The reviewer sends the version back to its author with a comment saying why."""
    require_manager(user)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(
            {"comment": [gettext("Say what has to change before the version can be published.")]}
        )
    _standard, fresh = _lock(version)
    _refuse_frozen(fresh)
    if fresh.status != Status.IN_REVIEW:
        raise VersionStateError(
            gettext("Version %(number)d is not in review.") % {"number": fresh.number}
        )
    fresh.status = Status.DRAFT
    fresh.review_comment = comment
    fresh.save()
    return fresh


@transaction.atomic
def version_publish(
    *,
    version: StandardVersion,
    user,
    change_summary: str | None = None,
    change_kind: str | None = None,
    allow_draft: bool = False,
    at: datetime | None = None,
) -> StandardVersion:
    """Publish a version in review (or a draft, when ``allow_draft``), archiving the old one.

    The standard's row is locked first, so of two managers publishing at once the second waits,
    then finds the version already published and gets a message saying by whom.
    ``change_summary``/``change_kind``, when given, are set on the version as it is published;
    a version is never published without a change summary.
    """
    require_manager(user)
    standard, fresh = _lock(version)
    if fresh.status == Status.PUBLISHED:
        raise VersionStateError(
            gettext("Version %(number)d was already published by %(who)s on %(when)s.")
            % {
                "number": fresh.number,
                "who": _who(fresh.approver),
                "when": date_format(timezone.localtime(fresh.published_at), "DATETIME_FORMAT"),
            }
        )
    if fresh.status == Status.ARCHIVED:
        raise ImmutableVersionError(
            gettext("Version %(number)d is archived; it cannot be published again.")
            % {"number": fresh.number}
        )
    if fresh.status == Status.DRAFT and not allow_draft:
        raise VersionStateError(
            gettext("Version %(number)d is a draft. Submit it for review before publishing it.")
            % {"number": fresh.number}
        )
    _refuse_retired(standard)
    if refusal := four_eyes_refusal(fresh, user):
        raise FourEyesError(refusal)
    errors = _publishable_problems(fresh)
    if change_kind is not None:
        try:
            fresh.change_kind = clean_change_kind(change_kind)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    try:
        summary = clean_change_summary(
            fresh.change_summary if change_summary is None else change_summary
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    else:
        if not summary:
            errors["change_summary"] = [
                gettext("Say in a sentence what changed; staff read it with the new version.")
            ]
        fresh.change_summary = summary
    if errors:
        raise ValidationError(errors)

    now = at or timezone.now()
    previous = standard.versions.filter(status=Status.PUBLISHED).first()
    if previous is not None:
        previous.status = Status.ARCHIVED
        previous.archived_at = now
        previous.save(update_fields=["status", "archived_at", "updated_at"])
    fresh.status = Status.PUBLISHED
    fresh.published_at = now
    fresh.approver = user
    try:
        with transaction.atomic():
            fresh.save()
    except IntegrityError:
        raise VersionStateError(
            gettext("Another version of this standard was published at the same time; reload.")
        ) from None
    set_reviewed(standard, timezone.localdate(now))
    version_published.send(sender=StandardVersion, version=fresh, previous=previous)
    return fresh


def version_publish_refusal(*, version: StandardVersion, user) -> str | None:
    """Why ``user`` cannot publish ``version`` now for reasons beyond its status (a retired
    standard, four eyes), for the page to explain instead of offering the button; or None."""
    return _retired_refusal(version.standard) or four_eyes_refusal(version, user)


@transaction.atomic
def version_discard(*, version: StandardVersion, user) -> None:
    """Delete a draft or a version in review that will not be published."""
    require_manager(user)
    _standard, fresh = _lock(version)
    _refuse_frozen(fresh)
    fresh.criteria.all().delete()
    fresh.situations.all().delete()
    fresh.delete()
