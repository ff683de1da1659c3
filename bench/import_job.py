"""The CSV import job on a large file: ``python -m bench.import_job`` (``make bench`` runs it).

Target: a 1,000,000-row CSV checked and imported in under 4 minutes, in flat memory.

It writes the file (channels and agents ``bench-*``, a realistic mix: most rows resolved history
with a first response, the rest still open, a few refused), then runs the job exactly as the
page does, through the same services: ``contact_import_create`` (the upload copied to storage),
the check, ``contact_import_start``, the import. The worker's task body
(``contact_import_advance``, one slice after another) is called in this process instead of
through the broker, so the figures are the job's own, without queueing. PostgreSQL only (the
target is the production stack). Peak RSS is ``getrusage``'s maximum resident size of this
process; it is also recorded at 10 % and 50 % of the import: if those match the end, memory did
not grow with the file. Everything it made is removed afterwards. Writes
``var/bench/import_job.json``.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import random
import resource
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bench import common

TARGET_SECONDS = 240


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_file(path: Path, *, rows: int, world, now, compress: bool, refused_every: int) -> None:
    """``rows`` data rows over the bench channels and agents; every ``refused_every``-th row
    names an unknown channel (refused, listed with its reason)."""
    rng = random.Random(7)  # noqa: S311 -- test data
    opener = gzip.open if compress else open
    codes = [channel.code for channel in world.channels]
    agents = [agent.username for agent in world.agents]
    header = ["channel", "external_id", "priority", "subject", "customer_email", "agent"]
    header += ["opened_at", "first_response_at", "resolved_at"]
    with opener(path, "wt", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(header)
        for n in range(rows):
            opened = now - timedelta(minutes=rng.randrange(300, 60 * 24 * 30))
            response = resolved = ""
            if n % 5:  # four in five: resolved history
                first = opened + timedelta(minutes=rng.randrange(1, 240))
                response = first.isoformat()
                end = min(first + timedelta(minutes=rng.randrange(1, 2000)), now)
                resolved = end.isoformat()
            channel = "bench-nowhere" if refused_every and n % refused_every == 0 else codes[n % 10]
            out.writerow(
                [
                    channel,
                    f"IMP-{n:08d}",
                    ("low", "normal", "high", "urgent")[n % 4],
                    f"Question {n}",
                    f"customer{n % 5000}@example.com",
                    agents[n % len(agents)],
                    opened.isoformat(),
                    response,
                    resolved,
                ]
            )


def run(*, rows: int, compress: bool, refused_every: int, write=print) -> dict:
    from django.db import connection
    from django.utils import timezone

    from bench import sla as bench
    from sla import services
    from sla.models import ContactImport
    from sla.services import imports

    if connection.vendor != "postgresql":
        raise SystemExit("The import benchmark needs PostgreSQL: set DATABASE_URL.")
    bench.cleanup()
    world = bench.build_world()
    now = timezone.now()
    rss = {}
    job_id = None
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / ("contacts.csv.gz" if compress else "contacts.csv")
            started = time.perf_counter()
            write_file(
                path,
                rows=rows,
                world=world,
                now=now,
                compress=compress,
                refused_every=refused_every,
            )
            file_seconds = time.perf_counter() - started
            write(
                f"wrote {rows:,} rows ({path.stat().st_size / 2**20:.1f} MB) "
                f"in {file_seconds:.1f} s"
            )
            rss["after_writing_file"] = _rss_mb()

            t0, cpu0 = time.perf_counter(), time.process_time()
            with open(path, "rb") as handle:
                job = services.contact_import_create(
                    file=handle, file_name=path.name, user=world.manager, run=False
                )
            job_id = job.pk
            t1 = time.perf_counter()

            def advance(marks: dict) -> None:
                def progress(job):
                    done = job.rows_done / max(job.rows, 1) if job.status == "importing" else 0
                    for mark in (0.1, 0.5):
                        if done >= mark and f"import_{int(mark * 100)}pct" not in marks:
                            marks[f"import_{int(mark * 100)}pct"] = _rss_mb()

                while (
                    outcome := services.contact_import_advance(import_id=job_id, progress=progress)
                ) != imports.DONE:
                    if outcome == imports.BUSY:
                        raise SystemExit("the job is held by another process (a worker?)")

            advance(rss)
            t2, cpu2 = time.perf_counter(), time.process_time()
            rss["after_check"] = _rss_mb()
            checked = ContactImport.objects.get(pk=job_id)
            write(
                f"checked in {t2 - t1:.1f} s: {checked.check_create:,} would be created, "
                f"{checked.check_refused:,} refused"
            )
            services.contact_import_start(import_id=job_id, run=False)
            advance(rss)
            t3, cpu3 = time.perf_counter(), time.process_time()
            rss["after_import"] = _rss_mb()
            done = ContactImport.objects.get(pk=job_id)
            write(
                f"imported in {t3 - t2:.1f} s: {done.created:,} created, {done.refused:,} refused"
            )
    finally:
        if job_id is not None:
            ContactImport.objects.filter(pk=job_id).delete()
        bench.cleanup()
    total = t3 - t0
    return {
        "rows": rows,
        "gzip": compress,
        "upload_seconds": round(t1 - t0, 2),
        "check_seconds": round(t2 - t1, 2),
        "import_seconds": round(t3 - t2, 2),
        "total_seconds": round(total, 2),
        # This process's CPU (the database works in its own): wall time on a busy machine
        # includes waiting for a core.
        "check_cpu_seconds": round(cpu2 - cpu0, 2),
        "import_cpu_seconds": round(cpu3 - cpu2, 2),
        "check_rows_per_s": round(rows / (t2 - t1)),
        "import_rows_per_s": round(rows / (t3 - t2)),
        "rows_per_s": round(rows / total),
        "created": done.created,
        "existing": done.existing,
        "refused": done.refused,
        "peak_rss_mb": round(_rss_mb(), 1),
        "rss_mb": {key: round(value, 1) for key, value in rss.items()},
        "target_seconds": TARGET_SECONDS,
        "chunk": imports.chunk_rows(),
    }


def verdicts(results: dict) -> list[tuple[str, str, str, str]]:
    ok = results["total_seconds"] < TARGET_SECONDS * results["rows"] / 1_000_000
    rss = results["rss_mb"]
    return [
        (
            f"check + import of {results['rows']:,} rows (s)",
            f"{results['total_seconds']:.1f}",
            f"< {TARGET_SECONDS * results['rows'] / 1_000_000:g}",
            "ok" if ok else "MISSED",
        ),
        ("  upload copy s", f"{results['upload_seconds']:.1f}", "", ""),
        ("  check s", f"{results['check_seconds']:.1f}", "", ""),
        ("  import s", f"{results['import_seconds']:.1f}", "", ""),
        (
            "  CPU s of this process: check / import",
            f"{results['check_cpu_seconds']:.1f} / {results['import_cpu_seconds']:.1f}",
            "",
            "",
        ),
        ("  rows/s overall", f"{results['rows_per_s']:,}", "", ""),
        ("  import rows/s", f"{results['import_rows_per_s']:,}", "", ""),
        ("peak RSS MB", f"{results['peak_rss_mb']:.0f}", "", ""),
        (
            "  RSS MB at 10% / 50% / end of import",
            " / ".join(
                f"{rss.get(key, 0):.0f}" for key in ("import_10pct", "import_50pct", "after_import")
            ),
            "flat",
            "",
        ),
    ]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--gzip", action="store_true", help="Upload the file gzip-compressed.")
    parser.add_argument(
        "--refused-every", type=int, default=1000, help="One row in N refused (0: none)."
    )
    args = parser.parse_args(argv)
    from django.conf import settings

    # As in production: with DEBUG on, Django keeps every query's SQL (up to 9,000, and an
    # insert of a chunk is megabytes of it), which would be measured as the job's memory.
    settings.DEBUG = False
    results = run(rows=args.rows, compress=args.gzip, refused_every=args.refused_every)
    common.report("import_job", results, verdicts(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
