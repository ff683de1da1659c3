import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from channels_app.tests.factories import ChannelFactory
from sla import services as sla_services

# The calendar, channel and people fixtures are the SLA tests' own.
from sla.tests.conftest import (  # noqa: F401
    _fresh_calendar_cache,
    agent2,
    chat,
    office_calendar,
    owner,
    postgres_only,
)
from sla.tests.factories import make_contact
from surveys.models import Survey

WARSAW = ZoneInfo("Europe/Warsaw")


@pytest.fixture
def phone(db, office_calendar, owner):
    return ChannelFactory(code="phone", name="Phone", calendar=office_calendar, owner=owner)


@pytest.fixture
def survey(chat, phone):
    s = Survey.objects.create(name="After contact", send_delay_minutes=60, ask_ces=True)
    s.channels.set([chat, phone])
    return s


def resolve(channel, *, email="jan@example.com", language="en", agent=None, minutes_ago=5):
    """A contact opened an hour ago and resolved ``minutes_ago`` minutes ago, via the services."""
    now = timezone.now()
    contact = make_contact(
        channel=channel,
        opened_at=now - dt.timedelta(hours=1),
        customer_email=email,
        customer_language=language,
        agent=agent,
        now=now - dt.timedelta(minutes=minutes_ago),
    )
    sla_services.contact_resolve(
        contact=contact, at=now - dt.timedelta(minutes=minutes_ago), now=now
    )
    contact.refresh_from_db()
    return contact
