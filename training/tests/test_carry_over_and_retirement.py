"""Checks that carry over to a new draft, the way to the check editor, what changed since the
last acknowledgement, "My service", and what retiring a standard does to onboarding."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from standards import services as standard_services
from standards.models import StandardVersion
from training import my_service, selectors, services
from training.models import Check, Choice, Obligation, Question
from training.tests.conftest import acknowledge, publish, right_answers

pytestmark = pytest.mark.django_db
Status = StandardVersion.Status


def _questions(version):
    return [
        (q.text, q.kind, q.order, [(c.text, c.is_correct, c.order) for c in q.choices.all()])
        for q in version.training_questions.prefetch_related("choices")
    ]


def _ack_url(standard, number):
    return reverse("training:acknowledge", kwargs={"slug": standard.slug, "number": number})


# --- Checks that carry over ---------------------------------------------------------------


def test_a_new_draft_starts_with_the_published_check(manager, standard_b):
    published = standard_b.current_version
    draft = standard_services.version_create_draft(standard=standard_b, user=manager)
    assert _questions(draft) == _questions(published)
    assert len(_questions(draft)) == 2
    # Default settings (no row on the published version): none is made for the draft either.
    assert not Check.objects.filter(version=draft).exists()
    # The copies are the draft's own: editable, the published ones untouched.
    services.question_delete(question=draft.training_questions.first(), user=manager)
    services.check_settings_update(version=draft, user=manager, pass_mark=50, max_attempts=9)
    assert len(_questions(draft)) == 1
    assert len(_questions(published)) == 2
    assert services.check_for(published).pass_mark == Check.DEFAULT_PASS_MARK


def test_pass_mark_and_attempts_carry_over_in_a_fixed_number_of_queries(manager, standard_a):
    # A first draft with a check of 30 questions and its own settings, published.
    draft = standard_services.version_create_draft(standard=standard_a, user=manager)
    for i in range(30):
        services.question_create(
            version=draft,
            user=manager,
            text=f"Q{i}?",
            kind="multiple" if i % 2 else "single",
            choices=[("Yes", True), ("Also", bool(i % 2)), ("No", False)],
        )
    services.check_settings_update(version=draft, user=manager, pass_mark=70, max_attempts=4)
    standard_services.version_publish(
        version=draft, user=manager, allow_draft=True, change_summary="Check added."
    )
    source = StandardVersion.objects.get(pk=draft.pk)
    target = StandardVersion.objects.create(
        standard=standard_a, number=source.number + 1, body_markdown="x"
    )
    with CaptureQueriesContext(connection) as queries:
        copied = services.check_copy(source=source, target=target)
    assert copied == 30
    # Not one per question or answer; each bulk insert asks once whether its parents are frozen
    # (the kernel guard, core.frozen).
    assert len(queries) <= 8
    assert _questions(target) == _questions(source)
    assert Choice.objects.filter(question__version=target).count() == 90
    check = Check.objects.get(version=target)
    assert (check.pass_mark, check.max_attempts) == (70, 4)


def test_the_first_version_has_no_check_to_copy(manager):
    standard = standard_services.standard_create(user=manager, title="Fresh")
    draft = standard_services.version_create_draft(standard=standard, user=manager)
    assert not Question.objects.filter(version=draft).exists()


def test_discarding_a_draft_removes_its_copied_check_only(manager, standard_b):
    draft = standard_services.version_create_draft(standard=standard_b, user=manager)
    assert draft.training_questions.count() == 2
    draft.training_questions.all().delete()  # the check's rows go with the draft
    standard_services.version_discard(version=draft, user=manager)
    assert Question.objects.filter(version=standard_b.current_version).count() == 2


# --- The way to the editor ------------------------------------------------------------------


def test_the_check_editor_is_linked_from_version_standard_and_track_pages(
    manager_client, manager, track, standard_b
):
    published = standard_b.current_version
    questions_of = lambda v: reverse(  # noqa: E731
        "training:questions", kwargs={"slug": standard_b.slug, "number": v.number}
    )
    page = manager_client.get(published.get_absolute_url()).content.decode()
    assert f'href="{questions_of(published)}" id="check-link"' in page
    page = manager_client.get(standard_b.get_absolute_url()).content.decode()
    assert f'href="{questions_of(published)}" id="check-link"' in page
    page = manager_client.get(reverse("training:track-edit", args=[track.pk])).content.decode()
    assert f'class="check-link" href="{questions_of(published)}"' in page

    # Once a draft is started, the standard's and the track's pages lead to the draft's check.
    draft = standard_services.version_create_draft(standard=standard_b, user=manager)
    page = manager_client.get(standard_b.get_absolute_url()).content.decode()
    assert f'href="{questions_of(draft)}" id="check-link"' in page
    page = manager_client.get(reverse("training:track-edit", args=[track.pk])).content.decode()
    assert f'class="check-link" href="{questions_of(draft)}"' in page
    editor = manager_client.get(questions_of(draft)).content.decode()
    assert 'id="question-form"' in editor and "Question 1?" in editor


def test_staff_get_no_link_to_the_editor(client, assigned, standard_b):
    client.force_login(assigned)
    page = client.get(standard_b.get_absolute_url()).content.decode()
    assert 'id="check-link"' not in page


def test_track_page_reads_check_versions_in_one_query(manager, standard_a, standard_b):
    with CaptureQueriesContext(connection) as queries:
        chosen = selectors.check_versions([standard_a.pk, standard_b.pk])
    assert len(queries) == 1
    assert {s: v.number for s, v in chosen.items()} == {standard_a.pk: 1, standard_b.pk: 1}


# --- What changed since the last acknowledgement --------------------------------------------


def test_the_reacknowledgement_page_shows_what_changed(client, assigned, manager, standard_a):
    first = standard_a.current_version
    acknowledge(assigned, first)
    second = publish(standard_a, manager=manager, body="Say hello.\n\nSmile on the phone too.")
    client.force_login(assigned)
    page = client.get(_ack_url(standard_a, second.number)).content.decode()
    assert 'id="changes-since"' in page
    assert f"What changed since version {first.number}" in page
    assert "<ins>Smile on the phone too.</ins>" in page
    assert f"?from={first.number}&amp;to={second.number}" in page
    # Once acknowledged, the page no longer lists the changes.
    acknowledge(assigned, StandardVersion.objects.get(pk=second.pk))
    page = client.get(_ack_url(standard_a, second.number)).content.decode()
    assert 'id="changes-since"' not in page


def test_a_first_acknowledgement_shows_no_changes(client, assigned, standard_a):
    client.force_login(assigned)
    page = client.get(_ack_url(standard_a, standard_a.current_version.number)).content.decode()
    assert 'id="changes-since"' not in page


# --- My service -----------------------------------------------------------------------------


def test_my_service_lists_what_is_still_owed_with_due_dates(
    client, assigned, standard_a, standard_b
):
    Obligation.objects.filter(user=assigned, standard=standard_b).update(
        due_date=timezone.localdate() - timedelta(days=2)
    )
    client.force_login(assigned)
    page = client.get(reverse("my-service")).content.decode()
    assert 'id="training-my-service"' in page
    items = page.split('id="training-outstanding"')[1].split("</ul>")[0]
    # Overdue first, marked, each linking to its acknowledgement page.
    assert items.index("Closing") < items.index("Greeting")
    assert "list-group-item-danger" in items.split("Greeting")[0]
    assert "Overdue since" in items and "Due on" in items
    assert _ack_url(standard_a, standard_a.current_version.number) in items
    assert "1 is overdue." in page


def test_my_service_says_when_nothing_is_owed(client, assigned, standard_a, standard_b):
    for standard in (standard_a, standard_b):
        version = standard.current_version
        if version.training_questions.exists():
            services.check_attempt_submit(
                user=assigned, version=version, answers=right_answers(version)
            )
        acknowledge(assigned, version)
    client.force_login(assigned)
    page = client.get(reverse("my-service")).content.decode()
    assert 'id="training-nothing-open"' in page
    assert 'id="training-outstanding"' not in page


def test_my_service_section_queries_are_bounded(manager, assigned, track):
    for i in range(5):
        standard = standard_services.standard_create(user=manager, title=f"Extra {i}")
        publish(standard, manager=manager)
        track.items.create(standard=standard, order=10 + i)
    services.obligations_sync(assignments=list(assigned.track_assignments.all()))
    with CaptureQueriesContext(connection) as queries:
        section = my_service.outstanding(assigned)
    assert len(section["open"]) == 7
    assert len(queries) <= 7


# --- Retiring a standard ----------------------------------------------------------------------


def test_retiring_withdraws_every_open_obligation_and_leaves_onboarding(
    assigned, another_staff, track, manager, standard_a, standard_b
):
    services.track_assign(track=track, users=[another_staff], by=manager)
    acknowledge(assigned, standard_a.current_version)
    assert Obligation.objects.open().filter(standard=standard_a).count() == 1
    assert Obligation.objects.open().filter(standard=standard_b).count() == 2

    standard_services.standard_retire(standard=standard_b, user=manager)

    withdrawn = Obligation.objects.filter(standard=standard_b)
    assert {o.state for o in withdrawn} == {Obligation.State.WITHDRAWN}
    assert all(o.resolved_at for o in withdrawn)
    # Nothing else moved: the other standard's obligation and the acknowledgement stay.
    assert Obligation.objects.get(user=another_staff, standard=standard_a).state == "open"
    assert Obligation.objects.get(user=assigned, standard=standard_a).state == "done"
    [row] = selectors.build_rows([assigned])
    assert set(row.cells) == {standard_a.pk}
    assert row.percent == 100
    assert my_service.outstanding(assigned)["open"] == []
    # Assigning the track again asks nothing about the retired standard.
    services.track_unassign(assignment=assigned.track_assignments.get(), by=manager)
    services.track_assign(track=track, users=[assigned], by=manager)
    assert not Obligation.objects.open().filter(user=assigned, standard=standard_b).exists()


def test_a_retired_standard_cannot_be_acknowledged(assigned, manager, standard_a):
    standard_services.standard_retire(standard=standard_a, user=manager)
    with pytest.raises(Exception, match="retired"):
        acknowledge(assigned, standard_a.current_version)


def test_reinstating_asks_again_from_today(assigned, track, manager, standard_b):
    standard_services.standard_retire(standard=standard_b, user=manager)
    standard_services.standard_reinstate(standard=standard_b, user=manager)
    obligation = Obligation.objects.open().get(user=assigned, standard=standard_b)
    assert obligation.version == standard_b.current_version
    assert obligation.due_date >= timezone.localdate()
    assert Obligation.objects.filter(user=assigned, standard=standard_b).count() == 2
