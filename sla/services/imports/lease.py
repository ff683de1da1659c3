"""Which worker holds a running import job: claim, release, holder liveness, stalled jobs."""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from core.clock import now_or
from sla.models import ContactImport

Status = ContactImport.Status

#: How long a worker holds a job without news; renewed with every chunk.
LEASE = timedelta(seconds=60)


def _holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def holder_gone(holder: str) -> bool:
    """True when the lease holder was a process on this host that no longer exists."""
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return _zombie(int(pid))


def _zombie(pid: int) -> bool:
    """A killed process whose parent died too stays a zombie until something reaps it (a
    container's init may never): it answers signal 0 but holds nothing (Linux /proc)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rpartition(b")")[2].split()[0] == b"Z"
    except (OSError, IndexError):
        return False


def _lease_free(job: ContactImport, now: datetime) -> bool:
    return job.leased_until is None or job.leased_until <= now or holder_gone(job.leased_by)


def _locked(pk: int):
    jobs = ContactImport.objects.filter(pk=pk)
    if connection.features.has_select_for_update_skip_locked:
        return jobs.select_for_update(skip_locked=True)
    return jobs.select_for_update()


def claim(pk: int, now: datetime) -> tuple[ContactImport | None, str]:
    """Hold a running job (None when it is not running or another live worker holds it)."""
    with transaction.atomic():
        job = _locked(pk).first()
        if job is None or not job.running or not _lease_free(job, now):
            return None, ""
        holder = _holder()
        job.leased_by, job.leased_until = holder, now + LEASE
        job.save(update_fields=["leased_by", "leased_until"])
    return job, holder


def release(pk: int, holder: str) -> None:
    """Let the job go between slices (its next message is on its way); the stamp tells the
    sweep it is not stalled yet."""
    ContactImport.objects.filter(pk=pk, leased_by=holder).update(
        leased_until=None, leased_by="", updated_at=timezone.now()
    )


def held(pk: int, holder: str, status: str) -> ContactImport | None:
    """The job, row-locked, if this worker still holds it in this pass (else None)."""
    job = ContactImport.objects.select_for_update().filter(pk=pk).first()
    if job is None or job.leased_by != holder or job.status != status:
        return None
    return job


def contact_imports_stalled(*, now: datetime | None = None, limit: int = 100) -> list[int]:
    """Running jobs nobody works on: the lease ran out, or nobody took the job up a lease's
    time after it was released, started or uploaded (its message was lost), or its holder was
    a process on this host that is gone (a restarted worker). A job released a moment ago is
    not stalled: its next message is queued, and a second one would run beside it for good
    (each slice sends itself again)."""
    now = now_or(now)
    running = ContactImport.objects.filter(status__in=[Status.CHECKING, Status.IMPORTING])
    untouched = Q(leased_until__isnull=True) & (
        Q(updated_at__lte=now - LEASE) | Q(updated_at__isnull=True, created_at__lte=now - LEASE)
    )
    ids = list(
        running.filter(untouched | Q(leased_until__lte=now)).values_list("pk", flat=True)[:limit]
    )
    held = running.filter(leased_until__gt=now).values_list("pk", "leased_by")[:limit]
    ids += [pk for pk, holder in held if holder_gone(holder)]
    return ids
