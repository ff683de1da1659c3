"""The actions on an import job: upload, start, cancel, and resuming stalled jobs."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from core.clock import now_or
from core.db import retry_transient
from sla.models import ContactImport, ContactImportLock
from sla.services.common import enqueue
from sla.services.imports.lease import contact_imports_stalled
from sla.services.imports.passes import MSG_GONE, drop_file

Status = ContactImport.Status

#: Checked files nobody imported are dropped after this long (on the next upload).
UPLOAD_KEEP = timedelta(days=1)

MSG_TOO_BIG = _("The file is larger than %(max)d MB; split it into smaller files.")
MSG_NOTHING = _("No row of this file can be imported.")
MSG_BUSY = _(
    "An import for the channel “%(channel)s” is running (“%(file)s”); start this one when it "
    "has finished."
)


class ContactImportError(Exception):
    """The action was refused; ``message`` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def max_bytes() -> int:
    return settings.CONTACT_IMPORT_MAX_MB * 2**20


def _purge(now: datetime) -> None:
    """Uploads never imported and past ``UPLOAD_KEEP`` go, files and all."""
    stale = ContactImport.objects.filter(
        status__in=[Status.CHECKED, Status.REJECTED, Status.CANCELLED],
        created_at__lt=now - UPLOAD_KEEP,
    )
    for job in stale.exclude(file=""):
        job.file.storage.delete(job.file.name)
    stale.filter(contacts__isnull=True, ranges__isnull=True).delete()


def contact_import_create(
    *, file, file_name: str, user=None, language: str = "", now=None, run: bool = True
) -> ContactImport:
    """Keep an uploaded file and start its check (a task; ``run=False`` for in-process use).

    ``file`` is any file object (Django's uploaded file, an open file): it is copied to storage
    in chunks, never read whole.
    """
    now = now_or(now)
    size = getattr(file, "size", None)
    if size is not None and size > max_bytes():
        raise ContactImportError(str(MSG_TOO_BIG % {"max": settings.CONTACT_IMPORT_MAX_MB}))
    _purge(now)
    job = ContactImport(
        created_by=user,
        file_name=file_name[:255],
        language=language,
        status=Status.CHECKING,
        created_at=now,
        started_at=now,
    )
    job.file.save("contacts.csv", file if isinstance(file, File) else File(file), save=False)
    job.size = job.file.size
    if job.size > max_bytes():  # a file object that did not know its size (the command's)
        job.file.storage.delete(job.file.name)
        raise ContactImportError(str(MSG_TOO_BIG % {"max": settings.CONTACT_IMPORT_MAX_MB}))
    with transaction.atomic():
        job.save()
        if run:
            _enqueue(job.pk)
    return job


def _enqueue(pk: int) -> None:
    from sla import tasks

    enqueue(tasks.import_contacts, pk)


@retry_transient
def contact_import_start(
    *, import_id: int, user=None, now=None, run: bool = True, invite_customers: bool = False
) -> ContactImport:
    """Start importing a checked upload: one running import per channel (``MSG_BUSY``).

    ``invite_customers``: the customers of contacts resolved recently enough get their survey
    invitations, as contacts pushed through the API do; off, history is loaded silently."""
    now = now_or(now)
    job = ContactImport.objects.select_for_update().filter(pk=import_id).first()
    if job is None or job.status != Status.CHECKED or (user and job.created_by_id != user.pk):
        raise ContactImportError(str(MSG_GONE))
    if not job.channel_ids:
        raise ContactImportError(str(MSG_NOTHING))
    try:
        with transaction.atomic():
            ContactImportLock.objects.bulk_create(
                [ContactImportLock(channel_id=pk, contact_import=job) for pk in job.channel_ids]
            )
    except IntegrityError:
        lock = (
            ContactImportLock.objects.filter(channel_id__in=job.channel_ids)
            .select_related("channel", "contact_import")
            .first()
        )
        channel, other = (lock.channel.code, lock.contact_import.file_name) if lock else ("", "")
        raise ContactImportError(str(MSG_BUSY % {"channel": channel, "file": other})) from None
    job.status = Status.IMPORTING
    job.invite_customers = invite_customers
    job.offset = job.line = job.read_bytes = 0
    job.started_at = job.updated_at = now
    job.leased_until, job.leased_by = None, ""
    job.save()
    if run:
        _enqueue(job.pk)
    return job


@transaction.atomic
def contact_import_cancel(*, import_id: int, user=None) -> ContactImport:
    """Stop a job before it ends (an import stops after its current chunk; what was imported
    stays) and drop its file."""
    job = ContactImport.objects.select_for_update().filter(pk=import_id).first()
    if job is None or (user and job.created_by_id != user.pk):
        raise ContactImportError(str(MSG_GONE))
    if job.status in (Status.CHECKING, Status.CHECKED, Status.IMPORTING):
        job.status = Status.CANCELLED
        job.leased_until, job.leased_by = None, ""
        job.save()
        ContactImportLock.objects.filter(contact_import=job).delete()
        drop_file(job)
    return job


def contact_imports_resume(*, now: datetime | None = None) -> int:
    """Send the task again for every stalled job (the SLA sweep and a starting worker)."""
    ids = contact_imports_stalled(now=now)
    for pk in ids:
        _enqueue(pk)
    return len(ids)
