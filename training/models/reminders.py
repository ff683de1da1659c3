"""What was sent about obligations: each reminder step once, each weekly digest once."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from training.models.obligations import Obligation


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
