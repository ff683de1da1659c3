"""Other apps (surveys) hear about resolved contacts inside the resolving transaction."""

import datetime as dt

import pytest

from sla import services, signals
from sla.models import Contact

UTC = dt.UTC


@pytest.fixture
def heard():
    calls = []

    def receiver(sender, *, contact_ids, imported, **kwargs):
        calls.append((list(contact_ids), imported))

    signals.contacts_resolved.connect(receiver, dispatch_uid="test-heard")
    yield calls
    signals.contacts_resolved.disconnect(dispatch_uid="test-heard")


def test_resolving_sends_the_signal_once(db, heard):
    from channels_app.tests.factories import ChannelFactory

    channel = ChannelFactory(calendar=None)
    opened = dt.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    now = opened + dt.timedelta(hours=2)
    contact, _ = services.contact_create(
        channel=channel, external_id="X-1", opened_at=opened, now=now
    )
    assert heard == []
    services.contact_resolve(contact=contact, at=opened + dt.timedelta(hours=1), now=now)
    assert heard == [([contact.pk], False)]
    # Replaying the same resolution is a no-op and says nothing.
    services.contact_update(contact=contact, status=Contact.Status.RESOLVED, now=now)
    assert heard == [([contact.pk], False)]


def test_contacts_arriving_resolved_are_flagged_imported(db, heard):
    from channels_app.tests.factories import ChannelFactory

    channel = ChannelFactory(calendar=None)
    opened = dt.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    contact, _ = services.contact_create(
        channel=channel,
        external_id="X-2",
        opened_at=opened,
        resolved_at=opened + dt.timedelta(minutes=30),
        now=opened + dt.timedelta(hours=1),
    )
    assert heard == [([contact.pk], True)]
