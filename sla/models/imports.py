"""A CSV import of contacts as a background job: the job, its problems, the id ranges it created
and the per-channel lock that keeps two imports of a channel apart."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from channels_app.models import Channel


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
    # Chosen when the import is started: loading history should not write to its customers
    # unless the manager asks (the bulk API, fed as contacts close, always invites).
    invite_customers = models.BooleanField(_("invite customers to surveys"), default=False)
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
        IMPORT = "import", pgettext_lazy("the noun", "Import")

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
