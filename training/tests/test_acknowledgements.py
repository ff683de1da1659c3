"""Acknowledgements: refusals, double submit, immutability at every layer, the fingerprint;
comprehension checks: attempts, the manager's notification and reset."""

from datetime import timedelta

import pytest
from django.contrib.admin.sites import site
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from standards.models import StandardVersion
from standards.tests.factories import make_version
from training import services
from training.models import (
    Acknowledgement,
    CheckAttempt,
    FrozenQuestionError,
    ImmutableRecordError,
    Obligation,
    Question,
    compute_fingerprint,
    version_content,
)
from training.tests.conftest import acknowledge, right_answers, wrong_answers

pytestmark = pytest.mark.django_db


def test_record_holds_who_what_when_where(assigned, standard_a):
    record, created = acknowledge(
        assigned, standard_a.current_version, ip_address="10.0.0.7", user_agent="Firefox"
    )
    assert created
    assert record.full_name == "Adam Agent"
    assert record.ip_address == "10.0.0.7"
    assert record.user_agent == "Firefox"
    assert record.quiz_score is None
    assert len(record.fingerprint) == 64
    assert record.fingerprint_is_valid()


def test_double_submit_makes_one_record(assigned, standard_a):
    first, created = acknowledge(assigned, standard_a.current_version)
    second, created_again = acknowledge(assigned, standard_a.current_version)
    assert created and not created_again
    assert first.pk == second.pk
    assert Acknowledgement.objects.count() == 1


def test_unique_constraint_is_the_last_word(assigned, standard_a, monkeypatch):
    """Two requests that both passed the "exists?" check: the constraint decides."""
    first, _ = acknowledge(assigned, standard_a.current_version)
    real_filter = Acknowledgement.objects.filter

    class NoneFirst:
        def first(self):
            return None

    calls = {"n": 0}

    def fake_filter(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            return NoneFirst()
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(Acknowledgement.objects, "filter", fake_filter)
    again, created = acknowledge(assigned, standard_a.current_version)
    assert not created and again.pk == first.pk


@pytest.mark.parametrize("status", ["draft", "in_review", "archived"])
def test_refuses_versions_that_are_not_published(standard_a, staff_user, status):
    if status == "archived":
        from training.tests.conftest import publish

        version = standard_a.versions.get(number=1)
        publish(standard_a, manager=version.approver, kind="minor")
        version.refresh_from_db()
        assert version.status == StandardVersion.Status.ARCHIVED
        expected = "replaced by a newer one"
    else:
        version = make_version(standard_a, status=status)
        expected = "not published yet"
    with pytest.raises(ValidationError) as exc:
        acknowledge(staff_user, version)
    assert expected in str(exc.value)
    assert not Acknowledgement.objects.exists()


def test_refuses_without_tick_or_with_a_wrong_name(assigned, standard_a):
    with pytest.raises(ValidationError) as exc:
        services.acknowledgement_create(
            user=assigned,
            version=standard_a.current_version,
            full_name="Adam Agent",
            confirmed=False,
        )
    assert "confirmed" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.acknowledgement_create(
            user=assigned,
            version=standard_a.current_version,
            full_name="Someone Else",
            confirmed=True,
        )
    assert "Adam Agent" in exc.value.message_dict["full_name"][0]
    record, _ = services.acknowledgement_create(
        user=assigned,
        version=standard_a.current_version,
        full_name="  adam   AGENT ",
        confirmed=True,
    )
    assert record.full_name == "adam AGENT"


def test_a_person_without_a_name_types_any_name(standard_a, no_role_user):
    with pytest.raises(ValidationError):
        services.acknowledgement_create(
            user=no_role_user, version=standard_a.current_version, full_name=" ", confirmed=True
        )
    record, _ = services.acknowledgement_create(
        user=no_role_user, version=standard_a.current_version, full_name="J. Doe", confirmed=True
    )
    assert record.full_name == "J. Doe"


def test_immutable_at_model_and_queryset_level(assigned, standard_a):
    record, _ = acknowledge(assigned, standard_a.current_version)
    record.full_name = "Changed"
    with pytest.raises(ImmutableRecordError):
        record.save()
    with pytest.raises(ImmutableRecordError):
        record.delete()
    with pytest.raises(ImmutableRecordError):
        Acknowledgement.objects.filter(pk=record.pk).update(full_name="x")
    with pytest.raises(ImmutableRecordError):
        Acknowledgement.objects.filter(pk=record.pk).delete()
    copy = Acknowledgement.objects.get(pk=record.pk)
    copy._state.adding = True
    with pytest.raises(ImmutableRecordError):
        copy.save()
    record.refresh_from_db()
    assert record.full_name == "Adam Agent"


def test_admin_is_read_only(rf, manager):
    admin = site._registry[Acknowledgement]
    request = rf.get("/")
    request.user = manager
    assert not admin.has_add_permission(request)
    assert not admin.has_change_permission(request)
    assert not admin.has_delete_permission(request)


def _tamper(sql, params):
    """Change a row behind every guard, as someone with database access could."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS training_acknowledgement_immutable")
        else:
            # Deferred foreign-key checks are pending trigger events, which ALTER TABLE refuses.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE training_acknowledgement DISABLE TRIGGER USER")
        cursor.execute(sql, params)
    # The test's transaction is rolled back, trigger included.


def test_database_refuses_updates(assigned, standard_a):
    from django.db import DatabaseError, transaction

    record, _ = acknowledge(assigned, standard_a.current_version)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE training_acknowledgement SET full_name = 'x' WHERE id = %s", [record.pk]
        )
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM training_acknowledgement WHERE id = %s", [record.pk])
    record.refresh_from_db()
    assert record.full_name == "Adam Agent"


def test_fingerprint_detects_tampering(assigned, standard_a):
    record, _ = acknowledge(assigned, standard_a.current_version)
    assert Acknowledgement.objects.get(pk=record.pk).fingerprint_is_valid()
    # Someone edits the row behind the model's back: the time shifts by a second.
    _tamper(
        "UPDATE training_acknowledgement SET user_id = %s WHERE id = %s",
        [standard_a.versions.first().approver_id, record.pk],
    )
    assert not Acknowledgement.objects.get(pk=record.pk).fingerprint_is_valid()


def test_fingerprint_covers_the_version_and_time(assigned, standard_a, standard_b):
    """The standards' own triggers keep a published version's text from changing; a record
    moved to another version or time in the database shows as tampered."""
    record, _ = acknowledge(assigned, standard_a.current_version)
    _tamper(
        "UPDATE training_acknowledgement SET version_id = %s WHERE id = %s",
        [standard_b.current_version.pk, record.pk],
    )
    assert not Acknowledgement.objects.get(pk=record.pk).fingerprint_is_valid()
    other, _ = acknowledge(assigned, standard_a.current_version)
    _tamper(
        "UPDATE training_acknowledgement SET acknowledged_at = %s WHERE id = %s",
        [other.acknowledged_at - timedelta(seconds=1), other.pk],
    )
    assert not Acknowledgement.objects.get(pk=other.pk).fingerprint_is_valid()


def test_fingerprint_is_sha256_of_content_user_and_time(assigned, standard_a):
    version = standard_a.current_version
    at = timezone.now()
    a = compute_fingerprint(version=version, user_id=assigned.pk, at=at)
    assert a != compute_fingerprint(version=version, user_id=assigned.pk + 1, at=at)
    assert a != compute_fingerprint(
        version=version, user_id=assigned.pk, at=at + timedelta(microseconds=1)
    )
    assert version_content(version)["criteria"]


# --- Checks -----------------------------------------------------------------------------


def test_check_must_be_passed_first(assigned, standard_b):
    version = standard_b.current_version
    with pytest.raises(ValidationError) as exc:
        acknowledge(assigned, version)
    assert "Pass the comprehension check first" in str(exc.value)
    attempt = services.check_attempt_submit(
        user=assigned, version=version, answers=right_answers(version)
    )
    assert attempt.passed and attempt.score == 100
    record, _ = acknowledge(assigned, version)
    assert record.quiz_score == 100
    with pytest.raises(ValidationError):
        services.check_attempt_submit(
            user=assigned, version=version, answers=right_answers(version)
        )


def test_half_right_is_below_the_pass_mark(assigned, standard_b):
    version = standard_b.current_version
    answers = right_answers(version)
    first = next(iter(answers))
    answers[first] = wrong_answers(version)[first]
    attempt = services.check_attempt_submit(user=assigned, version=version, answers=answers)
    assert attempt.score == 50 and not attempt.passed


def test_attempts_run_out_manager_is_told_and_resets(
    assigned, standard_b, manager, django_capture_on_commit_callbacks
):
    version = standard_b.current_version
    standard_b.owner = manager
    standard_b.save()
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            services.check_attempt_submit(
                user=assigned, version=version, answers=wrong_answers(version)
            )
    assert len(mail.outbox) == 1
    assert "manager@example.com" in mail.outbox[0].to
    assert "no attempts left" in mail.outbox[0].body
    with pytest.raises(ValidationError) as exc:
        services.check_attempt_submit(
            user=assigned, version=version, answers=right_answers(version)
        )
    assert "used all your attempts" in str(exc.value)
    assert services.check_attempts_reset(user=assigned, version=version, by=manager) == 3
    assert CheckAttempt.objects.filter(user=assigned).count() == 3  # still on record
    attempt = services.check_attempt_submit(
        user=assigned, version=version, answers=right_answers(version)
    )
    assert attempt.passed


def test_unanswered_question_is_refused(assigned, standard_b):
    with pytest.raises(ValidationError):
        services.check_attempt_submit(user=assigned, version=standard_b.current_version, answers={})
    assert not CheckAttempt.objects.exists()


def test_staff_cannot_reset(assigned, standard_b):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.check_attempts_reset(
            user=assigned, version=standard_b.current_version, by=assigned
        )


def test_questions_freeze_with_the_version(standard_b, manager):
    version = standard_b.current_version
    question = version.training_questions.first()
    question.text = "Changed?"
    with pytest.raises(FrozenQuestionError):
        question.save()
    with pytest.raises(FrozenQuestionError):
        Question.objects.filter(pk=question.pk).update(text="x")
    with pytest.raises(FrozenQuestionError):
        question.choices.first().delete()
    with pytest.raises(ValidationError):
        services.question_create(
            version=version,
            user=manager,
            text="New?",
            kind="single",
            choices=[("a", True), ("b", False)],
        )


def test_question_validation(standard_a, manager):
    draft = make_version(standard_a)
    with pytest.raises(ValidationError) as exc:
        services.question_create(
            version=draft,
            user=manager,
            text="Which?",
            kind="single",
            choices=services.parse_choices("*a\n*b\nc"),
        )
    assert "exactly one correct" in str(exc.value)
    question = services.question_create(
        version=draft,
        user=manager,
        text="Which?",
        kind="multiple",
        choices=services.parse_choices("*a\n*b\nc"),
    )
    assert [c.is_correct for c in question.choices.all()] == [True, True, False]


def test_acknowledgement_resolves_obligation(assigned, standard_a):
    record, _ = acknowledge(assigned, standard_a.current_version)
    obligation = Obligation.objects.get(user=assigned, standard=standard_a)
    assert obligation.state == Obligation.State.DONE
    assert obligation.acknowledgement == record
