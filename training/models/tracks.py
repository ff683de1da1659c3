"""Tracks (ordered lists of standards), their items, who has which track and the group rules
that hand tracks out."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.basemodels import TimeStampedModel
from standards.models import Standard


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
