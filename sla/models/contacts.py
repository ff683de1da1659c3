"""Contacts with their stored deadlines, their timeline (events) and their breaches.

Deadlines and at-risk instants are computed once (by the services) and stored, so the sweep that
flags breaches is a comparison of indexed columns with "now", however many contacts there are.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from channels_app.models import Channel
from core.basemodels import TimeStampedModel
from sla.models.policies import (
    Metric,
    Priority,
    SlaPolicy,
)

_OPEN_STATES = ["pending", "at_risk"]


class ContactQuerySet(models.QuerySet):
    def open(self):
        """Not resolved yet."""
        return self.exclude(status=Contact.Status.RESOLVED)

    def undecided(self):
        """At least one metric still running (or paused): what a recomputation must touch."""
        return self.filter(
            Q(first_response_state__in=_OPEN_STATES)
            | Q(resolution_state__in=[*_OPEN_STATES, Contact.ResolutionState.PAUSED])
        )

    def overdue(self, now):
        """Past a stored deadline without the event, and not flagged yet (what the sweep flags)."""
        return self.filter(
            Q(first_response_state__in=_OPEN_STATES, first_response_due_at__lt=now)
            | Q(resolution_state__in=_OPEN_STATES, resolution_due_at__lt=now)
        )

    def for_agent(self, user):
        return self.filter(agent=user)

    def with_related(self):
        return self.select_related("channel", "agent")


class Contact(TimeStampedModel):
    """One customer interaction pushed by a helpdesk, with its deadlines and how it went."""

    Priority = Priority

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        WAITING = "waiting", _("Waiting on the customer")
        RESOLVED = "resolved", _("Resolved")

    # The portal's languages (settings.LANGUAGES): Language.EN, .RU, .PL.
    Language = models.TextChoices(
        "Language", [(code.upper(), (code, name)) for code, name in settings.LANGUAGES]
    )

    class FirstResponseState(models.TextChoices):
        PENDING = "pending", _("Pending")
        AT_RISK = "at_risk", _("At risk")
        MET = "met", _("Met")
        BREACHED = "breached", _("Breached")

    class ResolutionState(models.TextChoices):
        PENDING = "pending", _("Pending")
        AT_RISK = "at_risk", _("At risk")
        MET = "met", _("Met")
        BREACHED = "breached", _("Breached")
        PAUSED = "paused", _("Paused")

    # Foreign keys without an index of their own where a wider index begins with them: every
    # index costs each of the millions of rows a backfill writes (Meta.indexes says which).
    channel = models.ForeignKey(
        Channel,
        on_delete=models.PROTECT,
        related_name="contacts",
        verbose_name=_("channel"),
        db_index=False,  # (channel, external_id) and (channel, opened_at)
    )
    external_id = models.CharField(
        _("external id"), max_length=100, help_text=_("The id in the helpdesk, e.g. ZD-1042.")
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    customer_name = models.CharField(_("customer name"), max_length=200, blank=True)
    customer_email = models.EmailField(_("customer email"), blank=True)
    customer_language = models.CharField(
        _("customer language"), max_length=2, choices=Language.choices, default=Language.EN
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sla_contacts",
        verbose_name=_("agent"),
        db_index=False,  # (agent, opened_at)
    )
    opened_at = models.DateTimeField(_("opened at"))
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )

    sla_policy = models.ForeignKey(
        SlaPolicy,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("SLA policy"),
    )
    first_response_due_at = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    # When the warning share of each target has elapsed: the sweep compares, never computes.
    first_response_warn_at = models.DateTimeField(
        _("first response at risk from"), null=True, blank=True
    )
    resolution_warn_at = models.DateTimeField(_("resolution at risk from"), null=True, blank=True)
    first_response_minutes = models.PositiveIntegerField(
        _("first response time (business minutes)"), null=True, blank=True
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution time (business minutes)"), null=True, blank=True
    )
    first_response_state = models.CharField(
        _("first response"),
        max_length=10,
        choices=FirstResponseState.choices,
        default=FirstResponseState.PENDING,
    )
    resolution_state = models.CharField(
        _("resolution"),
        max_length=10,
        choices=ResolutionState.choices,
        default=ResolutionState.PENDING,
    )
    paused_at = models.DateTimeField(_("waiting since"), null=True, blank=True)
    paused_business_minutes = models.FloatField(
        _("business minutes spent waiting"),
        default=0,
        help_text=_("Closed pauses only; the resolution clock does not count them."),
    )
    # When the portal learned of the contact (the service's clock, which tests and imports set):
    # a deadline long before it is history, recorded but not alerted.
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    notify = models.BooleanField(
        _("send notifications"),
        default=True,
        help_text=_("Off for contacts imported already resolved: judged, never notified."),
    )

    # The two-step CSV import that created the contact (before imports became jobs, which record
    # the ids they created as ranges: ContactImportRange).
    import_batch = models.ForeignKey(
        "ContactImport",
        verbose_name=_("import"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
        db_index=False,  # a partial index: the few contacts of two-step imports
    )

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                name="sla_contact_unique_external_id",
                violation_error_message=_("This channel already has a contact with this id."),
            ),
            models.CheckConstraint(
                condition=Q(first_response_at__isnull=True)
                | Q(first_response_at__gte=models.F("opened_at")),
                name="sla_contact_response_after_opening",
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | Q(resolved_at__gte=models.F("opened_at")),
                name="sla_contact_resolution_after_opening",
            ),
            models.CheckConstraint(
                condition=Q(status="resolved", resolved_at__isnull=False)
                | Q(status__in=["open", "waiting"], resolved_at__isnull=True),
                name="sla_contact_resolved_iff_resolved_at",
            ),
            models.CheckConstraint(
                condition=Q(priority__in=Priority.values),
                name="sla_contact_priority_valid",
            ),
        ]
        indexes = [
            # The sweep: a range scan over running deadlines only. The conditions must read
            # exactly like the sweep's WHERE clauses (sla/services/sweep.py) to be used.
            models.Index(
                fields=["first_response_due_at"],
                condition=Q(first_response_state__in=_OPEN_STATES),
                name="sla_contact_fr_due_running",
            ),
            models.Index(
                fields=["resolution_due_at"],
                condition=Q(resolution_state__in=_OPEN_STATES),
                name="sla_contact_res_due_running",
            ),
            models.Index(
                fields=["first_response_warn_at"],
                condition=Q(first_response_state="pending"),
                name="sla_contact_fr_warn_pending",
            ),
            models.Index(
                fields=["resolution_warn_at"],
                condition=Q(resolution_state="pending"),
                name="sla_contact_res_warn_pending",
            ),
            models.Index(fields=["channel", "opened_at"], name="sla_contact_channel_opened"),
            models.Index(fields=["agent", "opened_at"], name="sla_contact_agent_opened"),
            # The contacts list's sortable columns (sla/views/contacts.py SORT_COLUMNS), each
            # ending in id; (opened_at, id) also serves every read by opened_at alone.
            models.Index(fields=["opened_at", "id"], name="sla_contact_sort_opened"),
            models.Index(fields=["external_id", "id"], name="sla_contact_sort_external"),
            models.Index(fields=["status", "id"], name="sla_contact_sort_status"),
            # The dashboard's "needs attention now": open contacts at risk or breached, a few
            # among millions. Reads exactly like sla/reports/dashboard.py's filter.
            models.Index(
                fields=["channel", "opened_at", "id"],
                condition=~Q(status="resolved")
                & (
                    Q(first_response_state__in=("at_risk", "breached"))
                    | Q(resolution_state__in=("at_risk", "breached"))
                ),
                name="sla_contact_attention",
            ),
            # Its counts per channel and state, each capped (dashboard.attention_counts).
            models.Index(
                fields=["channel", "first_response_state", "resolution_state"],
                condition=~Q(status="resolved")
                & (
                    Q(first_response_state__in=("at_risk", "breached"))
                    | Q(resolution_state__in=("at_risk", "breached"))
                ),
                name="sla_contact_attention_state",
            ),
            models.Index(
                fields=["import_batch"],
                condition=Q(import_batch__isnull=False),
                name="sla_contact_import_batch",
            ),
            # Recomputation after a calendar or policy edit walks the open contacts by id.
            models.Index(
                fields=["channel", "id"],
                condition=~Q(status="resolved"),
                name="sla_contact_open_by_channel",
            ),
        ]

    def __str__(self) -> str:
        return self.external_id


class ContactEvent(models.Model):
    """The timeline of a contact: what happened when (``at``), recorded at ``recorded_at``."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Opened")
        FIRST_RESPONSE = "first_response", _("First response")
        PAUSED = "paused", _("Waiting on the customer")
        RESUMED = "resumed", _("Resumed")
        # Events, not states: "Resolved" here is what happened, not a contact's status.
        RESOLVED = "resolved", pgettext_lazy("SLA event", "Resolved")
        AT_RISK = "at_risk", pgettext_lazy("SLA event", "At risk")
        BREACHED = "breached", pgettext_lazy("SLA event", "Breached")
        BREACH_WITHDRAWN = "breach_withdrawn", _("Breach withdrawn")
        PRIORITY_CHANGED = "priority_changed", _("Priority changed")
        AGENT_CHANGED = "agent_changed", _("Agent changed")
        DEADLINES_RECOMPUTED = "deadlines_recomputed", _("Deadlines recomputed")

    contact = models.ForeignKey(
        Contact,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("contact"),
        db_index=False,  # (contact, at)
        # No database foreign key: PostgreSQL checks one per row, by a trigger at commit, and
        # a backfill writes three or four events a contact: those checks were a quarter of the
        # time of loading history. The rows are written only by the contact services, in the
        # transaction that writes or locks their contact; contacts are deleted only through
        # the ORM, whose CASCADE removes them (a test holds it). No product action deletes a
        # contact: one that does must lock the contacts first (``select_for_update``), or a
        # timeline row written meanwhile by an uncommitted sweep would outlive its contact.
        db_constraint=False,
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    metric = models.CharField(_("metric"), max_length=20, choices=Metric.choices, blank=True)
    at = models.DateTimeField(_("at"))
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("contact event")
        verbose_name_plural = _("contact events")
        indexes = [models.Index(fields=["contact", "at"], name="sla_event_contact_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class Breach(models.Model):
    """A missed target, recorded once per contact and metric (the constraint, not a hope)."""

    Metric = Metric

    contact = models.ForeignKey(
        Contact,
        on_delete=models.CASCADE,
        related_name="breaches",
        verbose_name=_("contact"),
        db_index=False,  # (contact, metric), unique
        db_constraint=False,  # as ContactEvent.contact, for the same reason
    )
    metric = models.CharField(_("metric"), max_length=20, choices=Metric.choices)
    due_at = models.DateTimeField(_("due at"))
    detected_at = models.DateTimeField(_("detected at"))

    class Meta:
        ordering = ["-detected_at", "-id"]
        verbose_name = _("breach")
        verbose_name_plural = _("breaches")
        constraints = [
            models.UniqueConstraint(fields=["contact", "metric"], name="sla_breach_once"),
            models.CheckConstraint(
                condition=Q(metric__in=Metric.values), name="sla_breach_metric_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["detected_at"], name="sla_breach_detected"),
            # The dashboard card counts breaches whose deadline fell in the last 24 hours.
            models.Index(fields=["due_at"], name="sla_breach_due"),
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} {self.metric}"
