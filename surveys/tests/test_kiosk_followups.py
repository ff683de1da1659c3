import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from surveys import services
from surveys.models import FollowUp, Kiosk, Response

pytestmark = pytest.mark.django_db
WARSAW = ZoneInfo("Europe/Warsaw")


@pytest.fixture
def kiosk(chat):
    return services.kiosk_create(name="Front desk", channel=chat, min_interval_seconds=10)


def test_kiosk_answer_is_attributed_to_its_channel(client, kiosk, chat):
    page = client.get(f"/kiosk/{kiosk.key}/?lang=ru")
    assert page.status_code == 200
    assert '<html lang="ru">' in page.content.decode()
    r = client.post(f"/kiosk/{kiosk.key}/", {"csat": "4", "comment": "Nice", "lang": "ru"})
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="kiosk-thanks"' in html and "surveys/kiosk" in html and "kiosk.js" in html
    response = Response.objects.get()
    assert (response.kiosk, response.channel, response.csat, response.comment) == (
        kiosk,
        chat,
        4,
        "Nice",
    )
    assert response.language == "ru"
    assert response.agent is None


def test_kiosk_minimum_interval(client, kiosk):
    assert client.post(f"/kiosk/{kiosk.key}/", {"csat": "5"}).status_code == 200
    busy = client.post(f"/kiosk/{kiosk.key}/", {"csat": "1"})
    assert busy.status_code == 429
    assert "please wait" in busy.content.decode()
    assert Response.objects.count() == 1
    Kiosk.objects.update(last_response_at=timezone.now() - dt.timedelta(seconds=11))
    assert client.post(f"/kiosk/{kiosk.key}/", {"csat": "1"}).status_code == 200
    assert Response.objects.count() == 2


def test_kiosk_rejects_a_missing_face(client, kiosk):
    r = client.post(f"/kiosk/{kiosk.key}/", {"comment": "hello"})
    assert r.status_code == 400
    assert not Response.objects.exists()


def test_revoked_key_stops_working(manager_client, client, kiosk):
    r = manager_client.post(f"/surveys/kiosks/{kiosk.pk}/revoke/")
    assert r.status_code == 302
    assert client.get(f"/kiosk/{kiosk.key}/").status_code == 404


def test_manager_creates_a_kiosk(manager_client, chat):
    r = manager_client.post(
        "/surveys/kiosks/", {"name": "Lobby", "channel": chat.pk, "min_interval_seconds": 5}
    )
    assert r.status_code == 302
    kiosk = Kiosk.objects.get(name="Lobby")
    assert len(kiosk.key) >= 32 and kiosk.is_active


def test_follow_up_due_in_24_business_hours(kiosk, owner):
    # Friday 20 Nov 2026 17:00 Warsaw; Mon–Fri 09–18: 1 h Fri + 9 h Mon + 9 h Tue + 5 h Wed.
    at = dt.datetime(2026, 11, 20, 17, 0, tzinfo=WARSAW)
    response = services.kiosk_submit(kiosk=kiosk, csat=1, now=at)
    follow_up = FollowUp.objects.get(response=response)
    assert follow_up.due_at == dt.datetime(2026, 11, 25, 14, 0, tzinfo=WARSAW)
    assert follow_up.owner == owner


def test_manager_closes_a_follow_up(manager_client, kiosk, manager):
    response = services.kiosk_submit(kiosk=kiosk, csat=1)
    follow_up = FollowUp.objects.get(response=response)
    page = manager_client.get("/surveys/follow-ups/")
    assert f"/surveys/follow-ups/{follow_up.pk}/close/" in page.content.decode()
    empty = manager_client.post(f"/surveys/follow-ups/{follow_up.pk}/close/", {"outcome": ""})
    assert empty.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.closed_at is None
    manager_client.post(
        f"/surveys/follow-ups/{follow_up.pk}/close/", {"outcome": "Called back, refunded."}
    )
    follow_up.refresh_from_db()
    assert follow_up.closed_at and follow_up.outcome == "Called back, refunded."
    assert follow_up.closed_by == manager


def test_staff_cannot_open_manager_pages(staff_client):
    for url in ("/surveys/", "/surveys/follow-ups/", "/surveys/kiosks/", "/surveys/dashboard/"):
        assert staff_client.get(url).status_code == 403
