import datetime as dt

import factory
from factory.django import DjangoModelFactory

from channels_app.tests.factories import ChannelFactory
from sla import services
from sla.models import SlaPolicy


class SlaPolicyFactory(DjangoModelFactory):
    class Meta:
        model = SlaPolicy

    name = factory.Sequence(lambda n: f"Policy {n}")
    channel = factory.SubFactory(ChannelFactory)
    priority = None
    first_response_minutes = 60
    resolution_minutes = 480
    warning_percent = 80
    business_hours = True
    is_active = True


_counter = iter(range(1, 10**9))


def make_contact(*, channel, opened_at, now=None, **fields):
    """A contact made the only way contacts are made: through the service."""
    fields.setdefault("external_id", f"T-{next(_counter):05d}")
    if now is None:
        now = max(
            [opened_at] + [fields[k] for k in ("first_response_at", "resolved_at") if fields.get(k)]
        ) + dt.timedelta(seconds=1)
    contact, _ = services.contact_create(channel=channel, opened_at=opened_at, now=now, **fields)
    return contact
