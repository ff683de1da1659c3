"""The outbox: one sender for every email, retries that outlast an outage, "send again"."""

import datetime as dt
import io
import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from kombu.exceptions import OperationalError

from core import outbox, tasks
from core.models import OutboxMessage, Profile

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(dt.datetime(2026, 12, 1, 10, 0))


@pytest.fixture
def kind(settings, tmp_path):
    """A kind of message of the test's own, with its templates in a temporary folder."""
    folder = tmp_path / "templates" / "test"
    folder.mkdir(parents=True)
    (folder / "note_subject.txt").write_text(
        '{% load i18n %}{% translate "Dashboard" %} {{ number }}'
    )
    (folder / "note.txt").write_text("{{ greeting }} {{ day|date:'DATE_FORMAT' }} {{ base_url }}")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path / "templates"]}
    ]
    sent_refs = []
    outbox.register(
        "test.note",
        label="Note",
        template="test/note",
        on_sent=lambda refs, at: sent_refs.extend(refs),
    )
    yield sent_refs
    outbox._KINDS.pop("test.note")


def _write(count=1, **extra):
    return outbox.enqueue(
        [
            outbox.message(
                kind="test.note",
                to=f"c{n}@example.com",
                ref=n,
                context={"greeting": "Hi", "number": n, "day": dt.date(2026, 12, 13)},
                now=NOW,
                **extra,
            )
            for n in range(count)
        ]
    )


def test_context_keeps_dates_and_instants():
    context = {"d": dt.date(2026, 12, 13), "t": NOW, "n": [1, {"x": "y"}]}
    assert outbox.decode(outbox.encode(context)) == context


def test_a_message_is_sent_once_in_its_language_and_its_app_is_told(kind):
    _write(language="ru")
    assert outbox.outbox_send(now=NOW) == {"sent": 1, "retrying": 0, "failed": 0, "cancelled": 0}
    [email] = mail.outbox
    assert email.subject == "Главная 0"
    assert email.body == "Hi 13 декабря 2026 г. http://127.0.0.1:8000"
    row = OutboxMessage.objects.get()
    assert (row.status, row.sent_at, row.subject) == ("sent", NOW, "Главная 0")
    assert kind == ["0"]
    assert outbox.outbox_send(now=NOW)["sent"] == 0
    assert len(mail.outbox) == 1


def test_a_person_gets_their_preferred_language(kind, staff_user):
    Profile.objects.create(user=staff_user, language="pl")
    message = outbox.message(kind="test.note", user=staff_user, context={"number": 1})
    assert (message.to, message.language) == ("agent@example.com", "pl")
    assert (
        outbox.message(kind="test.note", user=staff_user, language="en", context={}).language
        == "en"
    )


def test_an_unknown_kind_fails_in_the_writer_not_the_worker():
    with pytest.raises(KeyError):
        outbox.message(kind="no.such", to="x@example.com", context={})


def test_a_six_hour_mail_outage_gives_nothing_up(kind, monkeypatch):
    _write(3)
    down = mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        side_effect=ConnectionRefusedError("mail server down"),
    )
    moment = NOW
    with down:
        while moment <= NOW + dt.timedelta(hours=6):
            outbox.outbox_send(now=moment)
            moment += dt.timedelta(minutes=5)
    rows = OutboxMessage.objects.all()
    assert {r.status for r in rows} == {"pending"}
    attempts = rows[0].attempts
    assert 12 <= attempts <= 40  # backed off: not every five minutes, not once an hour
    assert all("mail server down" in r.last_error for r in rows)
    assert mail.outbox == []
    assert outbox.outbox_send(now=moment + dt.timedelta(minutes=30))["sent"] == 3
    assert len(mail.outbox) == 3


def test_given_up_messages_are_shown_and_sent_again(kind, settings):
    settings.OUTBOX_RETRY_HOURS = 1
    _write(2)
    with mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        side_effect=OSError("no route to host"),
    ):
        moment = NOW
        while OutboxMessage.objects.filter(status="pending").exists():
            outbox.outbox_send(now=moment)
            moment += dt.timedelta(minutes=10)
    assert moment <= NOW + dt.timedelta(hours=2)
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"failed"}
    assert outbox.attention_counts() == {"failed": 2, "retrying": 0}
    out = io.StringIO()
    call_command("resend_messages", "--now", stdout=out)
    assert "2 message(s) queued again." in out.getvalue()
    assert "Sent 2" in out.getvalue()
    assert len(mail.outbox) == 2


def _killed_when_marking(monkeypatch, *, mark: int) -> None:
    """Send, with the worker killed as it records the ``mark``-th group of deliveries as sent."""
    real = outbox._Marks.sent
    calls = []

    def dying(self, sent, now):
        calls.append([row.ref for row, _subject in sent])
        if len(calls) == mark:
            raise SystemExit("worker killed")
        real(self, sent, now)

    monkeypatch.setattr(outbox._Marks, "sent", dying)
    with pytest.raises(SystemExit):
        outbox.outbox_send(now=NOW)
    monkeypatch.undo()


def test_a_worker_that_dies_mid_batch_duplicates_at_most_the_message_in_flight(
    kind, monkeypatch, settings
):
    """Killed after the mail server took message 1 and before it was marked sent."""
    settings.OUTBOX_CONNECTIONS = 1
    _write(3)
    _killed_when_marking(monkeypatch, mark=2)
    assert [m.to[0] for m in mail.outbox] == ["c0@example.com", "c1@example.com"]
    assert outbox.outbox_send(now=NOW)["sent"] == 0  # still leased to the dead worker
    assert outbox.outbox_send(now=NOW + outbox.LEASE)["sent"] == 2
    sent_to = [m.to[0] for m in mail.outbox]
    assert sorted(sent_to) == [
        "c0@example.com",
        "c1@example.com",
        "c1@example.com",
        "c2@example.com",
    ]
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}


def test_one_failing_address_does_not_hold_up_the_others(kind, monkeypatch):
    _write(3)
    real = mail.backends.locmem.EmailBackend.send_messages

    def picky(self, messages):
        if messages[0].to == ["c1@example.com"]:
            raise ValueError("mailbox unavailable")
        return real(self, messages)

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", picky)
    assert outbox.outbox_send(now=NOW) == {"sent": 2, "retrying": 1, "failed": 0, "cancelled": 0}


def test_expired_and_unknown_messages_are_cancelled(kind):
    _write(1, expires_at=NOW - dt.timedelta(seconds=1))
    ghost = _write(1)[0]
    OutboxMessage.objects.filter(pk=ghost.pk).update(kind="removed.kind")
    assert outbox.outbox_send(now=NOW)["cancelled"] == 2
    assert mail.outbox == []


def test_writes_ask_for_one_sending_run_per_transaction(kind, django_capture_on_commit_callbacks):
    connection.run_on_commit.clear()  # the test's transaction never commits
    with django_capture_on_commit_callbacks() as callbacks:
        _write(2)
        _write(3)
    assert len(callbacks) == 1


def test_a_broker_outage_never_fails_the_write(kind, django_capture_on_commit_callbacks, caplog):
    connection.run_on_commit.clear()
    with (
        mock.patch.object(tasks.send_outbox, "apply_async", side_effect=OperationalError("down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        _write(1)
    assert "broker unavailable" in caplog.text
    assert OutboxMessage.objects.get().status == "pending"  # the beat's run sends it


def test_beat_sends_the_outbox_every_minute():
    from portal.celery import app

    entry = app.conf.beat_schedule["outbox-send"]
    assert (entry["task"], entry["schedule"]) == ("core.tasks.send_outbox", 60.0)


def test_sending_runs_a_bounded_number_of_queries(kind, django_assert_max_num_queries):
    _write(20)
    # A claim and a read per batch, then one update per message (its own "sent" and hook).
    with django_assert_max_num_queries(8 + 3 * 20):
        assert outbox.outbox_send(now=NOW)["sent"] == 20


# --- the managers' page ----------------------------------------------------------------------


@pytest.fixture
def failed(kind):
    rows = _write(3)
    OutboxMessage.objects.filter(pk=rows[0].pk).update(
        status="failed", attempts=30, last_error="SMTPRecipientsRefused: 550 no such user"
    )
    OutboxMessage.objects.filter(pk=rows[1].pk).update(attempts=2, last_error="timed out")
    return rows


def test_managers_see_what_needs_attention_with_the_reason(manager_client, failed):
    response = manager_client.get("/messages/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "550 no such user" in html and "timed out" in html
    assert "c2@example.com" not in html  # waiting for the first time: nothing to look at
    html = manager_client.get("/messages/?state=all&q=c2").content.decode()
    assert "c2@example.com" in html and "c0@example.com" not in html
    assert (
        manager_client.get(
            "/messages/?state=nonsense&kind=zzz&page=99999999999999999999"
        ).status_code
        == 200
    )


def test_send_again_one_or_many(manager_client, failed):
    response = manager_client.post("/messages/?state=all", {"ids": [str(failed[0].pk)]})
    assert response.status_code == 302
    row = OutboxMessage.objects.get(pk=failed[0].pk)
    assert (row.status, row.leased_until) == ("pending", None)
    assert row.retry_until > timezone.now() + dt.timedelta(hours=24)
    OutboxMessage.objects.filter(pk=failed[0].pk).update(status="failed")
    manager_client.post("/messages/", {"all_failed": "1"})
    assert not OutboxMessage.objects.filter(status="failed").exists()
    # A sent message is not sent twice by a click.
    OutboxMessage.objects.filter(pk=failed[2].pk).update(status="sent")
    manager_client.post("/messages/", {"ids": [str(failed[2].pk), "abc", "9" * 30]})
    assert OutboxMessage.objects.get(pk=failed[2].pk).status == "sent"


def test_the_dashboard_tells_managers_when_anything_failed(manager_client, failed):
    html = manager_client.get("/").content.decode()
    assert "1 email could not be delivered" in html


def test_staff_cannot_see_the_messages(staff_client):
    assert staff_client.get("/messages/").status_code == 403


def test_several_connections_duplicate_at_most_one_message_each(kind, monkeypatch, settings):
    """With four connections, a crash leaves at most four messages in flight, each sent at most
    twice; every message is delivered in the end."""
    settings.OUTBOX_CONNECTIONS = 4
    _write(12)
    _killed_when_marking(monkeypatch, mark=2)
    outbox.outbox_send(now=NOW + outbox.LEASE)
    sent_to = [m.to[0] for m in mail.outbox]
    assert set(sent_to) == {f"c{n}@example.com" for n in range(12)}
    duplicates = [to for to in set(sent_to) if sent_to.count(to) > 1]
    assert all(sent_to.count(to) == 2 for to in duplicates)
    assert len(duplicates) <= 4
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}


def test_a_mail_server_that_is_down_is_tried_once_per_batch(kind, settings):
    settings.OUTBOX_CONNECTIONS = 2
    _write(10)
    with mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        side_effect=ConnectionRefusedError("refused"),
    ) as send:
        counts = outbox.outbox_send(now=NOW)
    assert counts["retrying"] == 10
    assert send.call_count <= 2  # the rest of the batch waits, untried
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}


@pytest.fixture
def plain(settings, tmp_path):
    """A kind without ``on_sent`` (marked by the sender's own statement), greeting by account."""
    folder = tmp_path / "templates" / "test"
    folder.mkdir(parents=True)
    (folder / "plain_subject.txt").write_text(
        '{% load i18n %}{% translate "Dashboard" %} {{ number }}'
    )
    (folder / "plain.txt").write_text(
        "{{ message.recipient.username|default:'-' }} {{ day|date:'DATE_FORMAT' }}"
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path / "templates"]}
    ]
    outbox.register("test.plain", label="Plain", template="test/plain")
    yield
    outbox._KINDS.pop("test.plain")


def test_one_batch_in_three_languages_gives_each_email_its_own_language_and_context(plain):
    """The batch loads each template once: what it renders stays each row's own."""
    languages = ["en", "ru", "pl", "ru"]
    outbox.enqueue(
        outbox.message(
            kind="test.plain",
            to=f"p{n}@example.com",
            language=language,
            context={"number": n, "day": dt.date(2026, 12, 13 + n)},
            now=NOW,
        )
        for n, language in enumerate(languages)
    )
    assert outbox.outbox_send(now=NOW)["sent"] == 4
    got = {m.to[0]: (m.subject, m.body) for m in mail.outbox}
    assert got == {
        "p0@example.com": ("Dashboard 0", "- 13 Dec 2026"),
        "p1@example.com": ("Главная 1", "- 14 декабря 2026 г."),
        "p2@example.com": ("Pulpit 2", "- 15 grudnia 2026"),
        "p3@example.com": ("Главная 3", "- 16 декабря 2026 г."),
    }


def test_a_message_is_marked_sent_by_one_statement_that_clears_its_failure(plain):
    [row] = outbox.enqueue(
        outbox.message(
            kind="test.plain", to="p@example.com", context={"number": 7, "day": None}, now=NOW
        )
    )
    OutboxMessage.objects.filter(pk=row.pk).update(attempts=2, last_error="SMTPServerDisconnected")
    assert outbox.outbox_send(now=NOW)["sent"] == 1
    row.refresh_from_db()
    assert (row.status, row.sent_at, row.subject) == ("sent", NOW, "Dashboard 7")
    assert (row.leased_until, row.last_error, row.attempts) == (None, "", 2)


def test_sending_reads_the_recipients_with_their_rows(plain, django_assert_max_num_queries):
    """A template that greets its recipient by account costs no query per message."""
    from django.contrib.auth import get_user_model

    users = [
        get_user_model().objects.create_user(f"person{n}", f"person{n}@example.com")
        for n in range(8)
    ]
    outbox.enqueue(
        outbox.message(kind="test.plain", user=user, context={"number": n, "day": None}, now=NOW)
        for n, user in enumerate(users)
    )
    # The claim, reading the batch, one mark per message and the empty claim that ends it.
    with django_assert_max_num_queries(8 + 8):
        assert outbox.outbox_send(now=NOW)["sent"] == 8
    assert sorted(m.body.strip() for m in mail.outbox) == [f"person{n}" for n in range(8)]


def _groups_of(monkeypatch, size: int, refused: set[str] = frozenset()) -> None:
    """The courier reports deliveries ``size`` at a time (as several connections do when their
    messages end together); addresses in ``refused`` are turned away by the mail server."""

    def deliver(self, items):
        items = list(items)
        for start in range(0, len(items), size):
            ended = []
            for row, email in items[start : start + size]:
                error = smtplib.SMTPRecipientsRefused({row.to: (550, b"no")})
                if row.to in refused:
                    ended.append((row, email, error))
                else:
                    self._deliver(email)
                    ended.append((row, email, None))
            yield ended

    monkeypatch.setattr(outbox._Courier, "deliver", deliver)


def test_deliveries_that_end_together_are_marked_by_one_statement_each_with_its_own_outcome(
    kind, monkeypatch
):
    """A group of three with a refusal in the middle: two marked sent (each its own subject, one
    hook call for both), the refused one retried later, and one UPDATE for the two."""
    _groups_of(monkeypatch, 3, refused={"c1@example.com"})
    rows = _write(3)
    OutboxMessage.objects.filter(pk=rows[0].pk).update(attempts=1, last_error="earlier")
    with CaptureQueriesContext(connection) as ctx:
        counts = outbox.outbox_send(now=NOW)
    assert counts == {"sent": 2, "retrying": 1, "failed": 0, "cancelled": 0}
    updates = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("UPDATE")]
    # The lease, one UPDATE for both sent rows, the refusal's own.
    assert len(updates) == 3
    assert sum("VALUES" in sql for sql in updates) == 1
    got = {
        r.to: (r.status, r.subject, r.sent_at, r.attempts, r.last_error, r.leased_until)
        for r in OutboxMessage.objects.all()
    }
    assert got["c0@example.com"] == ("sent", "Dashboard 0", NOW, 1, "", None)
    assert got["c2@example.com"] == ("sent", "Dashboard 2", NOW, 0, "", None)
    status, subject, sent_at, attempts, error, leased = got["c1@example.com"]
    assert (status, subject, sent_at, attempts, leased) == ("pending", "", None, 1, None)
    assert error.startswith("SMTPRecipientsRefused")
    assert kind == ["0", "2"]  # on_sent heard of the two sent, in one call
    assert sorted(m.to[0] for m in mail.outbox) == ["c0@example.com", "c2@example.com"]


def test_a_crash_before_a_group_is_marked_sends_only_that_group_again(kind, monkeypatch):
    """Killed as it marks the second group of four: the first group stays sent, the second
    goes once more, the rest once; nothing is lost."""
    _groups_of(monkeypatch, 4)
    _write(10)
    _killed_when_marking(monkeypatch, mark=2)
    assert len(mail.outbox) == 8
    assert OutboxMessage.objects.filter(status="sent").count() == 4
    assert kind == ["0", "1", "2", "3"]
    _groups_of(monkeypatch, 4)
    assert outbox.outbox_send(now=NOW + outbox.LEASE)["sent"] == 6
    sent_to = [m.to[0] for m in mail.outbox]
    assert set(sent_to) == {f"c{n}@example.com" for n in range(10)}
    assert sorted(to for to in set(sent_to) if sent_to.count(to) > 1) == [
        f"c{n}@example.com" for n in range(4, 8)
    ]
    assert max(sent_to.count(to) for to in sent_to) == 2
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}
    assert sorted(kind, key=int) == [str(n) for n in range(10)]
