"""Outbox figures: emails per second to a real SMTP server, and one digest for a flood.

``python -m bench.outbox`` (``make bench`` runs it) on the configured database, against an
aiosmtpd server started in a separate process on a free port (its Sink handler accepts and
drops every message, as a local relay would). Builds its own rows and removes them.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from datetime import timedelta

from bench import common


@contextlib.contextmanager
def smtp_sink():
    """A real SMTP server (aiosmtpd) in its own process; yields its port."""
    port = common.free_port()
    process = subprocess.Popen(  # noqa: S603 -- our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{port}",
            "-c",
            "aiosmtpd.handlers.Sink",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            time.sleep(0.1)
        else:
            raise RuntimeError("the SMTP sink did not start")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


_SENDER = (
    "import json, os, time, django; django.setup();"
    "from core.outbox import outbox_send;"
    "start = time.time(); counts = outbox_send();"
    "print(json.dumps({'start': start, 'end': time.time(), 'sent': counts['sent']}))"
)


def _send_in_processes(processes: int, port: int) -> tuple[float, int]:
    """Send what is due from ``processes`` worker-like processes at once (SKIP LOCKED shares the
    rows out, as between the processes of a Celery worker); returns (seconds, emails)."""
    env = {
        **os.environ,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "EMAIL_USE_TLS": "0",
    }
    children = [
        subprocess.Popen(  # noqa: S603 -- our own interpreter and code
            [sys.executable, "-c", _SENDER], env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(processes)
    ]
    results = [
        json.loads(child.communicate(timeout=600)[0].strip().splitlines()[-1]) for child in children
    ]
    seconds = max(r["end"] for r in results) - min(r["start"] for r in results)
    return seconds, sum(r["sent"] for r in results)


def bench_send(count: int, rounds: int, processes: int = 1) -> dict:
    from django.test.utils import override_settings
    from django.utils import timezone

    from core import outbox
    from core.models import OutboxMessage

    rates = []
    with (
        smtp_sink() as port,
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_USE_TLS=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
        ),
    ):
        for _ in range(rounds):
            now = timezone.now()
            rows = [
                outbox.message(
                    kind="standards.review_reminder",
                    to=f"owner{n}@example.com",
                    language=("en", "ru", "pl")[n % 3],
                    context={
                        "name": f"Owner {n}",
                        "title": "Greeting the customer",
                        "kind": "advance",
                        "review_date": (now + timedelta(days=14)).date(),
                        "days_left": 14,
                        "url": "http://127.0.0.1:8000/standards/1/",
                    },
                    now=now,
                )
                for n in range(count)
            ]
            OutboxMessage.objects.bulk_create(rows, batch_size=1000)
            if processes == 1:
                started = time.perf_counter()
                sent = outbox.outbox_send()["sent"]
                elapsed = time.perf_counter() - started
            else:
                elapsed, sent = _send_in_processes(processes, port)
            assert sent == count, sent
            rates.append(count / elapsed)
            OutboxMessage.objects.filter(kind="standards.review_reminder").delete()
    return {
        "emails": count,
        "rounds": rounds,
        "processes": processes,
        "rates": rates,
        "median": statistics.median(rates),
    }


def bench_flood(contacts: int) -> dict:
    """A sweep that breaches ``contacts`` contacts of one owner gives that owner one digest."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from channels_app.models import Channel
    from core import outbox
    from core.models import OutboxMessage
    from sla import services
    from sla.models import Contact, SlaNotification, SlaPolicy

    User = get_user_model()
    owner = User.objects.create_user("bench-owner", "bench-owner@example.com")
    channel = Channel.objects.create(code="bench-flood", name="Bench flood", owner=owner)
    SlaPolicy.objects.create(
        channel=channel, priority="normal", first_response_minutes=5, resolution_minutes=60
    )
    now = timezone.now()
    opened = now - timedelta(hours=2)
    try:
        started = time.perf_counter()
        Contact.objects.bulk_create(
            [
                Contact(
                    channel=channel,
                    external_id=f"FLOOD-{n}",
                    opened_at=opened,
                    created_at=opened,
                    first_response_due_at=opened + timedelta(minutes=5),
                    resolution_due_at=opened + timedelta(minutes=60),
                )
                for n in range(contacts)
            ],
            batch_size=5000,
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE sla_contact")
        load = time.perf_counter() - started
        started = time.perf_counter()
        swept = services.sla_sweep(now=now)
        sweep = time.perf_counter() - started
        later = now + timedelta(seconds=300)
        started = time.perf_counter()
        digest = services.notifications_digest(now=later)
        digest_time = time.perf_counter() - started
        messages = OutboxMessage.objects.filter(to=owner.email)
        started = time.perf_counter()
        rendered = outbox.render(
            messages.get(), services.notifications._contexts(list(messages))[messages.get().pk]
        )
        render_time = time.perf_counter() - started
        return {
            "contacts": contacts,
            "breaches": swept["breaches"],
            "notification_rows": SlaNotification.objects.filter(recipient=owner).count(),
            "digests_for_owner": messages.count(),
            "subject": rendered.subject,
            "seconds": {
                "load": load,
                "sweep": sweep,
                "digest": digest_time,
                "render": render_time,
            },
            "digest_counts": digest,
        }
    finally:
        OutboxMessage.objects.filter(to=owner.email).delete()
        Contact.objects.filter(channel=channel).delete()
        SlaPolicy.objects.filter(channel=channel).delete()
        channel.delete()
        owner.delete()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--emails", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--flood", type=int, default=100_000)
    parser.add_argument(
        "--processes", type=int, default=2, help="sender processes, as the Procfile's worker has"
    )
    args = parser.parse_args(argv)
    single = bench_send(args.emails, args.rounds)
    send = bench_send(args.emails, args.rounds, processes=args.processes)
    flood = bench_flood(args.flood)
    verdicts = [
        ("outbox emails/s, one process (median)", f"{single['median']:.0f}", "", ""),
        (
            f"outbox emails/s, {args.processes} worker processes (median)",
            f"{send['median']:.0f}",
            ">= 1000",
            "ok" if send["median"] >= 1000 else "MISSED",
        ),
        (
            f"digests for one owner after {flood['breaches']} breaches",
            str(flood["digests_for_owner"]),
            "1",
            "ok" if flood["digests_for_owner"] == 1 else "MISSED",
        ),
        ("  sweep s", f"{flood['seconds']['sweep']:.2f}", "", ""),
        ("  digest s", f"{flood['seconds']['digest']:.2f}", "", ""),
        ("  drawing the digest s", f"{flood['seconds']['render']:.2f}", "", ""),
    ]
    results = {"send_one_process": single, "send": send, "flood": flood}
    common.report("outbox", results, verdicts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
