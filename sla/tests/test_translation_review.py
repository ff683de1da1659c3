"""A contact's timeline in Russian and Polish: "Breached" as an event ("Нарушение SLA",
"Naruszono SLA") is not the state of a target ("Нарушено"), nor a bare participle."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from core.models import Profile
from sla import services
from sla.tests.conftest import warsaw
from sla.tests.factories import make_contact

pytestmark = pytest.mark.django_db

NOW = warsaw(2026, 3, 2, 12, 0)  # a Monday noon, inside the chat channel's hours


@pytest.mark.parametrize(
    "language, event, state",
    [("ru", "Нарушение SLA", "Нарушено"), ("pl", "Naruszono SLA", "Naruszono")],
)
def test_breach_event_and_state_have_their_own_words(
    client, manager, chat_policy, language, event, state
):
    Profile.objects.create(user=manager, language=language)
    client.force_login(manager)
    with time_machine.travel(NOW, tick=False):
        contact = make_contact(
            channel=chat_policy.channel, opened_at=NOW - dt.timedelta(minutes=90), now=NOW
        )
        services.sla_sweep(now=NOW)
        html = client.get(reverse("sla:contact-detail", args=[contact.pk])).content.decode()
    timeline = html.split('id="contact-timeline"', 1)[1].split("</ol>", 1)[0]
    assert f'<span class="fw-semibold">{event}</span>' in timeline
    targets = html.split('id="contact-targets"', 1)[1].split("</table>", 1)[0]
    assert state in targets and event not in targets
