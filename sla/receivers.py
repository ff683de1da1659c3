"""Reactions to edits in channels_app, which may not import sla (dependencies point one way).

channels_app's services send their signals inside their transaction, so the recomputation
request recorded here commits or rolls back with the edit.
"""

from channels_app import signals
from sla.services import contacts_recompute_deadlines


def on_calendar_changed(sender=None, *, calendar_ids, **kwargs) -> None:
    contacts_recompute_deadlines(calendar_ids=list(calendar_ids))


def on_channel_changed(sender=None, *, channel_ids, **kwargs) -> None:
    contacts_recompute_deadlines(channel_ids=list(channel_ids))


def connect() -> None:
    signals.calendar_changed.connect(on_calendar_changed, dispatch_uid="sla.calendar_changed")
    signals.channel_changed.connect(on_channel_changed, dispatch_uid="sla.channel_changed")
