"""/api/v1/surveys/, survey-invitations, survey-responses and the satisfaction report."""

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from surveys import services
from surveys.models import Invitation, Response, Survey
from surveys.tests.conftest import resolve

pytestmark = pytest.mark.django_db


def test_survey_crud_with_channel_codes(manager_api, chat, phone):
    created = manager_api.post(
        "/api/v1/surveys/",
        {"name": "Chat survey", "channels": ["chat"], "ask_nps": False},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body == {
        "id": body["id"],
        "name": "Chat survey",
        "channels": ["chat"],
        "ask_csat": True,
        "ask_nps": False,
        "ask_ces": False,
        "ask_comment": True,
        "send_delay_minutes": 60,
        "link_lifetime_days": 28,
        "throttle_days": 30,
        "is_active": True,
    }
    url = f"/api/v1/surveys/{body['id']}/"
    patched = manager_api.patch(
        url, {"channels": ["chat", "phone"], "is_active": False}, format="json"
    )
    assert patched.status_code == 200
    survey = Survey.objects.get()
    assert sorted(c.code for c in survey.channels.all()) == ["chat", "phone"]
    assert survey.is_active is False
    bad = manager_api.post("/api/v1/surveys/", {"name": "x", "channels": ["nope"]}, format="json")
    assert bad.status_code == 400 and "channels" in bad.json()
    nothing = manager_api.post(
        "/api/v1/surveys/",
        {"name": "x", "ask_csat": False, "ask_nps": False, "ask_comment": False},
        format="json",
    )
    assert nothing.status_code == 400
    assert manager_api.delete(url).status_code == 204
    assert not Survey.objects.exists()


def test_permissions(client, staff_api, integration_api, no_role_api, survey):
    for path in ("/api/v1/surveys/", "/api/v1/survey-invitations/", "/api/v1/survey-responses/"):
        assert client.get(path).status_code == 401
        assert staff_api.get(path).status_code == 403
        assert integration_api.get(path).status_code == 403
        assert no_role_api.get(path).status_code == 403
    assert client.get("/api/v1/reports/satisfaction/").status_code == 401
    assert staff_api.get("/api/v1/reports/satisfaction/").status_code == 403
    assert integration_api.get("/api/v1/reports/satisfaction/").status_code == 200


def test_invitation_list_fields_and_url(manager_api, survey, chat):
    contact = resolve(chat)
    inv = Invitation.objects.get()
    body = manager_api.get("/api/v1/survey-invitations/").json()
    assert body["count"] == 1
    row = body["results"][0]
    assert set(row) == {
        "id",
        "contact",
        "survey",
        "status",
        "url",
        "scheduled_for",
        "sent_at",
        "expires_at",
    }
    assert row["contact"] == contact.pk and row["survey"] == survey.pk
    assert row["status"] == "pending"
    assert row["url"] == f"http://127.0.0.1:8000/s/{inv.token}/"


def test_lists_run_a_bounded_number_of_queries(
    manager_api, survey, chat, staff_user, django_assert_max_num_queries
):
    for n in range(12):
        resolve(chat, email=f"c{n}@example.com", agent=staff_user)
    for inv in Invitation.objects.all()[:8]:
        services.response_submit(invitation=inv, csat=n % 5 + 1, comment="hi")
    for path in ("/api/v1/survey-invitations/", "/api/v1/survey-responses/", "/api/v1/surveys/"):
        with django_assert_max_num_queries(8):
            r = manager_api.get(path)
        assert r.status_code == 200
    rows = manager_api.get("/api/v1/survey-responses/").json()["results"]
    assert len(rows) == 8
    assert rows[0]["channel"] == "chat" and rows[0]["agent"] == "agent"
    assert rows[0]["contact"] is not None


def test_response_filters(manager_api, survey, chat, phone):
    a = resolve(chat, email="a@example.com")
    b = resolve(phone, email="b@example.com")
    services.response_submit(invitation=a.survey_invitations.get(), csat=1)
    services.response_submit(invitation=b.survey_invitations.get(), csat=5)
    rows = manager_api.get("/api/v1/survey-responses/?channel=phone").json()["results"]
    assert [r["csat"] for r in rows] == [5]


# --- the report -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ("from=2026-02-01&to=2026-01-01", "from"),
        ("from=2025-01-01&to=2026-01-03", "to"),
        ("from=2026-13-01", "from"),
        ("to=yesterday", "to"),
        ("group_by=colour", "group_by"),
        ("tz=Mars/Olympus", "tz"),
        ("channel=nope", "channel"),
    ],
)
def test_parameters_are_checked_like_the_sla_report(manager_api, params, field):
    """Both reports take the same query: the same input gets the same 400 from each."""
    satisfaction = manager_api.get(f"/api/v1/reports/satisfaction/?{params}")
    sla = manager_api.get(f"/api/v1/reports/sla/?{params}")
    assert satisfaction.status_code == sla.status_code == 400
    assert field in satisfaction.json()
    assert satisfaction.json() == sla.json()


def test_default_period_is_the_last_30_days(manager_api):
    body = manager_api.get("/api/v1/reports/satisfaction/?tz=UTC").json()
    start, end = dt.date.fromisoformat(body["from"]), dt.date.fromisoformat(body["to"])
    assert (end - start).days == 29
    assert body["tz"] == "UTC"


def test_report_400s_name_the_parameter(manager_api):
    r = manager_api.get("/api/v1/reports/satisfaction/?group_by=colour&tz=Nowhere")
    assert r.status_code == 400
    assert set(r.json()) == {"group_by", "tz"}


@pytest.fixture
def answered(survey, chat, phone, staff_user, agent2):
    """chat: 3 invitations sent, 2 answered (csat 5 nps 10 ces 2; csat 2 nps 6 ces 7);
    phone: 2 sent, 1 answered (csat 4 nps 8 ces 5); plus a suppressed one (throttled)."""
    now = timezone.now()
    contacts = [
        resolve(chat, email="a@example.com", agent=staff_user),
        resolve(chat, email="b@example.com", agent=staff_user),
        resolve(chat, email="c@example.com", agent=agent2),
        resolve(phone, email="d@example.com", agent=agent2),
        resolve(phone, email="e@example.com", agent=agent2),
        resolve(phone, email="a@example.com", agent=agent2),
    ]
    Invitation.objects.filter(status="pending").update(status="sent", sent_at=now)
    inv = {c.customer_email: c.survey_invitations.get() for c in contacts[:5]}
    services.response_submit(invitation=inv["a@example.com"], csat=5, nps=10, ces=2)
    services.response_submit(invitation=inv["b@example.com"], csat=2, nps=6, ces=7)
    services.response_submit(invitation=inv["d@example.com"], csat=4, nps=8, ces=5)
    return now


def test_report_by_channel_with_hand_computed_figures(manager_api, answered):
    body = manager_api.get("/api/v1/reports/satisfaction/").json()
    assert body["group_by"] == "channel"
    rows = {r["key"]: r for r in body["rows"]}
    assert rows["chat"] == {
        "key": "chat",
        "responses": 2,
        "csat_pct": 50.0,  # 5 satisfied, 2 not
        "nps": 0.0,  # one promoter, one detractor
        "ces_avg": 4.5,
        "invitations_sent": 3,
        "response_rate_pct": 66.67,
    }
    assert rows["phone"] == {
        "key": "phone",
        "responses": 1,
        "csat_pct": 100.0,
        "nps": 0.0,  # a passive
        "ces_avg": 5.0,
        "invitations_sent": 2,
        "response_rate_pct": 50.0,
    }
    total = body["total"]
    assert (total["responses"], total["csat_pct"], total["nps"], total["ces_avg"]) == (
        3,
        66.67,
        0.0,
        4.67,
    )
    assert (total["invitations_sent"], total["response_rate_pct"]) == (5, 60.0)


def test_report_as_csv_has_the_same_rows(manager_api, answered):
    """Like the SLA report: ``?format=csv`` or ``Accept: text/csv``, the total on its own line."""
    body = manager_api.get("/api/v1/reports/satisfaction/").json()
    for response in (
        manager_api.get("/api/v1/reports/satisfaction/?format=csv"),
        manager_api.get("/api/v1/reports/satisfaction/", HTTP_ACCEPT="text/csv"),
    ):
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == (
            f'attachment; filename="satisfaction-report-{body["from"]}-{body["to"]}-channel.csv"'
        )
        lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
        assert lines[0] == [
            "key",
            "responses",
            "csat_pct",
            "nps",
            "ces_avg",
            "invitations_sent",
            "response_rate_pct",
            "row_type",
        ]
        assert sorted(lines[1:-1]) == [
            ["chat", "2", "50.0", "0.0", "4.5", "3", "66.67", "group"],
            ["phone", "1", "100.0", "0.0", "5.0", "2", "50.0", "group"],
        ]
        assert lines[-1] == ["", "3", "66.67", "0.0", "4.67", "5", "60.0", "total"]
    # Bad parameters answer JSON whatever was asked for.
    bad = manager_api.get("/api/v1/reports/satisfaction/?format=csv&group_by=colour")
    assert bad.status_code == 400 and "group_by" in bad.json()


def test_report_format_parameter_wins_over_accept(manager_api, answered):
    url = "/api/v1/reports/satisfaction/"
    as_csv = manager_api.get(f"{url}?format=csv", HTTP_ACCEPT="application/json")
    assert as_csv.status_code == 200 and as_csv["Content-Type"] == "text/csv; charset=utf-8"
    lines = b"".join(as_csv.streaming_content).decode().splitlines()
    assert lines[0].startswith("key,responses,") and lines[-1].endswith(",total")
    as_json = manager_api.get(f"{url}?format=json", HTTP_ACCEPT="text/csv")
    assert as_json.status_code == 200 and as_json.json()["total"]["responses"] == 3


def test_report_by_agent_day_and_filters(manager_api, answered):
    rows = manager_api.get("/api/v1/reports/satisfaction/?group_by=agent").json()["rows"]
    by = {r["key"]: r for r in rows}
    assert by["agent"]["responses"] == 2 and by["agent"]["response_rate_pct"] == 100.0
    assert by["agent2"]["responses"] == 1 and by["agent2"]["invitations_sent"] == 3
    day = manager_api.get("/api/v1/reports/satisfaction/?group_by=day&tz=UTC").json()
    assert [r["key"] for r in day["rows"]] == [timezone.now().astimezone(dt.UTC).date().isoformat()]
    assert day["rows"][0]["responses"] == 3
    for group in ("week", "month", "priority"):
        r = manager_api.get(f"/api/v1/reports/satisfaction/?group_by={group}")
        assert r.status_code == 200 and r.json()["total"]["responses"] == 3
    only = manager_api.get("/api/v1/reports/satisfaction/?channel=phone&agent=agent2").json()
    assert only["total"]["responses"] == 1


def test_report_outside_the_period_is_empty(manager_api, answered):
    body = manager_api.get("/api/v1/reports/satisfaction/?from=2020-01-01&to=2020-01-31").json()
    assert body["rows"] == []
    assert body["total"]["responses"] == 0 and body["total"]["csat_pct"] is None


def test_report_query_count(manager_api, answered, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        assert manager_api.get("/api/v1/reports/satisfaction/?group_by=week").status_code == 200


def test_schema_renders(manager_api):
    r = manager_api.get("/api/v1/schema/")
    assert r.status_code == 200
    text = r.content.decode()
    assert "/api/v1/public/surveys/{token}/" in text and "/api/v1/reports/satisfaction/" in text
    assert Response.objects.count() == 0


def test_a_survey_with_invitations_cannot_be_deleted(manager_api, survey, chat):
    resolve(chat)
    r = manager_api.delete(f"/api/v1/surveys/{survey.pk}/")
    assert r.status_code == 400
    assert "deactivate" in r.json()["non_field_errors"][0]
    assert Survey.objects.filter(pk=survey.pk).exists()


def test_a_link_lifetime_under_a_day_is_refused_alike_by_the_api_and_the_page(
    manager_api, manager_client, survey
):
    """One rule (Survey.clean): the API's 400 and the page's error carry the same message."""
    url = f"/api/v1/surveys/{survey.pk}/"
    refused = manager_api.patch(url, {"link_lifetime_days": 0}, format="json")
    assert refused.status_code == 400
    assert refused.json() == {"link_lifetime_days": ["At least one day."]}
    created = manager_api.post(
        "/api/v1/surveys/", {"name": "x", "link_lifetime_days": 0}, format="json"
    )
    assert created.status_code == 400 and "link_lifetime_days" in created.json()
    survey.refresh_from_db()
    assert survey.link_lifetime_days == 28
    form = {"name": "Quiet", "ask_csat": "on", "send_delay_minutes": 30, "link_lifetime_days": 0}
    form |= {"throttle_days": 30, "follow_up_business_hours": 24}
    page = manager_client.post(f"/surveys/{survey.pk}/edit/", form).content.decode()
    assert page.count("At least one day.") == 1
