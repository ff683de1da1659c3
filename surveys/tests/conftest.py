import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from channels_app.selectors import clear_business_calendar_cache
from channels_app.tests.factories import BusinessCalendarFactory, ChannelFactory
from conftest import make_user
from portal.roles import MANAGER, STAFF
from sla import services as sla_services
from sla.tests.factories import make_contact
from surveys.models import Survey

WARSAW = ZoneInfo("Europe/Warsaw")

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (set DATABASE_URL)"
)


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    clear_business_calendar_cache()
    yield
    clear_business_calendar_cache()


@pytest.fixture
def owner(db):
    return make_user("owner", MANAGER, first_name="Olga", last_name="Owner")


@pytest.fixture
def agent2(db):
    return make_user("agent2", STAFF, first_name="Ivan", last_name="Second")


@pytest.fixture
def office_calendar(db):
    """Mon–Fri 09:00–18:00 Europe/Warsaw."""
    return BusinessCalendarFactory(name="Office", office=True)


@pytest.fixture
def chat(db, office_calendar, owner):
    return ChannelFactory(code="chat", name="Chat", calendar=office_calendar, owner=owner)


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
