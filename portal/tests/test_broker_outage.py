"""A broker outage after commit is logged, never turned into an error of the committed request."""

import logging
from unittest import mock

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError

from core import queue
from training import services as training_services
from training import tasks as training_tasks
from training.models import TrackAssignment
from training.tests.conftest import (  # noqa: F401
    standard_a,
    standard_b,
    track,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_down():
    down = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    with mock.patch("celery.app.task.Task.apply_async", side_effect=down) as apply_async:
        yield apply_async


def test_send_now_logs_and_answers_false(broker_down, caplog):
    with caplog.at_level(logging.WARNING, logger="core.queue"):
        assert queue.send_now(training_tasks.send_reminders, user_id=1) is False
    assert "Could not enqueue training.tasks.send_reminders" in caplog.text


def test_assigning_a_track_commits_while_the_broker_is_down(
    broker_down,
    track,  # noqa: F811
    staff_user,
    manager,
    django_capture_on_commit_callbacks,
    caplog,
):
    with (
        caplog.at_level(logging.WARNING, logger="core.queue"),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        created = training_services.track_assign(
            track=track, users=[staff_user], start_date=timezone.localdate(), by=manager
        )
    assert len(callbacks) == 1
    assert broker_down.call_args.kwargs == {"args": (), "kwargs": {"user_id": staff_user.pk}}
    assert [a.user_id for a in created] == [staff_user.pk]
    assert TrackAssignment.objects.filter(user=staff_user, track=track).exists()
    assert "broker unavailable" in caplog.text
