"""Obligations: assignment, acknowledgement, major and minor publications, due dates."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils import timezone

from training import selectors, services
from training.models import Obligation, TrackAssignment
from training.tests.conftest import acknowledge, publish, right_answers

pytestmark = pytest.mark.django_db


def _open(user):
    return {o.standard.slug: o for o in Obligation.objects.open().filter(user=user)}


def test_assignment_creates_obligations_with_due_dates(assigned, standard_a, standard_b):
    today = timezone.localdate()
    open_ = _open(assigned)
    assert set(open_) == {"greeting", "closing"}
    assert open_["greeting"].due_date == today + timedelta(days=3)
    assert open_["closing"].due_date == today + timedelta(days=7)
    assert open_["greeting"].version == standard_a.current_version


def test_assigning_twice_keeps_one_assignment(track, assigned, manager):
    again = services.track_assign(track=track, users=[assigned], by=manager)
    assert again == []
    assert TrackAssignment.objects.filter(user=assigned).count() == 1
    assert Obligation.objects.filter(user=assigned).count() == 2


def test_acknowledging_resolves_and_progress(assigned, standard_a, standard_b):
    _record, created = acknowledge(assigned, standard_a.current_version)
    assert created
    [row] = selectors.build_rows([assigned])
    assert (row.assigned, row.acknowledged, row.outstanding, row.percent) == (2, 1, 1, 50)
    version_b = standard_b.current_version
    services.check_attempt_submit(
        user=assigned, version=version_b, answers=right_answers(version_b)
    )
    acknowledge(assigned, version_b)
    [row] = selectors.build_rows([assigned])
    assert (row.acknowledged, row.outstanding, row.percent) == (2, 0, 100)
    assert not _open(assigned)


def test_major_publication_makes_it_outstanding_again(
    settings, assigned, standard_a, manager, another_staff
):
    settings.TRAINING_REACK_DAYS = 10
    acknowledge(assigned, standard_a.current_version)
    v2 = publish(standard_a, manager=manager, kind="major")
    obligation = _open(assigned)["greeting"]
    assert obligation.version == v2
    assert obligation.reason == Obligation.Reason.CHANGED
    assert obligation.due_date == timezone.localdate(v2.published_at) + timedelta(days=10)
    # Someone without the track is not concerned.
    assert not Obligation.objects.filter(user=another_staff).exists()


def test_minor_publication_does_not(assigned, standard_a, manager):
    acknowledge(assigned, standard_a.current_version)
    publish(standard_a, manager=manager, kind="minor")
    assert "greeting" not in _open(assigned)
    [row] = selectors.build_rows([assigned])
    assert row.cells[standard_a.pk].state == "acknowledged"
    assert row.cells[standard_a.pk].acknowledged_version == 1


def test_minor_publication_moves_an_open_obligation_keeping_its_due_date(
    assigned, standard_a, manager
):
    before = _open(assigned)["greeting"]
    v2 = publish(standard_a, manager=manager, kind="minor")
    after = _open(assigned)["greeting"]
    assert after.pk == before.pk
    assert after.version == v2
    assert after.due_date == before.due_date


def test_minor_after_major_still_outstanding_for_later_assignee(
    track, standard_a, manager, another_staff
):
    """An old acknowledgement counts across minor versions only."""
    from training.models import Acknowledgement

    services.track_assign(track=track, users=[another_staff], by=manager)
    acknowledge(another_staff, standard_a.current_version)
    publish(standard_a, manager=manager, kind="major")
    publish(standard_a, manager=manager, kind="minor")
    assert _open(another_staff)["greeting"].version.number == 3
    assert Acknowledgement.objects.filter(user=another_staff).count() == 1


def test_rule_function():
    assert services.is_outstanding(current=1, last_acknowledged=None, majors=[1])
    assert not services.is_outstanding(current=2, last_acknowledged=1, majors=[1])
    assert services.is_outstanding(current=3, last_acknowledged=1, majors=[1, 3])
    assert not services.is_outstanding(current=3, last_acknowledged=3, majors=[1, 3])


def test_group_rule_assigns_on_join(track, manager, another_staff):
    group = Group.objects.create(name="Chat team")
    services.group_rule_create(group=group, track=track, by=manager)
    assert not TrackAssignment.objects.filter(user=another_staff).exists()
    another_staff.groups.add(group)
    assignment = TrackAssignment.objects.get(user=another_staff)
    assert assignment.source == TrackAssignment.Source.GROUP_RULE
    assert Obligation.objects.open().filter(user=another_staff).count() == 2
    # The reverse side too.
    from conftest import make_user

    third = make_user("agent3", None)
    group.user_set.add(third)
    assert TrackAssignment.objects.filter(user=third, track=track).exists()


def test_item_added_to_running_track_reaches_people_on_it(track, assigned, manager):
    from standards.tests.factories import StandardFactory

    new = StandardFactory(slug="new-one")
    publish(new, manager=manager)
    services.track_save(
        user=manager,
        track=track,
        name=track.name,
        items=[
            *(
                {"standard": i.standard, "due_offset_days": i.due_offset_days}
                for i in track.items.all()
            ),
            {"standard": new, "due_offset_days": 5},
        ],
    )
    assert "new-one" in _open(assigned)


def test_first_publication_of_an_assigned_standard(track, assigned, manager):
    from standards.tests.factories import StandardFactory

    later = StandardFactory(slug="later")
    services.track_save(
        user=manager,
        track=track,
        name=track.name,
        items=[
            *(
                {"standard": i.standard, "due_offset_days": i.due_offset_days}
                for i in track.items.all()
            ),
            {"standard": later, "due_offset_days": 2},
        ],
    )
    assert "later" not in _open(assigned)
    publish(later, manager=manager)
    assert "later" in _open(assigned)


def test_track_names_and_items_validated(manager, standard_a):
    with pytest.raises(ValidationError):
        services.track_save(user=manager, name=" ", items=[])
    with pytest.raises(ValidationError):
        services.track_save(
            user=manager,
            name="Twice",
            items=[{"standard": standard_a}, {"standard": standard_a}],
        )
