"""The satisfaction report's CSV neutralises cells a spreadsheet would run as a formula (agent
names come from integrations), while its figures, negative NPS included, stay numbers."""

import csv
import io

import pytest
from django.utils import timezone

from conftest import make_user
from core.roles import STAFF
from surveys import services
from surveys.models import Invitation
from surveys.tests.conftest import resolve

pytestmark = pytest.mark.django_db


def test_satisfaction_csv_quotes_hostile_agents_and_keeps_negative_nps(survey, chat, manager_api):
    minus = make_user("-1+2", STAFF)
    at = make_user("@SUM", STAFF)
    contacts = [
        resolve(chat, email="a@example.com", agent=minus),
        resolve(chat, email="b@example.com", agent=minus),
        resolve(chat, email="c@example.com", agent=at),
    ]
    Invitation.objects.filter(status="pending").update(status="sent", sent_at=timezone.now())
    invitations = [c.survey_invitations.get() for c in contacts]
    services.response_submit(invitation=invitations[0], csat=1, nps=0, ces=7)
    services.response_submit(invitation=invitations[1], csat=2, nps=3, ces=6)
    services.response_submit(invitation=invitations[2], csat=5, nps=10, ces=1)

    response = manager_api.get(
        "/api/v1/reports/satisfaction/", {"group_by": "agent", "format": "csv"}
    )
    assert response.status_code == 200
    lines = list(csv.reader(io.StringIO(response.getvalue().decode())))
    header = lines[0]
    rows = {line[0]: dict(zip(header, line, strict=True)) for line in lines[1:-1]}
    assert set(rows) == {"'-1+2", "'@SUM"}
    # Two detractors: NPS -100, written as the number it is (no quote before the minus).
    assert rows["'-1+2"]["nps"] == "-100.0"
    assert rows["'-1+2"]["responses"] == "2"
    assert rows["'@SUM"]["nps"] == "100.0"
    total = dict(zip(header, lines[-1], strict=True))
    assert (total["key"], total["responses"], total["row_type"]) == ("", "3", "total")
    assert total["nps"] == "-33.33"
