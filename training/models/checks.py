"""Comprehension checks: a version's pass mark and attempts, its questions and answers (frozen
with the version, ``core.frozen``; triggers in migration 0004) and people's attempts."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Max, Q
from django.utils.translation import gettext_lazy as _

from core.frozen import FrozenChildModel
from standards.models import StandardVersion


class FrozenQuestionError(ValidationError):
    def __init__(self):
        super().__init__(
            _("The questions of a published or archived version cannot be changed."),
            code="frozen_question",
        )


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


class Question(FrozenChildModel):
    """Written with the version: editable while it is a draft or in review, frozen after."""

    frozen_via = "version"
    frozen_when = {"status__in": StandardVersion.FROZEN_STATUSES}
    frozen_error = FrozenQuestionError

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


class Choice(FrozenChildModel):
    frozen_via = "question"
    frozen_when = {"version__status__in": StandardVersion.FROZEN_STATUSES}
    frozen_error = FrozenQuestionError

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="choices", verbose_name=_("question")
    )
    text = models.CharField(_("answer"), max_length=300)
    is_correct = models.BooleanField(_("correct"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self) -> str:
        return self.text


class CheckAttemptQuerySet(models.QuerySet):
    # The rule of "attempts that count": a failed attempt a manager has not reset. Passed
    # attempts end the check; reset ones stay on record without counting.
    COUNTS = Q(passed=False, cleared_at__isnull=True)

    def counting(self):
        return self.filter(self.COUNTS)

    def tally(self):
        """Per (user, version): ``used`` (attempts that count), ``passes`` (how many passed)
        and ``best`` (the best passing score), in one query."""
        return (
            self.order_by()
            .values("user_id", "version_id")
            .annotate(
                used=Count("id", filter=self.COUNTS),
                passes=Count("id", filter=Q(passed=True)),
                best=Max("score", filter=Q(passed=True)),
            )
        )


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

    objects = CheckAttemptQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("check attempt")
        verbose_name_plural = _("check attempts")
        indexes = [models.Index(fields=["user", "version"], name="training_attempt_user_idx")]

    def __str__(self) -> str:
        return f"{self.user} {self.version} {self.score}%"
