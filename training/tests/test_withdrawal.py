"""Obligations that no track requires any more are withdrawn, whichever way the standard left:
a track item removed (track page, service, admin delete of the track) or a track unassigned
(person page, service, admin). Withdrawn means no reminders, no digest, not counted anywhere;
one still required by another track stays; acknowledgements are untouched."""

from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from core.roles import STAFF
from core.testing import flush_outbox
from standards.tests.factories import StandardFactory
from training import reminders, selectors, services
from training.models import (
    Acknowledgement,
    Obligation,
    ReminderSent,
    Track,
    TrackAssignment,
    TrackItem,
)
from training.tests.conftest import acknowledge, publish

pytestmark = pytest.mark.django_db

State = Obligation.State
PROGRESS = "/api/v1/training/progress/"


@pytest.fixture
def second_track(manager, standard_a, assigned):
    """Another track of the same person that also holds "Greeting"."""
    track = services.track_save(
        user=manager, name="Phone basics", items=[{"standard": standard_a, "due_offset_days": 3}]
    )
    services.track_assign(track=track, users=[assigned], by=manager)
    return track


def _assignment(user, track):
    return TrackAssignment.objects.get(user=user, track=track)


def _states(user):
    return sorted(
        Obligation.objects.filter(user=user).values_list("standard__slug", "state", "version_id")
    )


def _run_on(day):
    sent = reminders.reminders_send(now=timezone.make_aware(datetime.combine(day, time(10, 0))))
    flush_outbox()
    return sent


def _items(track):
    return [
        {"standard": i.standard, "due_offset_days": i.due_offset_days} for i in track.items.all()
    ]


# --- The service ---------------------------------------------------------------------------


def test_unassign_withdraws_only_what_no_other_track_requires(
    assigned, track, second_track, manager, standard_a, standard_b
):
    before = timezone.now()
    withdrawn = services.track_unassign(assignment=_assignment(assigned, track), by=manager)
    assert withdrawn == 1
    assert not TrackAssignment.objects.filter(user=assigned, track=track).exists()
    closing = Obligation.objects.get(user=assigned, standard=standard_b)
    assert closing.state == State.WITHDRAWN
    assert closing.resolved_at >= before
    assert closing.acknowledgement is None
    greeting = Obligation.objects.get(user=assigned, standard=standard_a)
    assert greeting.state == State.OPEN  # "Phone basics" still requires it
    assert Obligation.objects.filter(user=assigned).count() == 2  # withdrawn, not deleted


def test_unassign_keeps_done_obligations_and_acknowledgements(
    assigned, track, manager, standard_a, standard_b
):
    record, _ = acknowledge(assigned, standard_a.current_version)
    assert services.track_unassign(assignment=_assignment(assigned, track), by=manager) == 1
    done = Obligation.objects.get(user=assigned, standard=standard_a)
    assert (done.state, done.acknowledgement_id) == (State.DONE, record.pk)
    assert Acknowledgement.objects.get(pk=record.pk).fingerprint_is_valid()
    assert Obligation.objects.get(user=assigned, standard=standard_b).state == State.WITHDRAWN


def test_unassign_touches_nobody_else(assigned, another_staff, track, manager):
    services.track_assign(track=track, users=[another_staff], by=manager)
    services.track_unassign(assignment=_assignment(assigned, track), by=manager)
    assert Obligation.objects.open().filter(user=another_staff).count() == 2
    assert TrackAssignment.objects.filter(user=another_staff, track=track).exists()


def test_unassign_twice_is_harmless(assigned, track, manager):
    assignment = _assignment(assigned, track)
    assert services.track_unassign(assignment=assignment, by=manager) == 2
    assert services.track_unassign(assignment=assignment, by=manager) == 0
    assert Obligation.objects.filter(user=assigned, state=State.WITHDRAWN).count() == 2


def test_only_managers_unassign(assigned, track):
    with pytest.raises(PermissionDenied):
        services.track_unassign(assignment=_assignment(assigned, track), by=assigned)
    assert TrackAssignment.objects.filter(user=assigned).exists()
    assert Obligation.objects.open().filter(user=assigned).count() == 2


def test_assigning_again_asks_again(assigned, track, manager, standard_a, standard_b):
    services.track_unassign(assignment=_assignment(assigned, track), by=manager)
    services.track_assign(track=track, users=[assigned], by=manager)
    v_a, v_b = standard_a.current_version.pk, standard_b.current_version.pk
    assert _states(assigned) == [
        ("closing", "open", v_b),
        ("closing", "withdrawn", v_b),
        ("greeting", "open", v_a),
        ("greeting", "withdrawn", v_a),
    ]
    # The new obligations start their reminders from the first step again.
    assert _run_on(timezone.localdate()) == 1
    assert (
        ReminderSent.objects.filter(
            obligation__state=State.OPEN, step=ReminderSent.Step.ASSIGNED
        ).count()
        == 2
    )


def test_major_version_after_unassign_asks_nothing(assigned, track, manager, standard_b):
    services.track_unassign(assignment=_assignment(assigned, track), by=manager)
    publish(standard_b, manager=manager, kind="major")
    assert not Obligation.objects.open().filter(user=assigned).exists()


def test_removing_an_item_withdraws_it(track, assigned, manager, standard_a, standard_b):
    services.track_save(
        user=manager,
        track=track,
        name=track.name,
        items=[{"standard": standard_a, "due_offset_days": 3}],
    )
    assert Obligation.objects.get(user=assigned, standard=standard_b).state == State.WITHDRAWN
    assert Obligation.objects.get(user=assigned, standard=standard_a).state == State.OPEN
    # Put back: asked again, counted from today; the withdrawn row stays as history.
    services.track_save(
        user=manager,
        track=track,
        name=track.name,
        items=[
            {"standard": standard_a, "due_offset_days": 3},
            {"standard": standard_b, "due_offset_days": 7},
        ],
    )
    rows = Obligation.objects.filter(user=assigned, standard=standard_b)
    assert sorted(rows.values_list("state", flat=True)) == ["open", "withdrawn"]
    assert rows.get(state=State.OPEN).due_date == timezone.localdate() + timedelta(days=7)


def test_removing_an_item_another_track_holds_keeps_it(
    track, second_track, assigned, manager, standard_a, standard_b
):
    services.track_save(
        user=manager,
        track=track,
        name=track.name,
        items=[{"standard": standard_b, "due_offset_days": 7}],
    )
    assert Obligation.objects.get(user=assigned, standard=standard_a).state == State.OPEN


def test_removing_an_item_on_the_track_page(manager_client, track, assigned, standard_b):
    items = list(track.items.all())
    data = {
        "name": track.name,
        "description": "",
        "items-TOTAL_FORMS": "2",
        "items-INITIAL_FORMS": "2",
        "items-0-standard": items[0].standard_id,
        "items-0-due_offset_days": "3",
        "items-0-order": "1",
        "items-1-standard": items[1].standard_id,
        "items-1-due_offset_days": "7",
        "items-1-order": "2",
        "items-1-DELETE": "on",
    }
    url = reverse("training:track-edit", kwargs={"pk": track.pk})
    assert b'id="removal-note"' in manager_client.get(url).content
    assert manager_client.post(url, data).status_code == 302
    assert list(track.items.values_list("standard__slug", flat=True)) == ["greeting"]
    assert Obligation.objects.get(user=assigned, standard=standard_b).state == State.WITHDRAWN


# --- What the person and the managers see -------------------------------------------------


def test_reminders_stop_for_what_was_withdrawn(assigned, track, second_track, manager):
    today = timezone.localdate()
    assert _run_on(today) == 1
    assert "Closing" in mail.outbox[0].body and "Greeting" in mail.outbox[0].body
    services.track_unassign(assignment=_assignment(assigned, track), by=manager)
    for day in range(1, 30):
        _run_on(today + timedelta(days=day))
    bodies = [m.body for m in mail.outbox[1:]]
    assert bodies, "Greeting is still required and keeps being reminded"
    assert all("Greeting" in body and "Closing" not in body for body in bodies)
    closing = Obligation.objects.get(user=assigned, standard__slug="closing")
    assert list(closing.reminders.values_list("step", flat=True)) == ["assigned"]


def test_no_reminders_at_all_once_the_only_track_is_unassigned(assigned, track, manager):
    today = timezone.localdate()
    services.track_unassign(assignment=_assignment(assigned, track), by=manager)
    for day in range(0, 20):
        assert _run_on(today + timedelta(days=day)) == 0
    assert not mail.outbox
    assert not ReminderSent.objects.exists()


def test_reminders_ignore_obligations_no_track_holds_even_if_left_open(assigned, track):
    """A path that bypassed the services (a raw delete) still sends no reminder."""
    TrackAssignment.objects.filter(user=assigned).delete()
    assert Obligation.objects.open().filter(user=assigned).count() == 2
    assert _run_on(timezone.localdate()) == 0
    Obligation.objects.filter(user=assigned).update(
        due_date=timezone.localdate() - timedelta(days=5)
    )
    assert reminders.digest_send() == 0


def test_digest_leaves_out_what_was_withdrawn(assigned, track, second_track, manager):
    Obligation.objects.filter(user=assigned).update(
        due_date=timezone.localdate() - timedelta(days=2)
    )
    services.track_unassign(assignment=_assignment(assigned, track), by=manager)
    assert reminders.digest_send() == 1
    flush_outbox()
    [message] = mail.outbox
    assert "Greeting" in message.body and "Closing" not in message.body


def test_no_digest_when_the_overdue_track_was_unassigned(assigned, track, manager):
    Obligation.objects.filter(user=assigned).update(
        due_date=timezone.localdate() - timedelta(days=2)
    )
    assert selectors.overdue_people_count() == 1
    services.track_unassign(assignment=_assignment(assigned, track), by=manager)
    assert selectors.overdue_people_count() == 0
    assert reminders.digest_send() == 0
    assert not mail.outbox


def test_progress_my_onboarding_matrix_and_dashboard_after_unassign(
    client, manager_api, assigned, track, second_track, manager
):
    Obligation.objects.filter(user=assigned).update(
        due_date=timezone.localdate() - timedelta(days=1)
    )
    services.track_unassign(assignment=_assignment(assigned, track), by=manager)
    [row] = manager_api.get(PROGRESS).json()["results"]
    assert row == {
        "user": "agent",
        "assigned": 1,
        "acknowledged": 0,
        "outstanding": 1,
        "overdue": 1,
        "percent": 0,
    }
    assert selectors.open_count(assigned) == (1, 1)
    client.force_login(assigned)
    html = client.get(reverse("training:my-onboarding")).content.decode()
    assert "Greeting" in html and "Closing" not in html
    assert 'data-track="Chat agent onboarding"' not in html
    assert 'id="outstanding-count">1<' in client.get("/").content.decode()
    client.force_login(manager)
    matrix = client.get(reverse("training:matrix")).content.decode()
    assert matrix.count('data-state="overdue"') == 1
    assert "Closing" not in matrix


def test_progress_leaves_out_someone_with_no_track_left(manager_api, assigned, track, manager):
    services.track_unassign(assignment=_assignment(assigned, track), by=manager)
    assert manager_api.get(PROGRESS).json()["count"] == 0


# --- The pages ------------------------------------------------------------------------------


def _unassign_url(user, track):
    return reverse(
        "training:track-unassign", kwargs={"username": user.username, "track_id": track.pk}
    )


def test_person_page_offers_unassign_and_confirmation_changes_nothing(
    manager_client, assigned, track, second_track
):
    person = manager_client.get(reverse("training:person", kwargs={"username": "agent"}))
    assert _unassign_url(assigned, track) in person.content.decode()
    page = manager_client.get(_unassign_url(assigned, track))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Unassign “Chat agent onboarding” from Adam Agent" in html
    to_withdraw = html[html.index('id="to-withdraw"') : html.index('id="kept"')]
    assert "Closing" in to_withdraw and "Greeting" not in to_withdraw
    assert "Greeting" in html[html.index('id="kept"') :]
    assert 'method="post"' in html
    assert TrackAssignment.objects.filter(user=assigned, track=track).exists()
    assert Obligation.objects.open().filter(user=assigned).count() == 2


def test_unassign_on_the_person_page(manager_client, assigned, track, second_track):
    response = manager_client.post(_unassign_url(assigned, track), follow=True)
    assert response.redirect_chain == [(reverse("training:person", args=["agent"]), 302)]
    html = response.content.decode()
    assert (
        "“Chat agent onboarding” is no longer assigned to Adam Agent; "
        "1 outstanding standard was withdrawn." in html
    )
    assignments = html[html.index('id="person-assignments"') : html.index("Working hours")]
    assert "Phone basics" in assignments and "Chat agent onboarding" not in assignments
    assert "Withdrawn" in html[html.index('id="person-obligations"') :]
    assert not TrackAssignment.objects.filter(user=assigned, track=track).exists()
    assert Obligation.objects.get(user=assigned, standard__slug="closing").state == "withdrawn"
    # A second click (or another manager) finds nothing to do, and says so.
    again = manager_client.post(_unassign_url(assigned, track), follow=True)
    assert "This track is not assigned to Adam Agent." in again.content.decode()


def test_unassign_with_nothing_outstanding(manager_client, assigned, track, standard_a):
    Obligation.objects.filter(user=assigned, standard__slug="closing").delete()
    acknowledge(assigned, standard_a.current_version)
    html = manager_client.get(_unassign_url(assigned, track)).content.decode()
    assert 'id="nothing-to-withdraw"' in html
    response = manager_client.post(_unassign_url(assigned, track), follow=True)
    assert "0 outstanding standards were withdrawn." in response.content.decode()


def test_group_rule_source_is_explained(manager_client, track, manager, another_staff):
    from django.contrib.auth.models import Group

    group = Group.objects.create(name="Chat team")
    services.group_rule_create(group=group, track=track, by=manager)
    another_staff.groups.add(group)
    html = manager_client.get(_unassign_url(another_staff, track)).content.decode()
    assert "A group rule gave this track" in html


def test_staff_may_not_unassign(staff_client, client, assigned, track):
    url = _unassign_url(assigned, track)
    assert staff_client.get(url).status_code == 403
    assert staff_client.post(url).status_code == 403
    assert TrackAssignment.objects.filter(user=assigned, track=track).exists()
    assert Obligation.objects.open().filter(user=assigned).count() == 2
    client.logout()
    assert client.post(url).status_code == 302  # to the login page
    assert TrackAssignment.objects.filter(user=assigned, track=track).exists()


def test_unknown_assignment_is_a_404(manager_client, assigned, track, another_staff):
    assert manager_client.get(_unassign_url(another_staff, track)).status_code == 404
    missing = reverse("training:track-unassign", kwargs={"username": "nobody", "track_id": 1})
    assert manager_client.post(missing).status_code == 404


@pytest.mark.parametrize("n", [3, 30])
def test_confirmation_and_person_pages_are_bounded(
    n, client, manager, django_assert_max_num_queries
):
    standards = []
    for i in range(n):
        standard = StandardFactory(slug=f"w{n}-{i}", title=f"W {i}")
        publish(standard, manager=manager)
        standards.append(standard)
    person = make_user(f"person{n}", STAFF)
    tracks = []
    for t in range(3):
        track = services.track_save(
            user=manager,
            name=f"T{n}-{t}",
            items=[{"standard": s, "due_offset_days": 3} for s in standards[t:]],
        )
        services.track_assign(track=track, users=[person], by=manager)
        tracks.append(track)
    client.force_login(manager)
    with django_assert_max_num_queries(12):
        page = client.get(_unassign_url(person, tracks[0]))
    assert page.status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get(reverse("training:person", args=[person.username])).status_code == 200
    with django_assert_max_num_queries(25):
        assert client.post(_unassign_url(person, tracks[0])).status_code == 302
    # Only the first standard was in no other track.
    assert Obligation.objects.filter(user=person, state=State.WITHDRAWN).count() == 1


# --- The admin goes through the same services -------------------------------------------------


@pytest.fixture
def superuser(db):
    from django.contrib.auth.models import User

    return User.objects.create_superuser("root", "root@example.com", "correct-horse-battery")


def test_admin_delete_of_an_assignment_withdraws(client, superuser, assigned, track):
    client.force_login(superuser)
    pk = _assignment(assigned, track).pk
    url = reverse("admin:training_trackassignment_delete", args=[pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not TrackAssignment.objects.filter(pk=pk).exists()
    assert Obligation.objects.filter(user=assigned, state=State.WITHDRAWN).count() == 2


def test_admin_bulk_delete_of_assignments_withdraws(
    client, superuser, assigned, another_staff, track, manager
):
    services.track_assign(track=track, users=[another_staff], by=manager)
    client.force_login(superuser)
    response = client.post(
        reverse("admin:training_trackassignment_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": list(track.assignments.values_list("pk", flat=True)),
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert not TrackAssignment.objects.exists()
    assert not Obligation.objects.open().exists()
    assert Obligation.objects.filter(state=State.WITHDRAWN).count() == 4


def test_admin_delete_of_a_track_withdraws(client, superuser, assigned, track, second_track):
    client.force_login(superuser)
    url = reverse("admin:training_track_delete", args=[track.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Track.objects.filter(pk=track.pk).exists()
    assert _states(assigned)[0][:2] == ("closing", "withdrawn")
    assert Obligation.objects.get(user=assigned, standard__slug="greeting").state == State.OPEN


def test_admin_cannot_add_assignments_or_edit_items_behind_the_services(client, superuser, track):
    client.force_login(superuser)
    assert client.get(reverse("admin:training_trackassignment_add")).status_code == 403
    page = client.get(reverse("admin:training_track_change", args=[track.pk])).content.decode()
    assert 'name="items-0-standard"' not in page
    before = list(TrackItem.objects.values_list("pk", flat=True))
    client.post(
        reverse("admin:training_track_change", args=[track.pk]),
        {
            "name": track.name,
            "description": "",
            "items-TOTAL_FORMS": "0",
            "items-INITIAL_FORMS": "0",
        },
    )
    assert list(TrackItem.objects.values_list("pk", flat=True)) == before
