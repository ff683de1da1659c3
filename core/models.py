"""The kernel's own tables: the outbox of every email, and each person's preferences."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OutboxQuerySet(models.QuerySet):
    def due(self, now):
        """Pending rows whose time has come and that no sender holds (see ``core.outbox``)."""
        return self.filter(status=OutboxMessage.Status.PENDING, not_before__lte=now).filter(
            Q(leased_until__isnull=True) | Q(leased_until__lte=now)
        )

    def needs_attention(self):
        """What a manager should look at: given up, or tried and failing now."""
        return self.filter(
            Q(status=OutboxMessage.Status.FAILED)
            | Q(status=OutboxMessage.Status.PENDING, attempts__gt=0)
        )


class OutboxMessage(models.Model):
    """One email to one address, written in the transaction of the change that calls for it.

    ``kind`` names a registered message (``core.outbox.register``) that renders ``context`` in
    ``language`` when the row is sent, and may tell its app what happened (``ref``). Each app
    keeps its own unique record of what was due (a reminder step, an invitation, a breach
    notification), so logic never writes the same message twice.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    kind = models.CharField(_("kind"), max_length=60)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recipient"),
    )
    to = models.EmailField(_("to"), max_length=254)
    language = models.CharField(_("language"), max_length=8)
    context = models.JSONField(_("context"), default=dict, blank=True)
    ref = models.CharField(_("reference"), max_length=64, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"))
    not_before = models.DateTimeField(_("not before"))
    retry_until = models.DateTimeField(_("retry until"))
    expires_at = models.DateTimeField(
        _("expires at"),
        null=True,
        blank=True,
        help_text=_("Not sent after this instant (a survey link that has expired)."),
    )
    leased_until = models.DateTimeField(_("leased until"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            # The sender's query: pending rows whose time has come.
            models.Index(
                fields=["not_before"], condition=Q(status="pending"), name="core_outbox_due"
            ),
            # The managers' page and the dashboard card.
            models.Index(fields=["status", "created_at"], name="core_outbox_status"),
            models.Index(fields=["kind", "ref"], name="core_outbox_ref"),
        ]

    def __str__(self):
        return f"{self.kind} → {self.to}"


class Profile(models.Model):
    """What a person chose for themselves: the language of the interface and of their email."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="portal_profile",
        verbose_name=_("user"),
    )
    language = models.CharField(_("preferred language"), max_length=8, blank=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self):
        return str(self.user)
