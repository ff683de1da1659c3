import datetime as dt
import io
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from channels_app.tests.factories import ChannelFactory
from core.models import OutboxMessage
from core.outbox import outbox_send
from core.tasks import send_outbox
from core.testing import flush_outbox
from demo import sla as sla_demo
from demo import surveys as surveys_demo
from sla.tests.factories import make_contact
from surveys import services
from surveys.models import FollowUp, Invitation, Kiosk, Response, Survey

pytestmark = pytest.mark.django_db


def test_demo_data_is_idempotent():
    call_command("seed_demo", allow_production=True, stdout=io.StringIO())
    counts = (
        Survey.objects.count(),
        Kiosk.objects.count(),
        Invitation.objects.count(),
        Response.objects.count(),
        FollowUp.objects.count(),
    )
    assert counts[0] >= 5 and counts[1] == 1
    assert counts[3] >= 150
    assert counts[4] >= 1
    assert FollowUp.objects.open().exists()
    assert Response.objects.filter(agent__username="agent").exists()
    call_command("seed_demo", allow_production=True, stdout=io.StringIO())
    assert (
        Survey.objects.count(),
        Kiosk.objects.count(),
        Invitation.objects.count(),
        Response.objects.count(),
        FollowUp.objects.count(),
    ) == counts


def _seed_counting_sends(django_capture_on_commit_callbacks) -> int:
    """Seed the demo, run what it queued for after commit, and count the survey-sending tasks."""
    with (
        mock.patch.object(send_outbox, "apply_async") as apply_async,
        mock.patch.object(send_outbox, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("seed_demo", allow_production=True, stdout=io.StringIO())
    return apply_async.call_count + delay.call_count


def test_seeding_sends_a_constant_number_of_tasks_whatever_the_contacts(
    monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(sla_demo, "CONTACT_COUNT", 10)
    monkeypatch.setattr(surveys_demo, "EXTRA_CONTACTS", 10)
    first = _seed_counting_sends(django_capture_on_commit_callbacks)
    invited = Invitation.objects.count()
    assert invited >= 10  # the demo did write invitations: the count below means something
    # Ten times the contacts: the second run adds them (and leaves the first ones alone).
    monkeypatch.setattr(sla_demo, "CONTACT_COUNT", 100)
    monkeypatch.setattr(surveys_demo, "EXTRA_CONTACTS", 100)
    second = _seed_counting_sends(django_capture_on_commit_callbacks)
    assert Invitation.objects.count() >= invited + 100
    # One at most per contacts_bulk_create call of the demo (sla's and surveys'), the signal's
    # own request for a sending run; never one per contact.
    assert first <= 2 and second <= 2, (first, second)
    # What is still pending (resolved in the last hour, due after the send delay) is the
    # periodic outbox run's: one run later, nothing is left.
    pending = Invitation.objects.filter(status=Invitation.Status.PENDING)
    flush_outbox()
    assert not pending.exists()


def test_invitations_written_without_enqueueing_wait_for_the_outbox_run(
    django_capture_on_commit_callbacks,
):
    chat = ChannelFactory(code="chat", name="Chat", calendar=None)
    survey = Survey.objects.create(name="Chat", send_delay_minutes=0)
    survey.channels.set([chat])
    now = timezone.now()
    contact = make_contact(
        channel=chat,
        opened_at=now - dt.timedelta(hours=1),
        resolved_at=now - dt.timedelta(minutes=1),
        first_response_at=now - dt.timedelta(minutes=50),
        customer_email="jan@example.com",
    )
    Invitation.objects.all().delete()  # the import's own one: written again below
    with django_capture_on_commit_callbacks() as callbacks:
        services.invitations_create_for_contacts(contact_ids=[contact.pk], enqueue=False)
    assert callbacks == []
    assert Invitation.objects.get().status == Invitation.Status.PENDING
    # The test's transaction never commits: forget the requests of the set-up above, or the
    # outbox sees one already pending and (rightly) asks for no second run.
    connection.run_on_commit.clear()
    with django_capture_on_commit_callbacks() as callbacks:
        Invitation.objects.all().delete()
        OutboxMessage.objects.all().delete()
        services.invitations_create_for_contacts(contact_ids=[contact.pk])
    assert len(callbacks) == 1  # the default: a sending run right after commit
    assert outbox_send()["sent"] == 1
