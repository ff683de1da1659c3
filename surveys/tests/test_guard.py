"""Public surveys and kiosks against abuse: per-client rate limits, kiosk caps, follow-ups."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from surveys import services
from surveys.models import FollowUp, Invitation, Response
from surveys.tests.conftest import resolve

pytestmark = pytest.mark.django_db
PROXY = "10.1.0.5"


@pytest.fixture
def invitation(survey, chat):
    resolve(chat)
    return Invitation.objects.get()


def _get(client, invitation, forwarded_for):
    return client.get(
        f"/s/{invitation.token}/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for
    )


@override_settings(SURVEYS_RATE_LIMIT=2, PORTAL_TRUSTED_PROXIES=["10.1.0.0/24"])
def test_buckets_are_per_real_client_behind_the_proxy(client, invitation):
    assert [_get(client, invitation, "198.51.100.1").status_code for _ in range(3)] == [
        200,
        200,
        429,
    ]
    # Another customer behind the same proxy is not limited by the first one...
    assert _get(client, invitation, "198.51.100.2").status_code == 200
    # ...and the first cannot escape its bucket by sending its own header first.
    assert _get(client, invitation, "203.0.113.50, 198.51.100.1").status_code == 429


@override_settings(SURVEYS_RATE_LIMIT=2, PORTAL_TRUSTED_PROXIES=[])
def test_an_untrusted_forwarded_for_does_not_open_new_buckets(client, invitation):
    codes = [_get(client, invitation, f"198.51.100.{n}").status_code for n in range(3)]
    assert codes == [200, 200, 429]


def test_the_public_survey_page_is_not_marked_no_store(client, invitation):
    page = client.get(f"/s/{invitation.token}/")
    assert page.status_code == 200
    assert "no-store" not in page.get("Cache-Control", "")


# --- kiosks: a daily cap and one follow-up per period -----------------------------------------

WARSAW = ZoneInfo("Europe/Warsaw")


def _at(day, hour, minute=0):
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=WARSAW)


@pytest.fixture
def kiosk(chat):
    return services.kiosk_create(name="Front desk", channel=chat, min_interval_seconds=0)


@override_settings(SURVEYS_KIOSK_DAILY_CAP=2)
def test_a_kiosk_takes_at_most_its_cap_per_local_day(kiosk):
    services.kiosk_submit(kiosk=kiosk, csat=5, now=_at(24, 0, 10))  # 23:10 UTC the day before
    services.kiosk_submit(kiosk=kiosk, csat=4, now=_at(24, 12))
    with pytest.raises(services.KioskFull):
        services.kiosk_submit(kiosk=kiosk, csat=3, now=_at(24, 23, 50))
    assert Response.objects.count() == 2
    kiosk.refresh_from_db()
    assert kiosk.last_response_at == _at(24, 12)  # the refused answer left no trace
    services.kiosk_submit(kiosk=kiosk, csat=3, now=_at(25, 0, 5))  # a new local day
    assert Response.objects.count() == 3


@override_settings(SURVEYS_KIOSK_DAILY_CAP=1)
def test_the_kiosk_page_shows_the_cap(client, kiosk):
    assert client.post(f"/kiosk/{kiosk.key}/", {"csat": "5", "lang": "pl"}).status_code == 200
    refused = client.post(f"/kiosk/{kiosk.key}/", {"csat": "1", "lang": "pl"})
    assert refused.status_code == 429
    html = refused.content.decode()
    assert 'id="kiosk-full"' in html and '<html lang="pl">' in html
    assert Response.objects.count() == 1
    assert not FollowUp.objects.exists()


@override_settings(SURVEYS_KIOSK_FOLLOWUP_HOURS=1)
def test_low_scores_from_one_kiosk_open_one_follow_up_per_period(kiosk, chat):
    first = services.kiosk_submit(kiosk=kiosk, csat=1, now=_at(24, 10))
    later = [
        services.kiosk_submit(kiosk=kiosk, csat=c, now=_at(24, 10, m))
        for c, m in [(2, 20), (1, 59)]
    ]
    next_period = services.kiosk_submit(kiosk=kiosk, csat=2, now=_at(24, 11, 1))
    other_kiosk = services.kiosk_create(name="Lobby", channel=chat, min_interval_seconds=0)
    elsewhere = services.kiosk_submit(kiosk=other_kiosk, csat=1, now=_at(24, 10, 30))

    assert Response.objects.count() == 5  # every answer is kept
    assert set(FollowUp.objects.values_list("response_id", flat=True)) == {
        first.pk,
        next_period.pk,
        elsewhere.pk,
    }
    assert all(
        not hasattr(r, "follow_up") for r in Response.objects.filter(pk__in=[r.pk for r in later])
    )


@override_settings(SURVEYS_KIOSK_FOLLOWUP_HOURS=1)
def test_a_closed_follow_up_still_counts_for_its_period(kiosk, manager):
    first = services.kiosk_submit(kiosk=kiosk, csat=1, now=_at(24, 10))
    services.follow_up_close(follow_up=first.follow_up, outcome="Called back.", user=manager)
    services.kiosk_submit(kiosk=kiosk, csat=1, now=_at(24, 10, 30))
    assert FollowUp.objects.count() == 1
