"""Signals other apps may listen to; standards never imports them back.

``version_published(sender=StandardVersion, version, previous)`` is sent inside the publishing
transaction, after the new version is stored: ``version.requires_reacknowledgement`` says whether
staff must acknowledge the standard again (a major change). A receiver that raises rolls the
publication back, so receivers should only record what must happen and leave the work to a task.
"""

from django.dispatch import Signal

version_published = Signal()
