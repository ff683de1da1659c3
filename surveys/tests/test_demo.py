import io

import pytest
from django.core.management import call_command

from surveys.models import FollowUp, Invitation, Kiosk, Response, Survey

pytestmark = pytest.mark.django_db


def test_demo_data_is_idempotent():
    call_command("seed_demo", stdout=io.StringIO())
    counts = (
        Survey.objects.count(),
        Kiosk.objects.count(),
        Invitation.objects.count(),
        Response.objects.count(),
        FollowUp.objects.count(),
    )
    assert counts[0] >= 5 and counts[1] == 1
    assert counts[3] >= 150
    assert counts[4] >= 1
    assert FollowUp.objects.open().exists()
    assert Response.objects.filter(agent__username="agent").exists()
    call_command("seed_demo", stdout=io.StringIO())
    assert (
        Survey.objects.count(),
        Kiosk.objects.count(),
        Invitation.objects.count(),
        Response.objects.count(),
        FollowUp.objects.count(),
    ) == counts
