"""Acknowledgements: a person accepted one published version; never changed once written
(the database refuses too, migration 0002)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.basemodels import InsertOnlyModel
from standards.models import StandardVersion


class ImmutableRecordError(ValidationError):
    """Raised on any attempt to change or delete an acknowledgement."""

    def __init__(self, message=None):
        super().__init__(
            message or _("Acknowledgements are permanent records: they cannot be changed."),
            code="immutable_acknowledgement",
        )


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
