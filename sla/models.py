"""SLA policies, contacts with their stored deadlines, breaches and the notification outbox.

Deadlines and at-risk instants are computed once (by the services) and stored, so the sweep that
flags breaches is a comparison of indexed columns with "now", however many contacts there are.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from channels_app.models import Channel
from core.basemodels import TimeStampedModel

WARNING_PERCENT_DEFAULT = 80
# A year of minutes: anything longer is a typo, and business time would not reach it anyway.
MAX_TARGET_MINUTES = 366 * 24 * 60


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class Metric(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    RESOLUTION = "resolution", _("Resolution")


class SlaPolicyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class SlaPolicy(TimeStampedModel):
    """Targets for one channel and priority (or any priority when ``priority`` is empty)."""

    # Module level only because Meta (a nested scope) could not see a class defined here.
    Priority = Priority

    name = models.CharField(_("name"), max_length=100)
    channel = models.ForeignKey(
        Channel,
        on_delete=models.PROTECT,
        related_name="sla_policies",
        verbose_name=_("channel"),
    )
    # NULL (not "") is "any priority": the API says null, and the constraints below rely on it.
    priority = models.CharField(  # noqa: DJ001
        _("priority"),
        max_length=10,
        choices=Priority.choices,
        null=True,
        blank=True,
        help_text=_("Empty means any priority without a policy of its own."),
    )
    first_response_minutes = models.PositiveIntegerField(
        _("first response target (minutes)"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_TARGET_MINUTES)],
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution target (minutes)"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_TARGET_MINUTES)],
    )
    warning_percent = models.PositiveSmallIntegerField(
        _("warning threshold (percent of the target)"),
        default=WARNING_PERCENT_DEFAULT,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text=_("A contact becomes “at risk” once this share of its target has elapsed."),
    )
    business_hours = models.BooleanField(
        _("count business hours only"),
        default=True,
        help_text=_("Clocks run only while the channel's calendar is open; else around the clock."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = SlaPolicyQuerySet.as_manager()

    class Meta:
        ordering = ["channel__name", "priority", "name"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "priority"],
                condition=Q(is_active=True, priority__isnull=False),
                name="sla_policy_one_active_per_priority",
                violation_error_message=_(
                    "This channel already has an active policy for this priority."
                ),
            ),
            # NULLs never collide in a unique index, so "any priority" needs its own constraint.
            models.UniqueConstraint(
                fields=["channel"],
                condition=Q(is_active=True, priority__isnull=True),
                name="sla_policy_one_active_any_priority",
                violation_error_message=_(
                    "This channel already has an active policy for any priority."
                ),
            ),
            models.CheckConstraint(
                condition=Q(first_response_minutes__gt=0, resolution_minutes__gt=0),
                name="sla_policy_minutes_positive",
                violation_error_message=_("Targets must be at least one minute."),
            ),
            models.CheckConstraint(
                condition=Q(warning_percent__gte=1, warning_percent__lte=99),
                name="sla_policy_warning_percent_range",
                violation_error_message=_("The warning share must be between 1 and 99%."),
            ),
            models.CheckConstraint(
                condition=Q(priority__isnull=True) | Q(priority__in=Priority.values),
                name="sla_policy_priority_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


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
            # The contacts list's sortable columns (sla/views.py SORTS), each ending in id.
            # (opened_at, id) also serves every read by opened_at alone.
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


class ContactImport(models.Model):
    """One uploaded CSV worked through as a background job: checked, then imported in chunks.

    The file lives on disk (``file``, under ``MEDIA_ROOT``); the row holds the job's state and
    progress, updated in the transaction of each chunk, so a worker that dies mid-import is
    resumed from ``offset`` by the next one (``sla.services.imports``). The contacts it created
    point back to it, so the list can show exactly the imported rows.
    """

    class Status(models.TextChoices):
        CHECKING = "checking", _("Checking")
        CHECKED = "checked", _("Checked")
        REJECTED = "rejected", _("Rejected")  # a problem with the file as a whole
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Imported")
        CANCELLED = "cancelled", _("Cancelled")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", max_length=255, blank=True)
    size = models.BigIntegerField(_("size in bytes"), default=0)
    # The uploader's language: the job's messages (refusal reasons) are written in it.
    language = models.CharField(_("language"), max_length=10, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.CHECKING
    )
    error = models.TextField(_("problem with the file"), blank=True)
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    # The current pass (check or import): when it began, its last chunk, when it ended.
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    # Where the current pass got to: bytes of the (uncompressed) file and physical lines done,
    # and how far into the stored file that was (the progress of the check).
    offset = models.BigIntegerField(_("offset"), default=0)
    line = models.PositiveIntegerField(_("last line done"), default=0)
    read_bytes = models.BigIntegerField(_("bytes read"), default=0)
    # A worker holds the job while it works on it; a lease that ran out is taken over.
    leased_until = models.DateTimeField(_("leased until"), null=True, blank=True)
    leased_by = models.CharField(_("leased by"), max_length=100, blank=True)
    # The check's findings: data rows, what they would do, the channels they name.
    rows = models.PositiveIntegerField(_("rows"), default=0)
    check_create = models.PositiveIntegerField(_("would be created"), default=0)
    check_existing = models.PositiveIntegerField(_("already there at the check"), default=0)
    check_refused = models.PositiveIntegerField(_("refused at the check"), default=0)
    channel_ids = models.JSONField(_("channels"), default=list, blank=True)
    # The import's progress and outcome.
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    created = models.PositiveIntegerField(_("contacts created"), default=0)
    existing = models.PositiveIntegerField(_("contacts already there"), default=0)
    refused = models.PositiveIntegerField(_("rows refused"), default=0)

    class Meta:
        verbose_name = _("contact import")
        verbose_name_plural = _("contact imports")
        indexes = [
            models.Index(
                fields=["leased_until"],
                condition=Q(status__in=["checking", "importing"]),
                name="sla_import_running",
            ),
        ]

    def __str__(self) -> str:
        return self.file_name or str(self.pk)

    @property
    def running(self) -> bool:
        return self.status in (self.Status.CHECKING, self.Status.IMPORTING)

    @property
    def importable(self) -> int:
        """Rows the check found valid (created or already there)."""
        return self.check_create + self.check_existing


class ContactImportProblem(models.Model):
    """A refused line of an import (or of its check): the reasons and the cells as given.

    Only the first ``CONTACT_IMPORT_PROBLEMS_KEPT`` of each pass are kept; the job counts all.
    """

    class Phase(models.TextChoices):
        CHECK = "check", _("Check")
        IMPORT = "import", _("Import")

    contact_import = models.ForeignKey(
        ContactImport, on_delete=models.CASCADE, related_name="problems"
    )
    phase = models.CharField(max_length=6, choices=Phase.choices)
    line = models.PositiveIntegerField(_("line"))
    reasons = models.JSONField(_("reasons"), default=list)  # [[column, message], ...]
    cells = models.JSONField(_("cells"), default=dict)  # the known columns as given

    class Meta:
        ordering = ["contact_import", "phase", "line"]
        verbose_name = _("refused line")
        verbose_name_plural = _("refused lines")
        constraints = [
            models.UniqueConstraint(
                fields=["contact_import", "phase", "line"], name="sla_import_problem_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contact_import_id}:{self.phase}:{self.line}"


class ContactImportRange(models.Model):
    """Ids of the contacts an import created, as ranges (a chunk's rows get consecutive ids
    unless other writers interleave): marking each contact would rewrite every imported row."""

    contact_import = models.ForeignKey(
        ContactImport, on_delete=models.CASCADE, related_name="ranges"
    )
    first_id = models.BigIntegerField()
    last_id = models.BigIntegerField()

    class Meta:
        ordering = ["contact_import", "first_id"]
        indexes = [models.Index(fields=["contact_import", "first_id"], name="sla_import_range")]

    def __str__(self) -> str:
        return f"{self.first_id}-{self.last_id}"


class ContactImportLock(models.Model):
    """One running import per channel: a row per channel of a running import (unique)."""

    channel = models.OneToOneField(Channel, on_delete=models.CASCADE, related_name="+")
    contact_import = models.ForeignKey(
        ContactImport, on_delete=models.CASCADE, related_name="locks"
    )

    class Meta:
        verbose_name = _("import lock")
        verbose_name_plural = _("import locks")

    def __str__(self) -> str:
        return f"{self.channel_id}:{self.contact_import_id}"


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
