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
    assert "Please wait a few seconds" in busy.content.decode()
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
        "/surveys/kiosks/",
        {"name": "Lobby", "channel": chat.pk, "min_interval_seconds": 5, "language": "en"},
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


# --- kiosk language and refusals --------------------------------------------------------------


def test_kiosk_opens_in_its_own_language_and_the_choice_lasts_one_visit(client, chat):
    kiosk = services.kiosk_create(name="Biuro", channel=chat, language="pl")
    page = client.get(f"/kiosk/{kiosk.key}/").content.decode()
    assert '<html lang="pl">' in page and "Polski" in page
    # The customer picks Russian: the form carries it, so the answer and its page are Russian.
    chosen = client.get(f"/kiosk/{kiosk.key}/?lang=ru").content.decode()
    assert '<html lang="ru">' in chosen and f'action="/kiosk/{kiosk.key}/?lang=ru"' in chosen
    # Left idle in another language, the page goes back to the kiosk's own (kiosk.js).
    assert f'data-idle-url="/kiosk/{kiosk.key}/"' in chosen and 'data-kiosk-language="pl"' in chosen
    thanks = client.post(f"/kiosk/{kiosk.key}/?lang=ru", {"csat": "5", "lang": "ru"})
    assert thanks.status_code == 200 and '<html lang="ru">' in thanks.content.decode()
    assert Response.objects.get().language == "ru"
    # The thank-you screen sends the tablet back to the kiosk's language for the next customer,
    # and nothing was kept in the session: a plain visit opens in Polish again.
    assert f'data-reset-url="/kiosk/{kiosk.key}/"' in thanks.content.decode()
    assert '<html lang="pl">' in client.get(f"/kiosk/{kiosk.key}/").content.decode()


def test_kiosk_language_defaults_to_the_site_language(chat, settings):
    settings.LANGUAGE_CODE = "pl"
    assert services.kiosk_create(name="A", channel=chat).language == "pl"
    settings.LANGUAGE_CODE = "de"  # not offered by kiosks
    assert services.kiosk_create(name="B", channel=chat).language == "en"


def test_refused_answer_says_so_in_the_customers_language(client, chat):
    kiosk = services.kiosk_create(name="Biuro", channel=chat, language="pl")
    assert client.post(f"/kiosk/{kiosk.key}/", {"csat": "5"}).status_code == 200
    busy = client.post(f"/kiosk/{kiosk.key}/?lang=en", {"csat": "4", "lang": "en"})
    html = busy.content.decode()
    assert busy.status_code == 429
    assert 'id="kiosk-busy"' in html and "Your answer was not recorded" in html
    assert "Thank you" not in html and 'id="kiosk-thanks"' not in html
    # "Answer again" keeps this customer's language; the first answer stays the only one.
    assert f'href="/kiosk/{kiosk.key}/?lang=en"' in html
    assert Response.objects.count() == 1


def test_full_kiosk_refuses_without_thanks(client, kiosk, settings):
    settings.SURVEYS_KIOSK_DAILY_CAP = 1
    assert client.post(f"/kiosk/{kiosk.key}/", {"csat": "5"}).status_code == 200
    Kiosk.objects.update(last_response_at=timezone.now() - dt.timedelta(seconds=11))
    full = client.post(f"/kiosk/{kiosk.key}/", {"csat": "3"})
    html = full.content.decode()
    assert full.status_code == 429 and 'id="kiosk-full"' in html
    assert "Thank you!" not in html and "cannot take more answers today" in html
    assert Response.objects.count() == 1


def test_manager_sets_a_kiosks_language(manager_client, kiosk):
    page = manager_client.get("/surveys/kiosks/").content.decode()
    assert f'name="k{kiosk.pk}-language"' in page
    r = manager_client.post(
        f"/surveys/kiosks/{kiosk.pk}/language/", {f"k{kiosk.pk}-language": "ru"}
    )
    assert r.status_code == 302
    kiosk.refresh_from_db()
    assert kiosk.language == "ru"
    bad = manager_client.post(
        f"/surveys/kiosks/{kiosk.pk}/language/", {f"k{kiosk.pk}-language": "xx"}
    )
    assert bad.status_code == 302
    kiosk.refresh_from_db()
    assert kiosk.language == "ru"
    assert manager_client.post("/surveys/kiosks/999999/language/", {}).status_code == 404


def test_manager_creates_a_kiosk_in_polish(manager_client, chat):
    r = manager_client.post(
        "/surveys/kiosks/",
        {"name": "Biuro", "channel": chat.pk, "min_interval_seconds": 5, "language": "pl"},
    )
    assert r.status_code == 302
    assert Kiosk.objects.get(name="Biuro").language == "pl"
