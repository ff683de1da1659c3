"""Signals other apps may listen to; standards never imports them back.

``version_published(sender=StandardVersion, version, previous)`` is sent inside the publishing
transaction, after the new version is stored: ``version.requires_reacknowledgement`` says whether
staff must acknowledge the standard again (a major change). A receiver that raises rolls the
publication back, so receivers should only record what must happen and leave the work to a task.

``draft_started(sender=StandardVersion, version, source)``: a new draft was stored as a copy of
``source`` (the published version, or None for a first version); other apps copy what they
keep per version (the comprehension check) in the same transaction.

``standard_retired(sender=Standard, standard, at)`` and ``standard_reinstated(sender=Standard,
standard)``: the standard left the book, or came back; sent inside the transaction, so what a
receiver records (obligations withdrawn or asked again) is stored exactly when the change is.
"""

from django.dispatch import Signal

version_published = Signal()
draft_started = Signal()
standard_retired = Signal()
standard_reinstated = Signal()
