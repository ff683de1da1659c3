"""Pages: the acknowledgement flow, My onboarding, the manager's pages, query bounds."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from conftest import make_user
from core.roles import STAFF
from standards.tests.factories import StandardFactory, make_version
from training import services
from training.models import Acknowledgement, CheckAttempt, GroupRule, Question, Track
from training.tests.conftest import acknowledge, publish, right_answers, wrong_answers

pytestmark = pytest.mark.django_db


def _ack_url(standard, number=None):
    number = number or standard.current_version.number
    return reverse("training:acknowledge", kwargs={"slug": standard.slug, "number": number})


def test_acknowledge_flow_without_check(client, assigned, standard_a):
    client.force_login(assigned)
    page = client.get(_ack_url(standard_a))
    assert page.status_code == 200
    assert b"I have read this standard and will follow it" in page.content
    assert b"criteria-table" in page.content
    bad = client.post(_ack_url(standard_a), {"confirmed": "on", "full_name": "Nope"})
    assert bad.status_code == 200
    assert "Adam Agent" in bad.content.decode()
    data = {"confirmed": "on", "full_name": "adam agent", "acknowledge": "1"}
    done = client.post(_ack_url(standard_a), data, HTTP_USER_AGENT="TestBrowser/1")
    record = Acknowledgement.objects.get()
    assert done.status_code == 302 and done.url == record.get_absolute_url()
    assert record.user_agent == "TestBrowser/1"
    assert record.ip_address == "127.0.0.1"
    again = client.post(_ack_url(standard_a), data)
    assert again.status_code == 302
    assert Acknowledgement.objects.count() == 1
    detail = client.get(record.get_absolute_url())
    assert b"fingerprint-ok" in detail.content


def test_acknowledge_flow_with_check(client, assigned, standard_b):
    client.force_login(assigned)
    version = standard_b.current_version
    page = client.get(_ack_url(standard_b))
    assert b"check-form" in page.content and b"acknowledge-form" not in page.content
    refused = client.post(_ack_url(standard_b), {"confirmed": "on", "full_name": "Adam Agent"})
    assert "Pass the comprehension check first" in refused.content.decode()
    wrong = {f"q{k}": v[0] for k, v in wrong_answers(version).items()}
    client.post(_ack_url(standard_b), {**wrong, "check": "1"})
    assert CheckAttempt.objects.get().passed is False
    right = {f"q{k}": v[0] for k, v in right_answers(version).items()}
    client.post(_ack_url(standard_b), {**right, "check": "1"})
    page = client.get(_ack_url(standard_b))
    assert b"acknowledge-form" in page.content and b"check-passed" in page.content
    client.post(_ack_url(standard_b), {"confirmed": "on", "full_name": "Adam Agent"})
    assert Acknowledgement.objects.get().quiz_score == 100


def test_locked_check_says_so(client, assigned, standard_b):
    version = standard_b.current_version
    for _ in range(3):
        services.check_attempt_submit(
            user=assigned, version=version, answers=wrong_answers(version)
        )
    client.force_login(assigned)
    assert b'id="locked"' in client.get(_ack_url(standard_b)).content


def test_archived_version_is_refused_with_a_message(client, assigned, standard_a, manager):
    publish(standard_a, manager=manager, kind="major")
    client.force_login(assigned)
    page = client.get(_ack_url(standard_a, 1))
    assert b'id="refusal"' in page.content
    client.post(_ack_url(standard_a, 1), {"confirmed": "on", "full_name": "Adam Agent"})
    assert not Acknowledgement.objects.exists()


def test_staff_cannot_open_drafts_or_others_records(client, assigned, another_staff, standard_a):
    draft = make_version(standard_a)
    client.force_login(assigned)
    assert client.get(_ack_url(standard_a, draft.number)).status_code == 404
    record, _ = acknowledge(another_staff, standard_a.current_version)
    assert client.get(record.get_absolute_url()).status_code == 404
    assert client.get(reverse("training:matrix")).status_code == 403


def test_acknowledge_current_redirects(client, assigned, standard_a):
    client.force_login(assigned)
    response = client.get(reverse("training:acknowledge-current", kwargs={"slug": standard_a.slug}))
    assert response.url == _ack_url(standard_a)


def test_my_onboarding(client, assigned, standard_a, standard_b):
    acknowledge(assigned, standard_a.current_version)
    client.force_login(assigned)
    page = client.get(reverse("training:my-onboarding"))
    html = page.content.decode()
    assert '<progress class="training-progress w-100"' in html and 'value="50"' in html
    assert html.index('id="open-items"') < html.index('id="history"')
    assert "Closing" in html
    assert 'style="' not in html


def test_nav_and_dashboard(client, assigned, manager, standard_a):
    client.force_login(assigned)
    html = client.get("/").content.decode()
    assert reverse("training:my-onboarding") in html
    assert 'id="outstanding-count">2<' in html
    assert "will appear here" not in html  # the placeholder card went when the real ones came
    client.force_login(manager)
    html = client.get("/").content.decode()
    assert 'id="training-card"' in html and reverse("training:matrix") in html


def test_matrix_filters_and_csv(manager_client, assigned, another_staff, track, standard_a):
    acknowledge(assigned, standard_a.current_version)
    other = Track.objects.create(name="Office")
    services.track_assign(
        track=other, users=[another_staff], by=assigned.__class__.objects.get(username="manager")
    )
    page = manager_client.get(reverse("training:matrix"))
    html = page.content.decode()
    assert 'data-user="agent"' in html and "v1 acknowledged" in html
    filtered = manager_client.get(reverse("training:matrix"), {"track": track.pk}).content
    assert b'data-user="agent2"' not in filtered
    csv_body = manager_client.get(reverse("training:matrix"), {"format": "csv"})
    csv_body = csv_body.getvalue().decode()  # streamed
    assert csv_body.splitlines()[0].startswith("Username,Name,Progress (%)")
    assert "acknowledged v1" in csv_body


def test_person_page_and_reset(manager_client, assigned, standard_b):
    version = standard_b.current_version
    for _ in range(3):
        services.check_attempt_submit(
            user=assigned, version=version, answers=wrong_answers(version)
        )
    url = reverse("training:person", kwargs={"username": "agent"})
    html = manager_client.get(url).content.decode()
    assert "Check locked" in html and "Reset attempts" in html
    reset = reverse(
        "training:reset-attempts", kwargs={"username": "agent", "version_id": version.pk}
    )
    assert manager_client.post(reset).status_code == 302
    # Every attempt stays on record, none counts against the limit any more.
    assert CheckAttempt.objects.filter(user=assigned).count() == 3
    assert not CheckAttempt.objects.filter(user=assigned, cleared_at__isnull=True).exists()
    assert services.attempts_state(user=assigned, version=version)["remaining"] == 3


def test_track_create_edit_assign(manager_client, standard_a, standard_b, another_staff):
    data = {
        "name": "Office staff onboarding",
        "description": "",
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "0",
        "items-0-standard": standard_b.pk,
        "items-0-due_offset_days": "5",
        "items-0-order": "2",
        "items-1-standard": standard_a.pk,
        "items-1-due_offset_days": "2",
        "items-1-order": "1",
        "items-2-due_offset_days": "7",
    }
    response = manager_client.post(reverse("training:track-create"), data)
    track = Track.objects.get()
    assert response.status_code == 302
    assert [i.standard.slug for i in track.items.all()] == ["greeting", "closing"]
    assert (
        manager_client.get(reverse("training:track-edit", kwargs={"pk": track.pk})).status_code
        == 200
    )
    dup = manager_client.post(
        reverse("training:track-create"), {**data, "name": "office staff ONBOARDING"}
    )
    assert "exists already" in dup.content.decode()
    group = Group.objects.get(name=STAFF)
    response = manager_client.post(
        reverse("training:track-assign", kwargs={"pk": track.pk}),
        {"groups": [group.pk], "start_date": "2026-01-05"},
    )
    assert response.status_code == 302
    assert track.assignments.filter(user=another_staff).exists()
    empty = manager_client.post(
        reverse("training:track-assign", kwargs={"pk": track.pk}), {"start_date": "2026-01-05"}
    )
    assert "Choose people or a group" in empty.content.decode()
    assert manager_client.get(reverse("training:tracks")).status_code == 200


def test_group_rules_page(manager_client, track, another_staff):
    group = Group.objects.create(name="Chat team")
    response = manager_client.post(
        reverse("training:group-rules"), {"group": group.pk, "track": track.pk}
    )
    assert response.status_code == 302
    rule = GroupRule.objects.get()
    newcomer = make_user("newcomer", STAFF)
    newcomer.groups.add(group)
    assert newcomer.track_assignments.filter(track=track).exists()
    manager_client.post(reverse("training:group-rule-delete", kwargs={"pk": rule.pk}))
    assert not GroupRule.objects.exists()


def test_questions_editor(manager_client, standard_a):
    draft = make_version(standard_a)
    url = reverse("training:questions", kwargs={"slug": standard_a.slug, "number": draft.number})
    assert manager_client.get(url).status_code == 200
    bad = manager_client.post(url, {"text": "Q?", "kind": "single", "choices": "a\nb"})
    assert "Mark at least one answer" in bad.content.decode()
    manager_client.post(url, {"text": "Q?", "kind": "single", "choices": "*a\nb"})
    question = Question.objects.get()
    manager_client.post(url, {"settings": "1", "pass_mark": "60", "max_attempts": "5"})
    assert draft.training_check.pass_mark == 60
    manager_client.post(reverse("training:question-delete", kwargs={"pk": question.pk}))
    assert not Question.objects.exists()
    published = reverse("training:questions", kwargs={"slug": standard_a.slug, "number": 1})
    assert b'id="frozen"' in manager_client.get(published).content


def _population(n, manager):
    standards = []
    for i in range(n):
        standard = StandardFactory(slug=f"q{n}-{i}", title=f"Q {i}")
        publish(standard, manager=manager, questions=1 if i == 0 else 0)
        standards.append(standard)
    track = services.track_save(
        user=manager,
        name=f"Track {n}",
        items=[{"standard": s, "due_offset_days": 3} for s in standards],
    )
    users = [make_user(f"u{n}-{i}", STAFF, first_name="U", last_name=str(i)) for i in range(n)]
    services.track_assign(track=track, users=users, by=manager)
    for user in users[: n // 2]:
        acknowledge(user, standards[-1].current_version)
        version = standards[0].current_version
        services.check_attempt_submit(user=user, version=version, answers=wrong_answers(version))
    return users


@pytest.mark.parametrize("n", [3, 30])
def test_pages_are_bounded(n, client, manager, django_assert_max_num_queries):
    users = _population(n, manager)
    client.force_login(manager)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("training:matrix")).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(reverse("training:matrix"), {"format": "csv"}).status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get(reverse("training:person", args=[users[0].username])).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get("/").status_code == 200
    client.force_login(users[0])
    with django_assert_max_num_queries(20):
        assert client.get(reverse("training:my-onboarding")).status_code == 200
