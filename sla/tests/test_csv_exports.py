"""Every SLA CSV (the report API and the manager dashboard's download) neutralises cells a
spreadsheet would run as a formula, while the figures stay numbers."""

import csv
import io

import pytest
from django.urls import reverse

from conftest import make_user
from core.roles import STAFF
from sla.models import Contact
from sla.tests.conftest import warsaw
from sla.tests.factories import make_contact

pytestmark = pytest.mark.django_db

#: Usernames a helpdesk integration may well create (Django's validator allows ``+ - @``).
HOSTILE_AGENTS = ["+1", "-1+2", "@SUM"]
HOSTILE_IDS = ['=HYPERLINK("http://x")', "@SUM(1)", "+1", "-1+2", "\tcmd"]
MARCH = {"from": "2026-03-01", "to": "2026-03-31", "tz": "Europe/Warsaw"}


def _read(response) -> list[list[str]]:
    assert response.status_code == 200, response.content
    return list(csv.reader(io.StringIO(response.getvalue().decode())))


@pytest.mark.parametrize(
    "ask", [{"format": "csv"}, {"HTTP_ACCEPT": "text/csv"}], ids=["query", "accept"]
)
def test_report_api_quotes_hostile_agent_names_and_keeps_figures(
    ask, chat, chat_policy, manager_api
):
    for n, username in enumerate(HOSTILE_AGENTS):
        agent = make_user(username, STAFF)
        for day in range(n + 1):  # 1, 2 and 3 contacts: figures to tell apart
            contact = make_contact(
                channel=chat, opened_at=warsaw(2026, 3, 2 + day, 10), agent=agent
            )
            Contact.objects.filter(pk=contact.pk).update(
                first_response_minutes=10 * (n + 1), first_response_state="met"
            )
    query = {**MARCH, "group_by": "agent", **{k: v for k, v in ask.items() if k == "format"}}
    headers = {k: v for k, v in ask.items() if k != "format"}
    lines = _read(manager_api.get("/api/v1/reports/sla/", query, **headers))
    header = lines[0]
    keys = {line[0]: dict(zip(header, line, strict=True)) for line in lines[1:-1]}
    assert set(keys) == {"'+1", "'-1+2", "'@SUM"}
    assert [keys[k]["contacts"] for k in ("'+1", "'-1+2", "'@SUM")] == ["1", "2", "3"]
    assert keys["'-1+2"]["first_response_median_minutes"] == "20.0"
    assert keys["'-1+2"]["first_response_compliance_pct"] == "100.0"
    assert lines[-1][:2] == ["", "6"] and lines[-1][-1] == "total"


def test_dashboard_csv_quotes_hostile_external_ids(chat, chat_policy, manager_client):
    opened = warsaw(2026, 3, 2, 10)
    for external_id in HOSTILE_IDS:
        contact = make_contact(channel=chat, opened_at=opened, external_id=external_id)
        Contact.objects.filter(pk=contact.pk).update(first_response_state="breached")
    params = {"period": "custom", "from": "2026-03-01", "to": "2026-03-31"}
    lines = _read(manager_client.get(reverse("sla:report-dashboard-csv"), params))
    attention = [line for line in lines if line[0] == "attention"]
    assert sorted(line[2] for line in attention) == sorted("'" + e for e in HOSTILE_IDS)
    assert {(line[1], line[-2]) for line in attention} == {("chat", "breached")}
    summary = next(line for line in lines if line[0] == "summary")
    assert summary[1:4] == ["chat", "chat", "5"]  # the channel's five contacts, a number


def test_the_csv_renderer_writes_through_the_same_rule():
    """DRF's renderer (used when a view returns a report ``Response`` for ``text/csv``)."""
    from core.reports.api import CsvRenderer

    row = {"key": "=cmd", "responses": -3}
    body = {"rows": [row], "total": {"key": None, "responses": -3}}
    view = type("View", (), {"csv_fields": ("key", "responses")})()
    text = CsvRenderer().render(body, renderer_context={"view": view}).decode()
    assert text.splitlines() == ["key,responses,row_type", "'=cmd,-3,group", ",-3,total"]
    assert CsvRenderer().render({"detail": "=not a report"}) == b""
