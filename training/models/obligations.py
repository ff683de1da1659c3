"""Obligations: "acknowledge this version by that date", resolved by an acknowledgement."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.basemodels import TimeStampedModel
from standards.models import Standard, StandardVersion
from training.models.acknowledgements import Acknowledgement
from training.models.tracks import TrackItem


class ObligationQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state=Obligation.State.OPEN)

    def overdue(self, today):
        return self.open().filter(due_date__lt=today)

    @staticmethod
    def _required_by_a_track():
        """The person has a track that holds the obligation's standard."""
        return Exists(
            TrackItem.objects.filter(
                standard_id=OuterRef("standard_id"),
                track__assignments__user_id=OuterRef("user_id"),
            )
        )

    def required(self):
        """Obligations some track of the person still holds: the only ones worth a reminder."""
        return self.filter(self._required_by_a_track())

    def unrequired(self):
        """Obligations no track of the person holds any more (item removed, track unassigned)."""
        return self.filter(~self._required_by_a_track())


class Obligation(TimeStampedModel):
    """A person must acknowledge ``version`` (the standard's published one) by ``due_date``.

    Created when a track is assigned and when a major version is published; resolved by the
    acknowledgement. A minor publication moves open obligations to the new version, keeping the
    due date. At most one open obligation per person and standard. Withdrawn (kept on record,
    never deleted) when no track of the person holds the standard any more; a later assignment
    then makes a new one.
    """

    class State(models.TextChoices):
        OPEN = "open", _("Outstanding")
        DONE = "done", _("Acknowledged")
        WITHDRAWN = "withdrawn", pgettext_lazy("obligation state", "Withdrawn")

    class Reason(models.TextChoices):
        NEW = "new", _("New in the track")
        CHANGED = "changed", _("Major change")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="training_obligations",
        verbose_name=_("person"),
    )
    standard = models.ForeignKey(
        Standard, on_delete=models.CASCADE, related_name="+", verbose_name=_("standard")
    )
    version = models.ForeignKey(
        StandardVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("version")
    )
    due_date = models.DateField(_("due date"))
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    acknowledgement = models.ForeignKey(
        Acknowledgement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledgement"),
    )

    objects = ObligationQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "standard"],
                condition=Q(state="open"),
                name="training_obligation_one_open",
            ),
            # A withdrawn obligation is history: the same version may be asked for again.
            models.UniqueConstraint(
                fields=["user", "version"],
                condition=~Q(state="withdrawn"),
                name="training_obligation_once_per_version",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["open", "done", "withdrawn"]),
                name="training_obligation_state_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_date"], name="training_obligation_open_idx", condition=Q(state="open")
            ),
            models.Index(fields=["user", "state"], name="training_obligation_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.version} {self.due_date}"
