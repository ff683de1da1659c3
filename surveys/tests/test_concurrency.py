"""Two answers to one link at the same moment make one response (PostgreSQL, real threads)."""

import threading

import pytest
from django.db import connection, connections

from core.models import OutboxMessage
from core.outbox import outbox_send
from surveys import services
from surveys.models import Invitation, Response
from surveys.tests.conftest import postgres_only, resolve

pytestmark = [pytest.mark.postgres, postgres_only]


@pytest.mark.django_db(transaction=True)
def test_two_answers_at_once_make_one_response(survey, chat):
    resolve(chat)
    invitation = Invitation.objects.get()
    barrier = threading.Barrier(4)
    outcomes = []

    def answer(score):
        try:
            barrier.wait()
            services.response_submit(invitation=invitation, csat=score)
            outcomes.append("created")
        except services.AlreadyAnswered:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=answer, args=(s,)) for s in (1, 2, 4, 5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "conflict", "conflict", "created"]
    assert Response.objects.count() == 1
    assert Invitation.objects.get().status == "answered"
    assert connection.vendor == "postgresql"


@pytest.mark.django_db(transaction=True)
def test_two_senders_at_once_send_each_email_once(survey, chat):
    from django.core import mail
    from django.utils import timezone

    for n in range(6):
        resolve(chat, email=f"c{n}@example.com")
    OutboxMessage.objects.update(not_before=timezone.now())
    barrier = threading.Barrier(2)

    def send():
        try:
            barrier.wait()
            outbox_send()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f"c{n}@example.com" for n in range(6))
    assert set(Invitation.objects.values_list("status", flat=True)) == {"sent"}
