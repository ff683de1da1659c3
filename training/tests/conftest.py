from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import make_user
from core.roles import STAFF
from standards import services as standard_services
from standards.tests.factories import StandardFactory, make_version
from training import services


def publish(standard, *, manager, kind="major", questions=0, at=None, body=None):
    """A new version of ``standard`` written (with ``questions`` check questions) and published
    through the standards services, so the ``version_published`` signal fires."""
    extra = {"body_markdown": body} if body else {}
    version = make_version(standard, change_kind=kind, **extra)
    for i in range(questions):
        services.question_create(
            version=version,
            user=manager,
            text=f"Question {i + 1}?",
            kind="single",
            choices=[("Right", True), ("Wrong", False)],
        )
    return standard_services.version_publish(
        version=version, user=manager, allow_draft=True, change_summary="Changed.", at=at
    )


def right_answers(version):
    return {
        str(q.pk): [str(c.pk) for c in q.choices.all() if c.is_correct]
        for q in version.training_questions.prefetch_related("choices")
    }


def wrong_answers(version):
    return {
        str(q.pk): [str(c.pk) for c in q.choices.all() if not c.is_correct]
        for q in version.training_questions.prefetch_related("choices")
    }


@pytest.fixture
def standard_a(manager):
    standard = StandardFactory(title="Greeting", slug="greeting")
    publish(standard, manager=manager, at=timezone.now() - timedelta(days=30))
    return standard


@pytest.fixture
def standard_b(manager):
    standard = StandardFactory(title="Closing", slug="closing")
    publish(standard, manager=manager, questions=2, at=timezone.now() - timedelta(days=30))
    return standard


@pytest.fixture
def track(manager, standard_a, standard_b):
    return services.track_save(
        user=manager,
        name="Chat agent onboarding",
        items=[
            {"standard": standard_a, "due_offset_days": 3},
            {"standard": standard_b, "due_offset_days": 7},
        ],
    )


@pytest.fixture
def assigned(track, staff_user, manager):
    services.track_assign(
        track=track, users=[staff_user], start_date=timezone.localdate(), by=manager
    )
    return staff_user


@pytest.fixture
def another_staff(db):
    return make_user("agent2", STAFF, first_name="Bea", last_name="Second")


def acknowledge(user, version, **kwargs):
    return services.acknowledgement_create(
        user=user,
        version=version,
        full_name=user.get_full_name() or "Someone",
        confirmed=True,
        **kwargs,
    )
