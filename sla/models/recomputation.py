"""Requests to recompute the deadlines of open contacts after a policy or calendar change."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DeadlineRecomputation(models.Model):
    """A request to recompute the deadlines of open contacts, worked through in batches.

    Kept in a table so that an edit made while Redis or every worker is down is not forgotten:
    the periodic sweep task picks up unfinished rows.
    """

    channel_ids = models.JSONField(_("channels"), default=list, blank=True)
    calendar_ids = models.JSONField(_("calendars"), default=list, blank=True)
    last_contact_id = models.BigIntegerField(_("last contact done"), default=0)
    processed = models.PositiveIntegerField(_("contacts recomputed"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("deadline recomputation")
        verbose_name_plural = _("deadline recomputations")
        indexes = [
            models.Index(
                fields=["id"], condition=Q(finished_at__isnull=True), name="sla_recompute_open"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"
