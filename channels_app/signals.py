"""Signals for apps that depend on channels (channels_app may not import them back).

Both are sent inside the service's transaction, so whatever a receiver writes commits or rolls
back together with the edit.
"""

import django.dispatch

#: A calendar's hours, holidays, time zone or always-open flag changed. Args: ``calendar_ids``.
calendar_changed = django.dispatch.Signal()
#: A channel now uses another calendar. Args: ``channel_ids``.
channel_changed = django.dispatch.Signal()
