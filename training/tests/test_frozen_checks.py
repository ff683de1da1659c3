"""A check's questions and answers are frozen with their version, by the kernel's one guard
(``core.frozen``): the models refuse, and so does the database (migration 0004), on SQLite
and PostgreSQL alike."""

import pytest
from django.db import IntegrityError, connection, transaction

from standards.tests.factories import StandardFactory
from training.models import Choice, FrozenQuestionError, Question
from training.tests.conftest import publish

pytestmark = pytest.mark.django_db


def _raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def frozen_question(manager):
    version = publish(StandardFactory(), manager=manager, questions=1)
    return version.training_questions.get()


def test_database_refuses_updating_a_question_of_a_published_version(frozen_question):
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw("UPDATE training_question SET text = %s WHERE id = %s", ["x", frozen_question.pk])
    frozen_question.refresh_from_db()
    assert frozen_question.text != "x"


def test_database_refuses_changing_an_answer_of_a_published_version(frozen_question):
    choice = frozen_question.choices.first()
    was_correct = choice.is_correct
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw(
            "UPDATE training_choice SET is_correct = %s WHERE id = %s",
            [not choice.is_correct, choice.pk],
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw(
            'INSERT INTO training_choice (question_id, text, is_correct, "order") '
            "VALUES (%s, 'x', %s, 9)",
            [frozen_question.pk, True],
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw(
            'INSERT INTO training_question (version_id, text, kind, "order") '
            "VALUES (%s, 'x', 'single', 9)",
            [frozen_question.version_id],
        )
    assert frozen_question.choices.count() == 2
    assert Question.objects.count() == 1
    choice.refresh_from_db()
    assert choice.is_correct == was_correct


def test_database_lets_a_draft_check_change(manager):
    from standards import services as standards_services

    version = publish(StandardFactory(), manager=manager, questions=1)
    draft = standards_services.version_create_draft(standard=version.standard, user=manager)
    question = draft.training_questions.get()  # carried over from the published version
    _raw("UPDATE training_question SET text = %s WHERE id = %s", ["Reworded", question.pk])
    _raw("UPDATE training_choice SET text = %s WHERE question_id = %s", ["Reworded", question.pk])
    question.refresh_from_db()
    assert question.text == "Reworded"
    assert set(question.choices.values_list("text", flat=True)) == {"Reworded"}


def test_models_refuse_bulk_creating_answers_of_a_frozen_question(frozen_question):
    with pytest.raises(FrozenQuestionError):
        Choice.objects.bulk_create([Choice(question=frozen_question, text="x")])
    with pytest.raises(FrozenQuestionError):
        Choice.objects.filter(question=frozen_question).update(text="x")
