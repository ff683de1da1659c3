"""One sending process of ``bench.outbox``: ``python -m bench.outbox_sender MODE N OF``.

``outbox`` runs ``outbox_send`` as a worker's task does; ``raw`` renders its share of the due rows
(every OF-th, from the N-th) first and then times only Django's SMTP backend sending them over
one connection: the ceiling for the same messages (the CPU it spent drawing them beforehand is
reported apart, as ``render_cpu``). Both prepare, say ``ready`` and wait for a
line on standard input, so that every process starts sending at the same moment; the last line
printed is the JSON result.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main(mode: str, index: int, of: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.core.mail import get_connection
    from django.db import connection
    from django.template import engines

    from bench.outbox import _cpu_seconds
    from core import outbox
    from core.models import OutboxMessage

    # A worker process is long-lived: its database connection and template engine are ready
    # before a task comes, so they are readied here too, outside the timing.
    connection.ensure_connection()
    engines.all()
    backend = None  # the PostgreSQL server process that serves this sender, if it is local
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
    render_cpu = 0.0
    if mode == "raw":
        rows = list(OutboxMessage.objects.filter(kind="standards.review_reminder").order_by("id"))
        render_cpu = _cpu()
        templates: dict = {}
        emails = [outbox.render(row, templates=templates) for row in rows[index::of]]
        render_cpu = _cpu() - render_cpu
    print("ready", flush=True)
    sys.stdin.readline()
    start, cpu = time.time(), _cpu()
    db_cpu = _cpu_seconds(backend) if backend else 0.0
    sent = get_connection().send_messages(emails) if mode == "raw" else outbox.outbox_send()["sent"]
    return {
        "start": start,
        "end": time.time(),
        "sent": sent,
        "cpu": _cpu() - cpu,
        # Its database backend's over the same span: the server works for the outbox too.
        "db_cpu": (_cpu_seconds(backend) - db_cpu) if backend else 0.0,
        "render_cpu": render_cpu,  # raw only: drawing its emails, outside the timing
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))))
