"""Onboarding: tracks of standards, assignments, comprehension checks, acknowledgements (never
changed once written), the obligations ("acknowledge this version by that date") they resolve,
and the reminders sent about them."""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from channels_app.models import validate_timezone
from portal.models import InsertOnlyModel, TimeStampedModel
from standards.models import Standard, StandardVersion
from standards.models.versions import FrozenWithVersionQuerySet


class ImmutableRecordError(ValidationError):
    """Raised on any attempt to change or delete an acknowledgement."""

    def __init__(self, message=None):
        super().__init__(
            message or _("Acknowledgements are permanent records: they cannot be changed."),
            code="immutable_acknowledgement",
        )


class FrozenQuestionError(ValidationError):
    def __init__(self):
        super().__init__(
            _("The questions of a published or archived version cannot be changed."),
            code="frozen_question",
        )


class Track(TimeStampedModel):
    """A named, ordered list of standards, e.g. "Chat agent onboarding"."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("track")
        verbose_name_plural = _("tracks")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("training:track-edit", kwargs={"pk": self.pk})


class TrackItem(models.Model):
    track = models.ForeignKey(
        Track, on_delete=models.CASCADE, related_name="items", verbose_name=_("track")
    )
    standard = models.ForeignKey(
        Standard,
        on_delete=models.CASCADE,
        related_name="track_items",
        verbose_name=_("standard"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    due_offset_days = models.PositiveSmallIntegerField(
        _("due after (days)"),
        default=7,
        validators=[MaxValueValidator(365)],
        help_text=_("Days after the start of the assignment."),
    )

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("track item")
        verbose_name_plural = _("track items")
        constraints = [
            models.UniqueConstraint(
                fields=["track", "standard"],
                name="training_item_standard_once",
                violation_error_message=_("A standard appears once per track."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.track}: {self.standard}"


class TrackAssignment(TimeStampedModel):
    class Source(models.TextChoices):
        MANUAL = "manual", _("Assigned by a manager")
        GROUP_RULE = "group_rule", _("Group rule")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="track_assignments",
        verbose_name=_("person"),
    )
    track = models.ForeignKey(
        Track, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("track")
    )
    start_date = models.DateField(_("start date"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.MANUAL
    )

    class Meta:
        ordering = ["-start_date", "id"]
        verbose_name = _("track assignment")
        verbose_name_plural = _("track assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "track"],
                name="training_assignment_once",
                violation_error_message=_("This person already has this track."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.track}"


class GroupRule(TimeStampedModel):
    """Whoever joins ``group`` gets ``track``, starting the day they join."""

    group = models.ForeignKey(
        "auth.Group",
        on_delete=models.CASCADE,
        related_name="training_rules",
        verbose_name=_("group"),
    )
    track = models.ForeignKey(
        Track, on_delete=models.CASCADE, related_name="group_rules", verbose_name=_("track")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        ordering = ["group__name", "track__name"]
        verbose_name = _("group rule")
        verbose_name_plural = _("group rules")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "track"],
                name="training_group_rule_once",
                violation_error_message=_("This rule exists already."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group} → {self.track}"


class TrainingProfile(models.Model):
    """When a person works, so reminders reach them then. Unknown: any time."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="training_profile",
        verbose_name=_("person"),
    )
    timezone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_timezone],
    )
    work_start = models.TimeField(_("working hours start"), null=True, blank=True)
    work_end = models.TimeField(_("working hours end"), null=True, blank=True)

    class Meta:
        verbose_name = _("training profile")
        verbose_name_plural = _("training profiles")

    def __str__(self) -> str:
        return str(self.user)


# --- Comprehension checks ------------------------------------------------------------------


def _version_frozen(version_id) -> bool:
    return StandardVersion._base_manager.filter(
        pk=version_id, status__in=StandardVersion.FROZEN_STATUSES
    ).exists()


class Check(models.Model):
    """Pass mark and attempts of a version's check (defaults when a version has no row)."""

    DEFAULT_PASS_MARK = 80
    DEFAULT_MAX_ATTEMPTS = 3

    version = models.OneToOneField(
        StandardVersion,
        on_delete=models.CASCADE,
        related_name="training_check",
        verbose_name=_("version"),
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"),
        default=DEFAULT_PASS_MARK,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("attempts"),
        default=DEFAULT_MAX_ATTEMPTS,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )

    class Meta:
        verbose_name = _("comprehension check")
        verbose_name_plural = _("comprehension checks")
        constraints = [
            models.CheckConstraint(
                condition=Q(pass_mark__gte=1) & Q(pass_mark__lte=100),
                name="training_check_pass_mark_range",
            ),
            models.CheckConstraint(
                condition=Q(max_attempts__gte=1) & Q(max_attempts__lte=20),
                name="training_check_attempts_range",
            ),
        ]

    def __str__(self) -> str:
        return str(self.version)


class QuestionQuerySet(FrozenWithVersionQuerySet):
    frozen_error = FrozenQuestionError


class Question(models.Model):
    """Written with the version: editable while it is a draft or in review, frozen after."""

    class Kind(models.TextChoices):
        SINGLE = "single", _("One answer")
        MULTIPLE = "multiple", _("Several answers")

    version = models.ForeignKey(
        StandardVersion,
        on_delete=models.CASCADE,
        related_name="training_questions",
        verbose_name=_("version"),
    )
    text = models.CharField(_("question"), max_length=500)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SINGLE)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["single", "multiple"]), name="training_question_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.text

    def save(self, *args, **kwargs):
        if _version_frozen(self.version_id):
            raise FrozenQuestionError
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if _version_frozen(self.version_id):
            raise FrozenQuestionError
        return super().delete(*args, **kwargs)


class ChoiceQuerySet(FrozenWithVersionQuerySet):
    version_path = "question__version"
    frozen_error = FrozenQuestionError


class Choice(models.Model):
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="choices", verbose_name=_("question")
    )
    text = models.CharField(_("answer"), max_length=300)
    is_correct = models.BooleanField(_("correct"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = ChoiceQuerySet.as_manager()

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self) -> str:
        return self.text

    def save(self, *args, **kwargs):
        version_id = Question.objects.filter(pk=self.question_id).values("version_id")[:1]
        if _version_frozen(version_id):
            raise FrozenQuestionError
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        version_id = Question.objects.filter(pk=self.question_id).values("version_id")[:1]
        if _version_frozen(version_id):
            raise FrozenQuestionError
        return super().delete(*args, **kwargs)


class CheckAttempt(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="check_attempts",
        verbose_name=_("person"),
    )
    version = models.ForeignKey(
        StandardVersion,
        on_delete=models.PROTECT,
        related_name="check_attempts",
        verbose_name=_("version"),
    )
    score = models.PositiveSmallIntegerField(_("score (%)"))
    passed = models.BooleanField(_("passed"))
    answers = models.JSONField(_("answers"), default=dict)
    at = models.DateTimeField(_("at"))
    # Set by a manager's "reset attempts": the attempt stays on record but no longer counts.
    cleared_at = models.DateTimeField(_("reset at"), null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reset by"),
    )

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("check attempt")
        verbose_name_plural = _("check attempts")
        indexes = [models.Index(fields=["user", "version"], name="training_attempt_user_idx")]

    def __str__(self) -> str:
        return f"{self.user} {self.version} {self.score}%"


# --- Acknowledgements ------------------------------------------------------------------


def version_content(version: StandardVersion) -> dict:
    """What a person reads and accepts: body, criteria and situations, in a stable shape."""
    return {
        "body": version.body_markdown,
        "criteria": [
            [c.text, c.weight, c.is_critical]
            for c in sorted(version.criteria.all(), key=lambda c: (c.order, c.pk))
        ],
        "situations": [
            [s.title, s.customer_says, s.prescribed_response]
            for s in sorted(version.situations.all(), key=lambda s: (s.order, s.pk))
        ],
    }


def compute_fingerprint(*, version: StandardVersion, user_id: int, at) -> str:
    """SHA-256 (hex) over the version's content, the user's id and the time (UTC, ISO 8601)."""
    from datetime import UTC

    payload = json.dumps(
        {
            "version": version_content(version),
            "user": user_id,
            "at": at.astimezone(UTC).isoformat(),
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


class AcknowledgementQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableRecordError

    def delete(self):
        raise ImmutableRecordError

    delete.queryset_only = True

    def bulk_update(self, *args, **kwargs):
        raise ImmutableRecordError


class Acknowledgement(InsertOnlyModel):
    """A person accepted one published version of a standard. Never changed nor deleted."""

    immutable_error = ImmutableRecordError

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="acknowledgements",
        verbose_name=_("person"),
    )
    version = models.ForeignKey(
        StandardVersion,
        on_delete=models.PROTECT,
        related_name="acknowledgements",
        verbose_name=_("version"),
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"))
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=500, blank=True)
    quiz_score = models.PositiveSmallIntegerField(_("check score (%)"), null=True, blank=True)
    full_name = models.CharField(_("name typed"), max_length=200)
    fingerprint = models.CharField(_("fingerprint (SHA-256)"), max_length=64)

    objects = AcknowledgementQuerySet.as_manager()

    class Meta:
        ordering = ["-acknowledged_at", "-id"]
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "version"],
                name="training_acknowledgement_once",
                violation_error_message=_("This version is acknowledged already."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.version}"

    def get_absolute_url(self) -> str:
        return reverse("training:acknowledgement", kwargs={"pk": self.pk})

    def delete(self, *args, **kwargs):
        raise ImmutableRecordError

    def fingerprint_is_valid(self) -> bool:
        """Recomputed from what is stored now: a changed version, person or time shows."""
        expected = compute_fingerprint(
            version=self.version, user_id=self.user_id, at=self.acknowledged_at
        )
        return expected == self.fingerprint


# --- Obligations and reminders -------------------------------------------------------------


class ObligationQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state=Obligation.State.OPEN)

    def overdue(self, today):
        return self.open().filter(due_date__lt=today)

    @staticmethod
    def _required_by_a_track():
        """The person has a track that holds the obligation's standard."""
        return Exists(
            TrackItem.objects.filter(
                standard_id=OuterRef("standard_id"),
                track__assignments__user_id=OuterRef("user_id"),
            )
        )

    def required(self):
        """Obligations some track of the person still holds: the only ones worth a reminder."""
        return self.filter(self._required_by_a_track())

    def unrequired(self):
        """Obligations no track of the person holds any more (item removed, track unassigned)."""
        return self.filter(~self._required_by_a_track())


class Obligation(TimeStampedModel):
    """A person must acknowledge ``version`` (the standard's published one) by ``due_date``.

    Created when a track is assigned and when a major version is published; resolved by the
    acknowledgement. A minor publication moves open obligations to the new version, keeping the
    due date. At most one open obligation per person and standard. Withdrawn (kept on record,
    never deleted) when no track of the person holds the standard any more; a later assignment
    then makes a new one.
    """

    class State(models.TextChoices):
        OPEN = "open", _("Outstanding")
        DONE = "done", _("Acknowledged")
        WITHDRAWN = "withdrawn", pgettext_lazy("obligation state", "Withdrawn")

    class Reason(models.TextChoices):
        NEW = "new", _("New in the track")
        CHANGED = "changed", _("Major change")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="training_obligations",
        verbose_name=_("person"),
    )
    standard = models.ForeignKey(
        Standard, on_delete=models.CASCADE, related_name="+", verbose_name=_("standard")
    )
    version = models.ForeignKey(
        StandardVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("version")
    )
    due_date = models.DateField(_("due date"))
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    acknowledgement = models.ForeignKey(
        Acknowledgement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledgement"),
    )

    objects = ObligationQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "standard"],
                condition=Q(state="open"),
                name="training_obligation_one_open",
            ),
            # A withdrawn obligation is history: the same version may be asked for again.
            models.UniqueConstraint(
                fields=["user", "version"],
                condition=~Q(state="withdrawn"),
                name="training_obligation_once_per_version",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["open", "done", "withdrawn"]),
                name="training_obligation_state_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_date"], name="training_obligation_open_idx", condition=Q(state="open")
            ),
            models.Index(fields=["user", "state"], name="training_obligation_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.version} {self.due_date}"


class ReminderSent(models.Model):
    """One e-mail step of one obligation; the constraint keeps any step from going twice."""

    class Step(models.TextChoices):
        ASSIGNED = "assigned", _("On assignment")
        BEFORE_DUE = "before_due", _("3 days before the due date")
        DUE = "due", _("On the due date")
        OVERDUE_1 = "overdue_1", _("Overdue (1)")
        OVERDUE_2 = "overdue_2", _("Overdue (2)")
        OVERDUE_3 = "overdue_3", _("Overdue (3)")
        OVERDUE_4 = "overdue_4", _("Overdue (4)")
        OVERDUE_5 = "overdue_5", _("Overdue (5)")

    obligation = models.ForeignKey(
        Obligation, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("obligation")
    )
    step = models.CharField(_("step"), max_length=20, choices=Step.choices)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(
                fields=["obligation", "step"], name="training_reminder_step_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.obligation} {self.step}"


class DigestSent(models.Model):
    """The weekly overdue digest a manager got, once per ISO week."""

    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    week = models.DateField(_("week starting"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("digest sent")
        verbose_name_plural = _("digests sent")
        constraints = [
            models.UniqueConstraint(fields=["manager", "week"], name="training_digest_once"),
        ]

    def __str__(self) -> str:
        return f"{self.manager} {self.week}"
