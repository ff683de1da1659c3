"""The SLA engine's record of what to tell whom (breach and at-risk notices), sent through the
outbox."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from channels_app.models import Channel
from sla.models.contacts import Contact
from sla.models.policies import Metric


class SlaNotificationQuerySet(models.QuerySet):
    def due(self, now):
        return self.filter(status=SlaNotification.Status.PENDING, not_before__lte=now)


class SlaNotification(models.Model):
    """A breach or at-risk warning due to someone: the SLA engine's record of what to tell.

    One row per (contact, metric, kind, recipient), so two sweeps can never queue it twice.
    ``not_before`` holds it through a short grace period (a late event may withdraw the breach)
    and until the channel opens; then the digest step gathers a recipient's due rows into one
    email in the outbox (``core.outbox``).
    """

    Metric = Metric

    class Kind(models.TextChoices):
        BREACH = "breach", _("Breach")
        AT_RISK = "at_risk", _("At risk")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        #: Handed to the outbox as part of a digest (``message``); the outbox sends it.
        QUEUED = "queued", _("In a digest")
        # Rows of the sender that came before the outbox.
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="sla_notifications",
        verbose_name=_("recipient"),
    )
    channel = models.ForeignKey(
        Channel, on_delete=models.CASCADE, related_name="+", verbose_name=_("channel")
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("contact")
    )
    metric = models.CharField(_("metric"), max_length=20, choices=Metric.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("created at"))
    not_before = models.DateTimeField(
        _("not before"), help_text=_("The channel's next opening: nobody is woken at 3 a.m.")
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    message = models.ForeignKey(
        "core.OutboxMessage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("digest"),
    )

    objects = SlaNotificationQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("SLA notification")
        verbose_name_plural = _("SLA notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "metric", "kind", "recipient"],
                name="sla_notification_once",
            ),
        ]
        indexes = [
            models.Index(
                fields=["not_before"],
                condition=Q(status="pending"),
                name="sla_notification_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.metric} {self.contact_id} → {self.recipient_id}"
