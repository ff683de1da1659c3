import pytest
from django.core.management import call_command

from training import selectors
from training.models import Acknowledgement, Obligation, Question, Track

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_shows_every_stage(django_capture_on_commit_callbacks):
    call_command("seed_demo", allow_production=True)
    counts = (
        Track.objects.count(),
        Acknowledgement.objects.count(),
        Question.objects.count(),
        Obligation.objects.count(),
    )
    call_command("seed_demo", allow_production=True)
    assert counts == (
        Track.objects.count(),
        Acknowledgement.objects.count(),
        Question.objects.count(),
        Obligation.objects.count(),
    )
    # Training's two tracks, and the scorecard's refresher for the standards they leave out.
    assert counts[0] == 3 and counts[2] >= 2
    rows = {r["user"]: r for r in selectors.progress_rows(list(selectors.users_with_assignments()))}
    assert rows["agent"]["percent"] == 100
    assert rows["agent2"]["percent"] == 50
    assert rows["newhire"]["overdue"] == 1
    assert rows["newhire"]["acknowledged"] == 0
    assert all(a.fingerprint_is_valid() for a in Acknowledgement.objects.all())
