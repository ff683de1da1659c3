"""Outbox figures: emails per second to a real SMTP server, and one digest for a flood.

``python -m bench.outbox`` (``make bench`` runs it) on the configured database. The SMTP server
is measuring equipment, not the product: it must accept and count every message without taking
the CPU the senders need, so the bench uses Postfix's ``smtp-sink`` (a C SMTP server made for
exactly this; ``make bench`` installs the ``postfix`` package for it, unconfigured, no daemon)
and falls back to aiosmtpd's Sink (pure Python, several times the CPU per message) where it is
missing. Each round sends the same rows through the outbox from 1, 2 and 3 processes, and the
same rendered emails through Django's SMTP backend alone (the ceiling: no claiming, leasing,
rendering or marking), side by side; the figures are medians of the rounds. Builds its own rows
and removes them.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bench import common

TARGET = 1000  # emails per second (issue 10)
KIND = "standards.review_reminder"


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far, from /proc (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Sink:
    """A real SMTP server in its own process that accepts, drops and counts every message."""

    def __init__(self):
        self.port = common.free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="smtp-sink-", suffix=".log")  # noqa: SIM115
        program = shutil.which("smtp-sink") or shutil.which("smtp-sink", path="/usr/sbin")
        if program:
            # -c: running counters on stdout ("mesg=N" after every message); the last argument
            # is the listen backlog. As root it must drop to an unprivileged user.
            user = ["-u", "postfix"] if os.geteuid() == 0 else []
            command = [program, *user, "-c", f"127.0.0.1:{self.port}", "256"]
            self.name = "postfix smtp-sink"
        else:
            command = [sys.executable, "-m", "bench.smtp_counter", str(self.port)]
            self.name = "aiosmtpd (smtp-sink missing: install postfix)"
        self.process = subprocess.Popen(  # noqa: S603 -- a fixed program and our arguments
            command, stdout=self.log, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port)):
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        self.close()
        raise RuntimeError(f"the SMTP sink ({self.name}) did not start")

    def received(self) -> int:
        """Messages accepted so far (each sink writes a running count after every message)."""
        self.log.flush()
        with open(self.log.name, "rb") as f:
            f.seek(max(0, os.path.getsize(self.log.name) - 200))
            counts = re.findall(rb"mesg=(\d+)", f.read())
        return int(counts[-1]) if counts else 0

    def cpu(self) -> float:
        return _cpu_seconds(self.process.pid)

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self.log.close()


def _email_env(port: int) -> dict:
    return {
        **os.environ,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "EMAIL_USE_TLS": "0",
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
        # A worker as deployed: without DEBUG's query log and template debugging.
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-only-not-a-secret",
    }


def _run_senders(mode: str, processes: int, port: int) -> dict:
    """Start ``processes`` senders at once (SKIP LOCKED shares the rows out, as between the
    processes of a Celery worker, and ``raw`` children take every n-th row); returns the
    seconds from the first start to the last end, the emails sent and the senders' CPU."""
    children = [
        subprocess.Popen(  # noqa: S603 -- our own interpreter and module
            [sys.executable, "-m", "bench.outbox_sender", mode, str(n), str(processes)],
            env=_email_env(port),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for n in range(processes)
    ]
    for child in children:  # each has started Django (and rendered, for raw): start at once
        if child.stdout.readline().strip() != "ready":
            raise RuntimeError(f"a {mode} sender did not start")
    for child in children:
        child.stdin.write("go\n")
        child.stdin.flush()
    results = []
    for child in children:
        out, _ = child.communicate(timeout=900)
        if child.returncode:
            raise RuntimeError(f"a {mode} sender failed (exit {child.returncode})")
        results.append(json.loads(out.strip().splitlines()[-1]))
    return {
        "seconds": max(r["end"] for r in results) - min(r["start"] for r in results),
        "sent": sum(r["sent"] for r in results),
        "cpu": sum(r["cpu"] for r in results),
        "render_cpu": sum(r.get("render_cpu", 0.0) for r in results),
        "db_cpu": sum(r.get("db_cpu", 0.0) for r in results),
    }


def _rows(count: int):
    from django.utils import timezone

    from core import outbox

    now = timezone.now()
    return [
        outbox.message(
            kind=KIND,
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


def bench_send(count: int, rounds: int, process_counts=(1, 2, 3)) -> dict:
    """Outbox and raw backend, each from 1, 2, 3 processes, interleaved within every round."""
    from core.models import OutboxMessage

    runs = {f"{mode}_{p}": [] for p in process_counts for mode in ("outbox", "raw")}
    sink = Sink()
    try:
        for _ in range(rounds):
            for processes in process_counts:
                for mode in ("outbox", "raw"):
                    OutboxMessage.objects.filter(kind=KIND).delete()
                    OutboxMessage.objects.bulk_create(_rows(count), batch_size=1000)
                    before, sink_cpu = sink.received(), sink.cpu()
                    run = _run_senders(mode, processes, sink.port)
                    time.sleep(0.2)  # the sink writes its count as each message ends
                    received = sink.received() - before
                    if run["sent"] != count or received != count:
                        raise RuntimeError(
                            f"{mode} x{processes}: {run['sent']} sent, {received} received"
                            f" by the sink, {count} due"
                        )
                    sink_cpu = sink.cpu() - sink_cpu
                    runs[f"{mode}_{processes}"].append(
                        {
                            "rate": count / run["seconds"],
                            "sender_cpu_us_per_email": 1e6 * run["cpu"] / count,
                            # Raw only: drawing the emails, done before its timing starts.
                            "render_cpu_us_per_email": 1e6 * run["render_cpu"] / count,
                            "sink_cpu_us_per_email": 1e6 * sink_cpu / count,
                            # The senders' database backends (a local PostgreSQL; 0 otherwise).
                            "db_cpu_us_per_email": 1e6 * run["db_cpu"] / count,
                            # The sink's share of the machine's CPU time while it was measured.
                            "sink_cpu_share": sink_cpu / (run["seconds"] * (os.cpu_count() or 1)),
                        }
                    )
    finally:
        sink.close()
        OutboxMessage.objects.filter(kind=KIND).delete()
    summary = {}
    for key, samples in runs.items():
        summary[key] = {
            name: statistics.median(s[name] for s in samples) for name in samples[0]
        } | {"rates": [s["rate"] for s in samples]}
    return {"emails": count, "rounds": rounds, "sink": sink.name, "runs": summary}


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
    args = parser.parse_args(argv)
    send = bench_send(args.emails, args.rounds)
    flood = bench_flood(args.flood)
    runs = send["runs"]
    best = max(runs[f"outbox_{p}"]["rate"] for p in (1, 2, 3))
    verdicts = [
        (
            f"outbox emails/s, best of 1-3 processes (median of {args.rounds} rounds)",
            f"{best:.0f}",
            f">= {TARGET}",
            "pass" if best >= TARGET else "FAIL",
        )
    ]
    for p in (1, 2, 3):
        ours, raw = runs[f"outbox_{p}"], runs[f"raw_{p}"]
        verdicts += [
            (
                f"  {p} process(es): outbox / raw Django backend emails/s",
                f"{ours['rate']:.0f} / {raw['rate']:.0f} = {ours['rate'] / raw['rate']:.2f}",
                "",
                "",
            ),
            (
                "    CPU us/email: outbox sender + its database backend / raw sender"
                " (+ its drawing beforehand) / sink",
                f"{ours['sender_cpu_us_per_email']:.0f} + {ours['db_cpu_us_per_email']:.0f}"
                f" / {raw['sender_cpu_us_per_email']:.0f}"
                f" (+{raw['render_cpu_us_per_email']:.0f}) / {ours['sink_cpu_us_per_email']:.0f}",
                "",
                "",
            ),
            (
                "    sink's share of the machine's CPU (outbox run)",
                f"{100 * ours['sink_cpu_share']:.1f}%",
                "",
                "",
            ),
        ]
    verdicts += [
        ("  SMTP sink", send["sink"], "", ""),
        (
            f"digests for one owner after {flood['breaches']} breaches",
            str(flood["digests_for_owner"]),
            "1",
            "pass" if flood["digests_for_owner"] == 1 else "FAIL",
        ),
        ("  sweep s", f"{flood['seconds']['sweep']:.2f}", "", ""),
        ("  digest s", f"{flood['seconds']['digest']:.2f}", "", ""),
        ("  drawing the digest s", f"{flood['seconds']['render']:.2f}", "", ""),
    ]
    results = {"target": TARGET, "best": best, "send": send, "flood": flood}
    common.report("outbox", results, verdicts)
    print(
        f"Verdict: the outbox sends {best:.0f} emails/s at best"
        f" ({'meets' if best >= TARGET else 'MISSES'} the target of {TARGET}/s);"
        f" {os.cpu_count()} CPU core(s), sink: {send['sink']}."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
