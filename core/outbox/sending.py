"""Sending (``outbox_send``), the one place that talks to the mail server. One job, a little
over 400 lines: claiming, drawing, the courier's parallel connections and the marks share one
batch's state and its failure rules, and read best together.

* A short transaction claims due rows with ``SELECT ... FOR UPDATE SKIP LOCKED`` where the
  database has it (SQLite serialises writers anyway) and leases them (``leased_until``), so
  several workers share the work without sending a row twice, and a dead worker's rows come back
  when the lease runs out.
* No transaction is open while the mail server is talked to (on SQLite an open transaction would
  block every writer for the length of an SMTP call).
* Rows are marked sent as their emails go out: every delivery that has ended when the sender
  looks is marked by one statement, so a crash in between repeats at most the messages of one
  look (no more than ``OUTBOX_CONNECTIONS``, the deliveries in flight), once each.
* A failure is retried with capped exponential backoff until ``retry_until`` (a day or more by
  default, ``OUTBOX_RETRY_HOURS``), then the row is ``failed`` and managers see it; "send again"
  puts it back.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import queue
import smtplib
import threading
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.template.loader import get_template
from django.utils import translation

from core.clock import now_or
from core.models import OutboxMessage
from core.outbox.kinds import _KINDS, decode, kind

logger = logging.getLogger("core.outbox")

Status = OutboxMessage.Status

BATCH_SIZE = 500
#: Longer than a batch takes to send (seconds), short enough that the rows of a worker that
#: died or was cancelled mid-batch (Celery cancels running tasks when the broker connection
#: drops) go out again soon.
LEASE = timedelta(minutes=2)
FIRST_RETRY = timedelta(minutes=1)
MAX_RETRY_DELAY = timedelta(minutes=30)


def _retry_delay(attempts: int) -> timedelta:
    """1, 2, 4 ... minutes, at most half an hour: an outage is waited out, not hammered."""
    return min(FIRST_RETRY * 2 ** min(max(attempts - 1, 0), 16), MAX_RETRY_DELAY)


def _claim(now: datetime, limit: int) -> list[int]:
    with transaction.atomic():
        due = OutboxMessage.objects.due(now).order_by("not_before", "id")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:limit])
        if ids:
            OutboxMessage.objects.filter(pk__in=ids).update(leased_until=now + LEASE)
    return ids


def render(
    row: OutboxMessage, context: dict | None = None, *, templates: dict | None = None
) -> EmailMultiAlternatives:
    """The email of one row, in its language (``context`` overrides the stored one).

    ``templates``, a dict the caller keeps for a batch, holds the loaded templates so that each
    is looked up once per batch rather than once per message.
    """
    with translation.override(row.language):
        return _draw(row, context, {} if templates is None else templates)


def _draw(row: OutboxMessage, context: dict | None, templates: dict) -> EmailMultiAlternatives:
    """``render`` in the language already active (the sender activates each language once)."""
    spec = kind(row.kind)
    context = dict(context) if context is not None else decode(row.context)
    context.update(message=row, base_url=settings.PORTAL_BASE_URL)

    def draw(name: str) -> str:
        if name not in templates:
            templates[name] = get_template(name)
        return templates[name].render(context)

    subject = " ".join(draw(f"{spec.template}_subject.txt").split())
    text = draw(f"{spec.template}.txt")
    html = draw(f"{spec.template}.html") if spec.html else None
    email = EmailMultiAlternatives(subject[:255], text, settings.DEFAULT_FROM_EMAIL, [row.to])
    if html is not None:
        email.attach_alternative(html, "text/html")
    return email


class _Marks:
    """Records the deliveries that have ended, several at a time: one UPDATE per group.

    The sender marks every delivery the result queue holds when it looks (at most
    ``OUTBOX_CONNECTIONS``, as many as are in flight), so a crash between the mail server taking
    messages and their mark repeats at most that many, the same bound as the deliveries in flight.
    The statement is written once per group size and run on one cursor: the ORM would compile it
    again for every call, which costs the sender more than the database spends on it. Each row
    takes its own subject from a ``VALUES`` list joined by id (PostgreSQL, SQLite 3.33+). Rows of
    kinds with ``on_sent`` are marked in one transaction with their hooks, one call per kind.
    """

    def __init__(self, cursor):
        meta, quote = OutboxMessage._meta, connection.ops.quote_name

        def column(name: str) -> str:
            return quote(meta.get_field(name).column)

        self.cursor = cursor
        self.table, self.id = quote(meta.db_table), column("id")
        # Names from the model, quoted; values are parameters.
        self.set = (
            f"{column('status')} = %s, {column('sent_at')} = %s, {column('leased_until')} = NULL,"
            f" {column('last_error')} = ''"
        )
        self.subject = column("subject")
        self.joined = connection.vendor in ("postgresql", "sqlite")
        self.statements: dict[int, str] = {}

    def _statement(self, size: int) -> str:
        sql = self.statements.get(size)
        if sql is None:
            if self.joined:
                values = ", ".join(["(%s, %s)"] * size)
                sql = (
                    f"UPDATE {self.table} SET {self.set}, {self.subject} = v.column2"  # noqa: S608
                    f" FROM (VALUES {values}) AS v WHERE {self.table}.{self.id} = v.column1"
                )
            else:
                sql = (
                    f"UPDATE {self.table} SET {self.set}, {self.subject} = %s WHERE {self.id} = %s"  # noqa: S608
                )
            self.statements[size] = sql
        return sql

    def _update(self, sent: list[tuple[OutboxMessage, str]], now: datetime) -> None:
        when = connection.ops.adapt_datetimefield_value(now)
        if not self.joined:
            params = [[Status.SENT.value, when, subject, row.pk] for row, subject in sent]
            self.cursor.executemany(self._statement(1), params)
            return
        params = [Status.SENT.value, when]
        for row, subject in sent:
            params += (row.pk, subject)
        self.cursor.execute(self._statement(len(sent)), params)

    def sent(self, sent: list[tuple[OutboxMessage, str]], now: datetime) -> None:
        """Mark ``(row, subject)`` pairs sent at ``now`` and tell their kinds."""
        if not sent:
            return
        hooked: dict[str, list[str]] = {}
        for row, _subject in sent:
            if row.ref and _KINDS[row.kind].on_sent:
                hooked.setdefault(row.kind, []).append(row.ref)
        if not hooked:
            self._update(sent, now)
            return
        with transaction.atomic():
            self._update(sent, now)
            for name, refs in hooked.items():
                _KINDS[name].on_sent(refs, now)


def _cancel(rows: list[OutboxMessage], reason: str) -> None:
    OutboxMessage.objects.filter(pk__in=[r.pk for r in rows]).update(
        status=Status.CANCELLED, leased_until=None, last_error=reason
    )


def _failed(row: OutboxMessage, error: str, now: datetime, counts: dict) -> None:
    attempts = row.attempts + 1
    give_up = now + _retry_delay(attempts) > row.retry_until
    with transaction.atomic():
        OutboxMessage.objects.filter(pk=row.pk).update(
            attempts=attempts,
            last_error=error[:2000],
            leased_until=None,
            status=Status.FAILED if give_up else Status.PENDING,
            not_before=now + _retry_delay(attempts),
        )
        hook = kind(row.kind).on_failed
        if give_up and hook and row.ref:
            hook([row.ref])
    counts["failed" if give_up else "retrying"] += 1


#: Errors that say the mail server itself is away, not that one message was refused.
_SERVER_DOWN = (
    ConnectionError,
    TimeoutError,
    smtplib.SMTPConnectError,
    smtplib.SMTPServerDisconnected,
)


class _Courier:
    """Hands emails to the mail server over up to ``OUTBOX_CONNECTIONS`` connections at once.

    A relay across a network answers each command after a round trip, so one connection at a
    time spends its life waiting. Each thread keeps its own connection; the database is only
    touched by the caller's thread, which marks every message as soon as its delivery ends.
    """

    def __init__(self, connections: int):
        self.local = threading.local()
        self.opened: list = []
        self.size = connections
        self.todo: queue.SimpleQueue = queue.SimpleQueue()
        self.threads: list[threading.Thread] = []

    def _serve(self, done: queue.SimpleQueue) -> None:
        """A connection's thread: deliver what comes until told to stop (None)."""
        while (item := self.todo.get()) is not None:
            row, email = item
            try:
                self._deliver(email)
            except BaseException as exc:  # always report, or the caller waits for ever
                done.put((row, email, exc))
            else:
                done.put((row, email, None))

    def _deliver(self, email) -> None:
        mail = getattr(self.local, "mail", None)
        if mail is None:
            mail = get_connection()
            mail.open()
            self.local.mail = mail
            self.opened.append(mail)
        try:
            email.connection = mail
            email.send()
        except Exception:
            self.local.mail = None  # the connection may be broken: a fresh one next time
            with contextlib.suppress(Exception):
                mail.close()
            raise

    def deliver(self, items):
        """Yield lists of ``(row, email, error)`` for ``(row, email)`` items as they end.

        Each list holds every delivery that has ended since the last one was yielded (one at a
        time on a single connection), never more than the connections in flight.
        """
        if self.size == 1:
            for row, email in items:
                try:
                    self._deliver(email)
                except Exception as exc:
                    yield [(row, email, exc)]
                else:
                    yield [(row, email, None)]
            return
        # Threads of our own on two plain queues: a pool's futures cost the sender more per
        # message than the SMTP conversation does on a local server.
        items = iter(items)
        done: queue.SimpleQueue = queue.SimpleQueue()
        send = self.todo.put
        running = 0
        for item in itertools.islice(items, self.size):
            send(item)
            running += 1
        for n in range(running):
            thread = threading.Thread(
                target=self._serve, args=(done,), name=f"outbox-smtp-{n}", daemon=True
            )
            thread.start()
            self.threads.append(thread)
        while running:
            ended = [done.get()]
            with contextlib.suppress(queue.Empty):
                while True:
                    ended.append(done.get_nowait())
            running -= len(ended)
            yield ended
            for item in itertools.islice(items, len(ended)):
                send(item)
                running += 1

    def close(self) -> None:
        for _thread in self.threads:
            self.todo.put(None)
        for thread in self.threads:
            thread.join()
        for mail in self.opened:
            with contextlib.suppress(Exception):  # closing a dead connection
                mail.close()


def _deliver_batch(rows, fresh, now, fixed_now, counts) -> None:
    """Render each row, deliver them, and record the outcomes as soon as they are known."""
    drawn: dict[int, EmailMultiAlternatives] = {}
    templates: dict = {}
    # One language at a time: switching the translation for every message cost the sender
    # more than some of its templates do. The batch still goes out in its own order.
    for language, group in itertools.groupby(
        sorted(rows, key=lambda row: row.language), key=lambda row: row.language
    ):
        with translation.override(language):
            for row in group:
                try:
                    drawn[row.pk] = _draw(row, fresh.get(row.pk), templates)
                except Exception as exc:
                    logger.exception("Message %s could not be drawn", row.pk)
                    _failed(row, f"{type(exc).__name__}: {exc}", now, counts)
    ready = [(row, drawn[row.pk]) for row in rows if row.pk in drawn]
    courier = _Courier(max(1, settings.OUTBOX_CONNECTIONS))
    server_down = None
    recorded: set[int] = set()
    delivered = 0
    try:
        with connection.cursor() as cursor:
            marks = _Marks(cursor)
            for ended in courier.deliver(ready):
                sent = [(row, email.subject) for row, email, error in ended if error is None]
                marks.sent(sent, now_or(fixed_now))
                counts["sent"] += len(sent)
                delivered += len(sent)
                for row, _email, error in ended:
                    recorded.add(row.pk)
                    if error is None:
                        continue
                    logger.warning("Message %s to %s failed: %s", row.pk, row.to, error)
                    _failed(row, f"{type(error).__name__}: {error}", now, counts)
                    if not delivered and isinstance(error, _SERVER_DOWN):
                        server_down = error
                if server_down is not None:
                    break
    finally:
        courier.close()
    if server_down is not None:
        # The server is away: the rest of the batch waits for its next turn, untried.
        for row, _email in ready:
            if row.pk not in recorded:
                _failed(row, f"{type(server_down).__name__}: {server_down}", now, counts)


def _fresh_contexts(rows: list[OutboxMessage]) -> dict[int, dict | None]:
    """Contexts drawn at sending time by the kinds that ask for it, one call per kind."""
    fresh: dict[int, dict | None] = {}
    by_kind: dict[str, list[OutboxMessage]] = {}
    for row in rows:
        if kind(row.kind).contexts is not None:
            by_kind.setdefault(row.kind, []).append(row)
    for name, group in by_kind.items():
        fresh.update(kind(name).contexts(group))
    return fresh


@contextlib.contextmanager
def _relaxed_commits():
    """PostgreSQL may acknowledge the "sent" marks before they reach the disk.

    Waiting for the disk on every message costs more than the mail server does; a crash of the
    database server that loses the last marks makes those messages go once more, which is the
    duplicate the outbox allows anyway (the mark is written right after each send).
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        with contextlib.suppress(Exception), connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def outbox_send(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> dict[str, int]:
    """Send every due row; returns counts. Safe to run twice, or at once on several workers."""
    with _relaxed_commits():
        return _send_batches(now, batch_size)


def _send_batches(now: datetime | None, batch_size: int) -> dict[str, int]:
    fixed_now = now
    counts = {"sent": 0, "retrying": 0, "failed": 0, "cancelled": 0}
    while True:
        now = now_or(fixed_now)
        ids = _claim(now, batch_size)
        if not ids:
            break
        rows = list(
            # Templates greet people by name: their accounts come with the rows, not one by one.
            OutboxMessage.objects.filter(pk__in=ids)
            .select_related("recipient")
            .order_by("not_before", "id")
        )
        expired = [r for r in rows if r.expires_at is not None and r.expires_at <= now]
        unknown = [r for r in rows if r.kind not in _KINDS]
        if expired:
            _cancel(expired, "expired before it could be sent")
        if unknown:
            _cancel(unknown, "no such kind of message")
        counts["cancelled"] += len(expired) + len(unknown)
        skip = {r.pk for r in expired + unknown}
        rows = [r for r in rows if r.pk not in skip]
        fresh = _fresh_contexts(rows)
        empty = [r for r in rows if r.pk in fresh and fresh[r.pk] is None]
        if empty:
            _cancel(empty, "nothing left to say")
            counts["cancelled"] += len(empty)
            rows = [r for r in rows if not (r.pk in fresh and fresh[r.pk] is None)]
        _deliver_batch(rows, fresh, now, fixed_now, counts)
        if len(ids) < batch_size:
            break
    if counts["failed"]:
        logger.error(
            "%d message(s) given up after retrying; see the messages page.", counts["failed"]
        )
    return counts
