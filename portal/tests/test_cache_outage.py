"""With the shared cache (Redis) unreachable, no page that does not need it fails.

The cache points at a port nothing listens on, so every cache call raises as it would while
Redis is down; these run on any stack, in a second.
"""

import logging
import socket

import pytest
from django.urls import reverse

from core import cache as shared_cache
from portal import health
from surveys.models import Invitation, Response
from surveys.tests.conftest import (  # noqa: F401
    _fresh_calendar_cache,
    chat,
    office_calendar,
    owner,
    phone,
    resolve,
    survey,
)

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dead_cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


@pytest.fixture
def invitation(survey, chat, staff_user):  # noqa: F811 -- fixtures imported above
    resolve(chat, language="en", agent=staff_user)
    return Invitation.objects.get()


def test_helpers_answer_instead_of_raising(dead_cache, caplog):
    with caplog.at_level(logging.WARNING, logger="core.cache"):
        assert shared_cache.get("k", "dflt") == "dflt"
        assert shared_cache.get("k", unavailable="?") == "?"
        assert shared_cache.set("k", 1, 10) is False
        assert shared_cache.count("k", timeout=10) is None
    assert len(caplog.records) == 4
    assert all("Cache unavailable" in r.getMessage() for r in caplog.records)


def test_helpers_work_with_a_live_cache():
    assert shared_cache.get("k", unavailable="?") is None
    assert shared_cache.set("k", "v", 10) is True
    assert shared_cache.get("k") == "v"
    assert [shared_cache.count("n", timeout=10) for _ in range(3)] == [1, 2, 3]


def test_customer_answers_are_stored_and_the_limit_fails_open(
    dead_cache, client, invitation, settings, caplog
):
    settings.SURVEYS_RATE_LIMIT = 1  # would refuse the second request if it could count
    with caplog.at_level(logging.WARNING):
        assert client.get(f"/s/{invitation.token}/").status_code == 200
        answered = client.post(
            f"/api/v1/public/surveys/{invitation.token}/",
            {"csat": 5, "comment": "quick and kind"},
            content_type="application/json",
        )
    assert answered.status_code == 201
    response = Response.objects.get()
    assert (response.invitation_id, response.csat, response.comment) == (
        invitation.pk,
        5,
        "quick and kind",
    )
    assert any("Rate limit public-api not applied" in r.getMessage() for r in caplog.records)


def test_dashboard_shows_the_worker_as_unknown(dead_cache, manager_client):
    page = manager_client.get(reverse("dashboard"))
    assert page.status_code == 200
    assert page.context["worker_status"] == "unknown"
    assert "Unknown: the shared cache" in page.content.decode()


def test_dashboard_tells_running_from_stopped(manager_client):
    assert manager_client.get(reverse("dashboard")).context["worker_status"] == "stopped"
    health.record_heartbeat()
    page = manager_client.get(reverse("dashboard"))
    assert page.context["worker_status"] == "running"
    assert "Running: last seen" in page.content.decode()


def test_sla_report_dashboard_renders_without_its_cache(dead_cache, manager_client, settings):
    settings.SLA_REPORT_DASHBOARD_CACHE_SECONDS = 60
    page = manager_client.get(reverse("sla:report-dashboard"))
    assert page.status_code == 200
    assert 'id="report-period-text"' in page.content.decode()
