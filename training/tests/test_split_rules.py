"""Rules made one in the split of training/ by job: the user-scoped version lookup, the one
set-based "who owes what" rule, and the one rule of "attempts that count"."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from core.roles import STAFF
from standards import services as standard_services
from training import selectors, services
from training.models import Obligation, TrackItem
from training.tests.conftest import wrong_answers

pytestmark = pytest.mark.django_db


def _ack_url(standard):
    return reverse(
        "training:acknowledge",
        kwargs={"slug": standard.slug, "number": standard.current_version.number},
    )


def test_staff_cannot_open_a_retired_standards_version(client, assigned, manager, standard_a):
    """Bug: training looked versions up by slug, past the standards app's user-scoped lookup,
    so staff could still read a retired standard there (the standards pages say 404)."""
    url = _ack_url(standard_a)
    standard_services.standard_retire(standard=standard_a, user=manager)
    client.force_login(assigned)
    assert client.get(url).status_code == 404
    current = reverse("training:acknowledge-current", kwargs={"slug": standard_a.slug})
    assert client.get(current).status_code == 404
    client.force_login(manager)  # managers keep the history
    assert client.get(url).status_code == 200


def _earlier_due_dates(manager, track, count):
    people = [make_user(f"p{count}-{i}", STAFF) for i in range(count)]
    TrackItem.objects.filter(track=track).update(due_offset_days=30)
    services.track_assign(track=track, users=people, by=manager)
    TrackItem.objects.filter(track=track).update(due_offset_days=1)
    assignments = list(track.assignments.filter(user__in=people))
    with CaptureQueriesContext(connection) as queries:
        services.obligations_sync(assignments=assignments)
    due = set(Obligation.objects.open().filter(user__in=people).values_list("due_date", flat=True))
    return len(queries), due


def test_earlier_due_dates_are_one_update(manager, track):
    """Bug: the assignment half of the rule moved due dates earlier one row at a time."""
    small, due_small = _earlier_due_dates(manager, track, 3)
    large, due_large = _earlier_due_dates(manager, track, 30)
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert due_small == due_large == {tomorrow}
    assert small == large == 6  # one UPDATE however many rows move


def test_publication_and_assignment_ask_the_same_people(manager, track, staff_user, standard_a):
    """One rule: a major version is owed by whoever the assignment rule says owes it."""
    services.track_assign(track=track, users=[staff_user], by=manager)
    Obligation.objects.filter(user=staff_user).delete()
    from training.tests.conftest import publish

    version = publish(standard_a, manager=manager, kind="major")
    obligation = Obligation.objects.open().get(user=staff_user, standard=standard_a)
    assert obligation.version_id == version.pk
    assert obligation.reason == Obligation.Reason.NEW
    reack = timezone.localdate(version.published_at) + timedelta(days=services.reack_days())
    assert obligation.due_date == max(reack, timezone.localdate() + timedelta(days=3))


def test_attempts_that_count_agree_on_the_page_and_in_the_service(assigned, manager, standard_b):
    version = standard_b.current_version
    for _ in range(3):
        services.check_attempt_submit(
            user=assigned, version=version, answers=wrong_answers(version)
        )
    state = services.attempts_state(user=assigned, version=version)
    [row] = selectors.build_rows([assigned])
    cell = row.cells[standard_b.pk]
    assert (state["remaining"], cell.failed_check, cell.locked) == (0, True, True)
    services.check_attempts_reset(user=assigned, version=version, by=manager)
    state = services.attempts_state(user=assigned, version=version)
    [row] = selectors.build_rows([assigned])
    cell = row.cells[standard_b.pk]
    assert (state["used"], state["remaining"]) == (0, 3)
    assert (cell.failed_check, cell.locked) == (False, False)
