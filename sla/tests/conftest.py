import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from channels_app.selectors import clear_business_calendar_cache
from channels_app.tests.factories import BusinessCalendarFactory, ChannelFactory
from conftest import make_user
from core.roles import MANAGER, STAFF
from sla.tests.factories import SlaPolicyFactory

WARSAW = ZoneInfo("Europe/Warsaw")
UTC = dt.UTC


def warsaw(*args) -> dt.datetime:
    """A Warsaw wall-clock time as an aware datetime."""
    return dt.datetime(*args, tzinfo=WARSAW)


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
    """Mon–Fri 09:00–18:00 Europe/Warsaw, closed on Christmas Day 2026."""
    return BusinessCalendarFactory(name="Office", office=True)


@pytest.fixture
def chat(db, office_calendar, owner):
    return ChannelFactory(code="chat", name="Chat", calendar=office_calendar, owner=owner)


@pytest.fixture
def always(db, owner):
    """A channel without a calendar: always open."""
    return ChannelFactory(code="always", name="Around the clock", calendar=None, owner=owner)


@pytest.fixture
def chat_policy(chat):
    """First response 60, resolution 480 business minutes, warning at 80%."""
    return SlaPolicyFactory(channel=chat, first_response_minutes=60, resolution_minutes=480)


@pytest.fixture
def always_policy(always):
    return SlaPolicyFactory(channel=always, first_response_minutes=60, resolution_minutes=240)


def send_alerts(now: dt.datetime) -> dict:
    """What the beat does each minute for alerts: gather due rows into digests, send the outbox.

    Returns the digest counts and the outbox's together.
    """
    from core.outbox import outbox_send
    from sla.services import notifications_digest

    return {**notifications_digest(now=now), **outbox_send(now=now)}
