"""Manager pages, the dashboard card and "My service"; bounded queries whatever the data."""

import pytest

from surveys import services
from surveys.models import Invitation, Survey
from surveys.tests.conftest import resolve

pytestmark = pytest.mark.django_db


def _answer_many(chat, agent, n=10):
    for i in range(n):
        resolve(chat, email=f"c{i}@example.com", agent=agent)
    for i, inv in enumerate(Invitation.objects.all()):
        services.response_submit(invitation=inv, csat=i % 5 + 1, nps=i % 11, comment=f"note {i}")


def test_manager_creates_and_edits_a_survey_with_wording(manager_client, chat):
    r = manager_client.post(
        "/surveys/new/",
        {
            "name": "Chat",
            "channels": [chat.pk],
            "ask_csat": "on",
            "ask_comment": "on",
            "send_delay_minutes": 30,
            "link_lifetime_days": 28,
            "throttle_days": 30,
            "follow_up_business_hours": 24,
            "is_active": "on",
            "text_pl_csat": "Jak oceniasz obsługę?",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    survey = Survey.objects.get()
    assert survey.texts == {"pl": {"csat": "Jak oceniasz obsługę?"}}
    assert survey.text("csat", "pl") == "Jak oceniasz obsługę?"
    assert survey.text("csat", "en") == "How satisfied are you with the service you received?"
    assert list(survey.channels.all()) == [chat]
    page = manager_client.get(f"/surveys/{survey.pk}/edit/")
    assert page.status_code == 200 and "Jak oceniasz obsługę?" in page.content.decode()
    bad = manager_client.post(f"/surveys/{survey.pk}/edit/", {"name": "", "link_lifetime_days": 0})
    assert bad.status_code == 200 and "is-invalid" in bad.content.decode()
    silent = {"name": "Quiet", "send_delay_minutes": 30, "link_lifetime_days": 28}
    silent |= {"throttle_days": 30, "follow_up_business_hours": 24}
    html = manager_client.post(f"/surveys/{survey.pk}/edit/", silent).content.decode()
    assert html.count("A survey must ask at least one question.") == 1


def test_manager_pages_are_bounded(
    manager_client, survey, chat, staff_user, django_assert_max_num_queries
):
    _answer_many(chat, staff_user)
    services.kiosk_create(name="Desk", channel=chat)
    for url in (
        "/surveys/",
        "/surveys/invitations/",
        "/surveys/responses/",
        "/surveys/responses/?channel=chat&score=low&comments=1&from=2020-01-01&to=bad",
        "/surveys/kiosks/",
        "/surveys/follow-ups/",
        "/surveys/follow-ups/?closed=1",
        "/surveys/dashboard/",
        "/",
    ):
        with django_assert_max_num_queries(25):
            r = manager_client.get(url)
        assert r.status_code == 200, url


def test_dashboard_shows_figures_comments_and_follow_ups(manager_client, survey, chat, staff_user):
    _answer_many(chat, staff_user, n=5)
    html = manager_client.get("/surveys/dashboard/").content.decode()
    # The server-side charts: two trends, three distributions (test_dashboard has the details).
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="sla-chart') == 5
    assert 'class="sla-chart__dot sla-chart__series-0"' in html  # this week's answers
    assert "note 4" in html
    assert 'id="open-follow-ups"' in html
    assert "<script>" not in html and "style=" not in html
    card = manager_client.get("/").content.decode()
    assert 'id="satisfaction-card"' in card and "CSAT 40.0\N{NO-BREAK SPACE}%" in card


def test_agent_sees_own_feedback_on_my_service(staff_client, survey, chat, staff_user, agent2):
    resolve(chat, email="mine@example.com", agent=staff_user)
    resolve(chat, email="theirs@example.com", agent=agent2)
    for inv in Invitation.objects.select_related("contact"):
        services.response_submit(
            invitation=inv, csat=5, comment=f"comment for {inv.contact.agent.username}"
        )
    html = staff_client.get("/my-service/").content.decode()
    assert 'id="my-feedback"' in html
    assert "comment for agent<" in html
    assert "comment for agent2" not in html
    home = staff_client.get("/").content.decode()
    assert "comment for agent" in home and "comment for agent2" not in home


def test_my_service_is_bounded(
    staff_client, survey, chat, staff_user, django_assert_max_num_queries
):
    _answer_many(chat, staff_user)
    with django_assert_max_num_queries(20):
        assert staff_client.get("/my-service/").status_code == 200
