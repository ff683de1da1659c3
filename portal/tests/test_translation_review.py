"""The dashboard's worker card in Russian and Polish: Django's ``timesince`` gives a nominative
("1 минута", "1 minuta"), so the sentence must take it as a label, never after "назад"/"temu"."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from core.models import Profile
from portal import health


@pytest.mark.parametrize(
    "language, expected, wrong",
    [
        ("ru", "Работают. Время с последнего сигнала: 1\xa0минута.", "назад"),
        ("pl", "Działają. Czas od ostatniego sygnału: 1\xa0minuta.", "temu"),
    ],
)
def test_worker_card_reads_right_a_minute_after_the_heartbeat(
    client, manager, language, expected, wrong
):
    Profile.objects.create(user=manager, language=language)
    client.force_login(manager)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        health.record_heartbeat()
    with time_machine.travel(start + timedelta(seconds=75), tick=False):
        page = client.get("/").content.decode()
    card = page[page.index('id="worker-status"') :]
    card = card[: card.index("</p>")]
    assert expected in card
    assert wrong not in card
