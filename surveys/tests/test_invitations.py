"""The outbox: invitations written with the resolution, suppression, sending, retries, expiry."""

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from channels_app.tests.factories import ChannelFactory
from core.models import OutboxMessage
from core.outbox import messages_resend, outbox_send
from sla.tests.factories import make_contact
from surveys import services
from surveys.models import Invitation
from surveys.tests.conftest import resolve

pytestmark = pytest.mark.django_db


def test_resolving_a_contact_writes_a_pending_invitation(survey, chat, staff_user):
    contact = resolve(chat, email="Jan@Example.com", language="pl", agent=staff_user)
    inv = Invitation.objects.get()
    assert inv.contact == contact
    assert inv.survey == survey
    assert inv.status == Invitation.Status.PENDING
    assert inv.email == "jan@example.com"
    assert inv.language == "pl"
    assert inv.agent == staff_user
    assert inv.channel == chat
    assert inv.scheduled_for == contact.resolved_at + dt.timedelta(minutes=60)
    assert inv.expires_at - inv.created_at > dt.timedelta(days=27, hours=23)
    assert len(inv.nonce) == 64


def test_no_invitation_on_a_channel_without_survey(survey):
    other = ChannelFactory(code="other")
    resolve(other)
    assert not Invitation.objects.exists()


def test_invitation_rolls_back_with_the_contact(survey, chat):
    with pytest.raises(RuntimeError), transaction.atomic():
        resolve(chat)
        assert Invitation.objects.count() == 1
        raise RuntimeError
    assert not Invitation.objects.exists()


def test_suppressed_without_email(survey, chat):
    resolve(chat, email="")
    inv = Invitation.objects.get()
    assert (inv.status, inv.suppression_reason) == ("suppressed", "no_email")


def test_suppressed_when_the_survey_is_inactive(survey, chat):
    survey.is_active = False
    survey.save()
    resolve(chat)
    inv = Invitation.objects.get()
    assert (inv.status, inv.suppression_reason) == ("suppressed", "survey_inactive")


def test_throttled_across_channels(survey, chat, phone):
    resolve(chat, email="ann@example.com")
    resolve(phone, email="ANN@example.com")
    resolve(phone, email="bob@example.com")
    rows = {
        (i.channel.code, i.email): (i.status, i.suppression_reason)
        for i in Invitation.objects.select_related("channel")
    }
    assert rows == {
        ("chat", "ann@example.com"): ("pending", ""),
        ("phone", "ann@example.com"): ("suppressed", "throttled"),
        ("phone", "bob@example.com"): ("pending", ""),
    }


def test_throttle_window_ends(survey, chat, phone):
    resolve(chat, email="ann@example.com")
    Invitation.objects.update(created_at=timezone.now() - dt.timedelta(days=31))
    resolve(phone, email="ann@example.com")
    assert sorted(Invitation.objects.values_list("status", flat=True)) == ["pending", "pending"]


def test_imported_contacts_only_within_the_link_lifetime(survey, chat):
    now = timezone.now()
    make_contact(
        channel=chat,
        opened_at=now - dt.timedelta(days=40),
        resolved_at=now - dt.timedelta(days=30),
        customer_email="old@example.com",
        now=now,
    )
    make_contact(
        channel=chat,
        opened_at=now - dt.timedelta(days=3),
        resolved_at=now - dt.timedelta(days=2),
        customer_email="new@example.com",
        now=now,
    )
    inv = Invitation.objects.get()
    assert inv.email == "new@example.com"
    assert inv.expires_at.date() == (now + dt.timedelta(days=26)).date()


def _make_due():
    OutboxMessage.objects.update(not_before=timezone.now() - dt.timedelta(minutes=1))


def test_sending_due_invitations_in_the_customers_language(survey, chat):
    survey.texts = {"pl": {"intro": "Jak nam poszło?"}}
    survey.save()
    resolve(chat, email="jan@example.com", language="pl")
    resolve(chat, email="ann@example.com", language="en")
    assert outbox_send()["sent"] == 0  # not due yet: send delay
    _make_due()
    assert outbox_send()["sent"] == 2
    by_to = {m.to[0]: m for m in mail.outbox}
    pl = by_to["jan@example.com"]
    inv_pl = Invitation.objects.get(email="jan@example.com")
    assert "Jak nam poszło?" in pl.body
    assert inv_pl.url in pl.body
    assert inv_pl.url.startswith("http://127.0.0.1:8000/s/")
    assert 'lang="pl"' in pl.alternatives[0][0]
    # The month after a day number is in the genitive.
    expires = timezone.localtime(inv_pl.expires_at)
    months = {12: "grudnia", 1: "stycznia", 11: "listopada"}
    if expires.month in months:
        assert f"{expires.day} {months[expires.month]} {expires.year}" in pl.body
    assert "How did we do?" in by_to["ann@example.com"].body
    assert set(Invitation.objects.values_list("status", flat=True)) == {"sent"}
    assert all(i.sent_at for i in Invitation.objects.all())
    # Running again sends nothing twice.
    assert outbox_send()["sent"] == 0
    assert len(mail.outbox) == 2


def test_a_failing_mail_server_is_retried_for_a_day_and_more_then_shown_as_failed(
    survey, chat, monkeypatch
):
    resolve(chat)
    _make_due()

    def broken(self, *args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", broken)
    start = timezone.now()
    assert outbox_send(now=start)["retrying"] == 1
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts) == ("pending", 1)
    assert "SMTP down" in message.last_error
    assert message.not_before > start  # backoff
    assert Invitation.objects.get().status == "pending"
    moment = start
    while moment < start + dt.timedelta(hours=24):  # a day-long outage: never given up
        moment += dt.timedelta(minutes=30)
        outbox_send(now=moment)
        assert OutboxMessage.objects.get().status == "pending"
    while OutboxMessage.objects.get().status == "pending":
        moment += dt.timedelta(minutes=30)
        outbox_send(now=moment)
    assert moment >= message.retry_until - dt.timedelta(minutes=30)
    assert Invitation.objects.get().status == "failed"
    monkeypatch.undo()
    # A manager sends it again: the invitation counts as sent.
    assert messages_resend(ids=[message.pk], now=moment) == 1
    assert outbox_send(now=moment)["sent"] == 1
    assert Invitation.objects.get().status == "sent"


def test_recovers_after_a_failure(survey, chat, monkeypatch):
    resolve(chat)
    _make_due()
    monkeypatch.setattr(
        "django.core.mail.EmailMultiAlternatives.send",
        lambda self, *a, **k: (_ for _ in ()).throw(OSError("down")),
    )
    outbox_send()
    monkeypatch.undo()
    _make_due()
    assert outbox_send()["sent"] == 1
    assert len(mail.outbox) == 1
    assert Invitation.objects.get().status == "sent"


def test_an_expired_link_is_never_sent(survey, chat):
    resolve(chat)
    _make_due()
    Invitation.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    OutboxMessage.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert outbox_send()["cancelled"] == 1
    assert mail.outbox == []


def test_expiry_is_marked(survey, chat):
    resolve(chat)
    resolve(chat, email="two@example.com")
    Invitation.objects.filter(email="two@example.com").update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert services.invitations_expire() == 1
    assert Invitation.objects.get(email="two@example.com").status == "expired"


def test_the_celery_task_sends(survey, chat):
    from core.tasks import send_outbox

    resolve(chat)
    _make_due()
    send_outbox.delay()
    assert len(mail.outbox) == 1


def test_sending_query_count_is_bounded(survey, chat, django_assert_max_num_queries):
    for n in range(8):
        resolve(chat, email=f"c{n}@example.com")
    _make_due()
    # A claim, a read, then per message its "sent" and its invitation's in one transaction
    # (a savepoint inside the test's); PostgreSQL adds the relaxed-commit SET and RESET.
    with django_assert_max_num_queries(10 + 4 * 8):
        assert outbox_send()["sent"] == 8
