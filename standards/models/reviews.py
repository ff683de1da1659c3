"""What review reminders were sent, so none is sent twice."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from standards.models.standards import Standard


class ReviewReminder(models.Model):
    """A review reminder e-mail that was sent: one per standard, review date and kind."""

    class Kind(models.TextChoices):
        ADVANCE = "advance", _("14 days before the review date")
        DUE = "due", _("On the review date")

    standard = models.ForeignKey(
        Standard,
        on_delete=models.CASCADE,
        related_name="review_reminders",
        verbose_name=_("standard"),
    )
    review_date = models.DateField(_("review date"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    recipient = models.EmailField(_("recipient"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("review reminder")
        verbose_name_plural = _("review reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["standard", "review_date", "kind"],
                name="standards_review_reminder_once",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["advance", "due"]),
                name="standards_review_reminder_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.standard} {self.review_date} {self.kind}"
