"""The public survey page, the JSON endpoint, tokens, rate limiting and attribution."""

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from sla import services as sla_services
from surveys import tokens
from surveys.models import FollowUp, Invitation, Response
from surveys.tests.conftest import resolve

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation(survey, chat, staff_user):
    resolve(chat, language="pl", agent=staff_user)
    return Invitation.objects.get()


def api_url(token):
    return f"/api/v1/public/surveys/{token}/"


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


# --- tokens -----------------------------------------------------------------------------------


def test_token_is_id_and_hmac_and_rebuilds_the_same(invitation):
    token = invitation.token
    head, mac = token.split(".")
    assert head == str(invitation.pk)
    assert len(mac) == 40
    assert invitation.nonce not in token
    assert Invitation.objects.get().token == token  # rebuilt from the stored nonce


def test_tampered_token_is_404(client, invitation):
    token = invitation.token
    tampered = token[:-1] + ("0" if token[-1] != "0" else "1")
    assert client.get(f"/s/{tampered}/").status_code == 404
    assert (
        client.post(api_url(tampered), {"csat": 5}, content_type="application/json").status_code
        == 404
    )
    assert client.get("/s/garbage/").status_code == 404
    other = f"{invitation.pk + 1}.{token.split('.')[1]}"
    assert client.get(f"/s/{other}/").status_code == 404


def test_the_database_alone_cannot_build_a_token(invitation, client):
    """With the nonce from a database copy but another SECRET_KEY, the HMAC does not match."""
    with override_settings(SECRET_KEY="an attacker's guess " * 3):
        forged = tokens.invitation_token(invitation)
    assert forged != invitation.token
    assert (
        client.post(api_url(forged), {"csat": 5}, content_type="application/json").status_code
        == 404
    )
    assert not Response.objects.exists()


# --- the page ---------------------------------------------------------------------------------


def test_page_in_the_invitations_language_and_answer(client, invitation, staff_user):
    page = client.get(f"/s/{invitation.token}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="pl">' in html
    assert 'name="csat"' in html and 'name="nps"' in html and 'name="ces"' in html
    assert "<script" not in html and "style=" not in html
    answer = client.post(f"/s/{invitation.token}/", {"csat": "5", "nps": "9", "comment": "Super"})
    assert answer.status_code == 302
    assert answer["Location"] == f"/s/{invitation.token}/thanks/"
    thanks = client.get(answer["Location"])
    assert thanks.status_code == 200
    assert 'id="survey-thanks"' in thanks.content.decode()
    response = Response.objects.get()
    assert (response.csat, response.nps, response.ces, response.comment) == (5, 9, None, "Super")
    assert (response.language, response.agent, response.channel.code) == ("pl", staff_user, "chat")
    invitation.refresh_from_db()
    assert invitation.status == "answered"
    again = client.get(f"/s/{invitation.token}/")
    assert again.status_code == 200 and 'id="survey-answered"' in again.content.decode()
    assert client.post(f"/s/{invitation.token}/", {"csat": "1"}).status_code == 200
    assert Response.objects.count() == 1


def test_page_rejects_empty_and_out_of_range_answers(client, invitation):
    empty = client.post(f"/s/{invitation.token}/", {})
    assert empty.status_code == 400
    assert 'id="survey-errors"' in empty.content.decode()
    bad = client.post(f"/s/{invitation.token}/", {"csat": "9", "comment": "keep me"})
    assert bad.status_code == 400
    assert "keep me" in bad.content.decode()  # nothing valid is lost
    assert not Response.objects.exists()
    # PostgreSQL refuses a NUL in any text: a form error, not a 500.
    nul = client.post(f"/s/{invitation.token}/", {"csat": "5", "comment": "fine\x00"})
    assert nul.status_code == 400
    assert "Komentarz zawiera znak NUL" in nul.content.decode()  # the invitation is in Polish
    assert not Response.objects.exists()


def test_expired_and_unknown_links_look_alike(client, invitation):
    unknown = client.get("/s/999999.0000000000000000000000000000000000000000/")
    Invitation.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    expired = client.get(f"/s/{invitation.token}/")
    assert unknown.status_code == expired.status_code == 404
    assert 'id="survey-invalid"' in unknown.content.decode()
    assert 'id="survey-invalid"' in expired.content.decode()


def test_suppressed_invitations_have_no_working_link(client, survey, chat):
    resolve(chat, email="")
    inv = Invitation.objects.get()
    assert client.get(f"/s/{inv.token}/").status_code == 404


@override_settings(SURVEYS_RATE_LIMIT=3)
def test_public_page_and_api_are_rate_limited(client, invitation):
    for _ in range(3):
        assert client.get(f"/s/{invitation.token}/").status_code == 200
    assert client.get(f"/s/{invitation.token}/").status_code == 429
    for _ in range(3):
        client.post(api_url("1.x"), {}, content_type="application/json")
    limited = client.post(api_url(invitation.token), {"csat": 5}, content_type="application/json")
    assert limited.status_code == 429
    assert not Response.objects.exists()
    # Another address is not affected.
    assert client.get(f"/s/{invitation.token}/", REMOTE_ADDR="10.0.0.9").status_code == 200


# --- the JSON endpoint ------------------------------------------------------------------------


def test_api_answers_201_then_409(client, invitation):
    first = client.post(
        api_url(invitation.token),
        {"csat": 4, "nps": 10, "ces": 6, "comment": "ok"},
        content_type="application/json",
    )
    assert first.status_code == 201
    response = Response.objects.get()
    assert first.json() == {"id": response.pk}
    assert (response.csat, response.nps, response.ces) == (4, 10, 6)
    second = client.post(api_url(invitation.token), {"csat": 1}, content_type="application/json")
    assert second.status_code == 409
    assert Response.objects.count() == 1


def test_api_needs_no_authentication_or_csrf(invitation):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    r = csrf_client.post(api_url(invitation.token), {"csat": 3}, content_type="application/json")
    assert r.status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "non_field_errors"),
        ({"comment": "  "}, "non_field_errors"),
        ({"csat": 6}, "csat"),
        ({"csat": 0}, "csat"),
        ({"nps": 11}, "nps"),
        ({"nps": -1}, "nps"),
        ({"ces": 8}, "ces"),
        ({"csat": "five"}, "csat"),
    ],
)
def test_api_rejects_bad_answers_with_400(client, invitation, body, field):
    r = client.post(api_url(invitation.token), body, content_type="application/json")
    assert r.status_code == 400
    assert field in r.json()
    assert not Response.objects.exists()


def test_api_rejects_questions_the_survey_does_not_ask(client, invitation, survey):
    survey.ask_ces = False
    survey.save()
    r = client.post(api_url(invitation.token), {"ces": 3}, content_type="application/json")
    assert r.status_code == 400
    assert "ces" in r.json()


def test_api_404_and_410(client, invitation):
    assert (
        client.post(api_url("12345.abc"), {"csat": 5}, content_type="application/json").status_code
        == 404
    )
    Invitation.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    r = client.post(api_url(invitation.token), {"csat": 5}, content_type="application/json")
    assert r.status_code == 410
    Invitation.objects.update(status="expired")
    assert (
        client.post(
            api_url(invitation.token), {"csat": 5}, content_type="application/json"
        ).status_code
        == 410
    )
    assert not Response.objects.exists()


def test_a_pending_invitation_can_be_answered_before_the_email(client, invitation):
    assert invitation.status == "pending"
    r = client.post(api_url(invitation.token), {"csat": 5}, content_type="application/json")
    assert r.status_code == 201


# --- attribution and follow-ups ---------------------------------------------------------------


def test_response_belongs_to_the_agent_at_the_time_of_the_contact(
    client, invitation, staff_user, agent2
):
    sla_services.contact_assign(contact=invitation.contact, agent=agent2)
    client.post(api_url(invitation.token), {"csat": 5}, content_type="application/json")
    assert Response.objects.get().agent == staff_user


def test_low_score_opens_a_follow_up_for_the_channel_owner(client, invitation, owner):
    client.post(api_url(invitation.token), {"csat": 2}, content_type="application/json")
    follow_up = FollowUp.objects.get()
    assert follow_up.owner == owner
    assert follow_up.closed_at is None


def test_the_follow_up_owner_is_told_in_their_language(client, invitation, owner):
    from django.core import mail

    from core.models import Profile
    from core.testing import flush_outbox

    Profile.objects.create(user=owner, language="pl")
    client.post(
        api_url(invitation.token),
        {"csat": 1, "comment": "Nikt nie oddzwonił"},
        content_type="application/json",
    )
    flush_outbox()
    [email] = [m for m in mail.outbox if m.to == [owner.email]]
    assert email.subject.startswith("Niska ocena do obsłużenia")
    assert "Nikt nie oddzwonił" in email.body
    assert "/surveys/follow-ups/" in email.body


def test_high_score_opens_no_follow_up(client, invitation):
    client.post(api_url(invitation.token), {"csat": 3, "nps": 7}, content_type="application/json")
    assert not FollowUp.objects.exists()
