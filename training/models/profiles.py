"""When a person works, for reminders."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from channels_app.models import validate_timezone


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
