"""Reactions to edits in channels_app, which may not import sla (dependencies point one way).

channels_app's services send their signals inside their transaction, so the recomputation
request recorded here commits or rolls back with the edit.
"""

import logging

from celery.signals import worker_ready
from django.db import DatabaseError

from channels_app import signals
from sla.services import contact_imports_resume, contacts_recompute_deadlines

logger = logging.getLogger("sla")


def on_calendar_changed(sender=None, *, calendar_ids, **kwargs) -> None:
    contacts_recompute_deadlines(calendar_ids=list(calendar_ids))


def on_channel_changed(sender=None, *, channel_ids, **kwargs) -> None:
    contacts_recompute_deadlines(channel_ids=list(channel_ids))


def on_worker_ready(**kwargs) -> None:
    """A (re)started worker resumes the CSV imports a dead worker left, without waiting for
    their lease to run out (a holder on this host that is gone is known dead)."""
    try:
        contact_imports_resume()
    except DatabaseError:  # the sweep will do it; a worker must start anyway
        logger.warning("Could not look for stalled imports at worker start", exc_info=True)


def connect() -> None:
    worker_ready.connect(on_worker_ready, dispatch_uid="sla.imports_resume", weak=False)
    signals.calendar_changed.connect(on_calendar_changed, dispatch_uid="sla.calendar_changed")
    signals.channel_changed.connect(on_channel_changed, dispatch_uid="sla.channel_changed")
