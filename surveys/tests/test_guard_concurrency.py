"""Taps at the same moment on a kiosk whose key leaked: the cap and the follow-up period hold."""

import threading

import pytest
from django.db import connections
from django.test import override_settings
from django.utils import timezone

from surveys import services
from surveys.models import FollowUp, Response
from surveys.tests.conftest import postgres_only

pytestmark = [pytest.mark.postgres, postgres_only]


@pytest.mark.django_db(transaction=True)
@override_settings(SURVEYS_KIOSK_DAILY_CAP=3, SURVEYS_KIOSK_FOLLOWUP_HOURS=1)
def test_simultaneous_low_scores_respect_cap_and_period(chat):
    kiosk = services.kiosk_create(name="Leaked", channel=chat, min_interval_seconds=0)
    barrier = threading.Barrier(8)
    now = timezone.now()
    outcomes = []

    def tap():
        try:
            barrier.wait()
            # One instant for all, so the minimum interval (0 s) lets every tap through.
            services.kiosk_submit(kiosk=kiosk, csat=1, now=now)
            outcomes.append("stored")
        except services.KioskFull:
            outcomes.append("full")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=tap) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["full"] * 5 + ["stored"] * 3
    assert Response.objects.count() == 3
    assert FollowUp.objects.count() == 1
