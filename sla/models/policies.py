"""SLA policies: a channel's targets per priority, and the priorities and metrics they name."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from channels_app.models import Channel
from core.basemodels import TimeStampedModel

WARNING_PERCENT_DEFAULT = 80
# A year of minutes: anything longer is a typo, and business time would not reach it anyway.
MAX_TARGET_MINUTES = 366 * 24 * 60


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class Metric(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    RESOLUTION = "resolution", _("Resolution")


class SlaPolicyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class SlaPolicy(TimeStampedModel):
    """Targets for one channel and priority (or any priority when ``priority`` is empty)."""

    # Module level only because Meta (a nested scope) could not see a class defined here.
    Priority = Priority

    name = models.CharField(_("name"), max_length=100)
    channel = models.ForeignKey(
        Channel,
        on_delete=models.PROTECT,
        related_name="sla_policies",
        verbose_name=_("channel"),
    )
    # NULL (not "") is "any priority": the API says null, and the constraints below rely on it.
    priority = models.CharField(  # noqa: DJ001
        _("priority"),
        max_length=10,
        choices=Priority.choices,
        null=True,
        blank=True,
        help_text=_("Empty means any priority without a policy of its own."),
    )
    first_response_minutes = models.PositiveIntegerField(
        _("first response target (minutes)"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_TARGET_MINUTES)],
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution target (minutes)"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_TARGET_MINUTES)],
    )
    warning_percent = models.PositiveSmallIntegerField(
        _("warning threshold (percent of the target)"),
        default=WARNING_PERCENT_DEFAULT,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text=_("A contact becomes “at risk” once this share of its target has elapsed."),
    )
    business_hours = models.BooleanField(
        _("count business hours only"),
        default=True,
        help_text=_("Clocks run only while the channel's calendar is open; else around the clock."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = SlaPolicyQuerySet.as_manager()

    class Meta:
        ordering = ["channel__name", "priority", "name"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "priority"],
                condition=Q(is_active=True, priority__isnull=False),
                name="sla_policy_one_active_per_priority",
                violation_error_message=_(
                    "This channel already has an active policy for this priority."
                ),
            ),
            # NULLs never collide in a unique index, so "any priority" needs its own constraint.
            models.UniqueConstraint(
                fields=["channel"],
                condition=Q(is_active=True, priority__isnull=True),
                name="sla_policy_one_active_any_priority",
                violation_error_message=_(
                    "This channel already has an active policy for any priority."
                ),
            ),
            models.CheckConstraint(
                condition=Q(first_response_minutes__gt=0, resolution_minutes__gt=0),
                name="sla_policy_minutes_positive",
                violation_error_message=_("Targets must be at least one minute."),
            ),
            models.CheckConstraint(
                condition=Q(warning_percent__gte=1, warning_percent__lte=99),
                name="sla_policy_warning_percent_range",
                violation_error_message=_("The warning share must be between 1 and 99%."),
            ),
            models.CheckConstraint(
                condition=Q(priority__isnull=True) | Q(priority__in=Priority.values),
                name="sla_policy_priority_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name
