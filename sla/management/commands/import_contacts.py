"""``manage.py import_contacts FILE [--check-only]``: the import page's job, from a file on disk.

The same services as the page (``contact_import_create``, ``contact_import_advance``,
``contact_import_start``), run in this process with a progress bar on the terminal instead of
the worker. Interrupted (Ctrl-C, a crash), the job is left running and a worker finishes it.
"""

from __future__ import annotations

import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from sla import selectors, services
from sla.models import ContactImport
from sla.services import imports

Status = ContactImport.Status
WIDTH = 30


class Command(BaseCommand):
    help = (
        "Check, then import, contacts from a helpdesk CSV export (plain or gzip) on disk, in "
        "chunks, with a progress bar; the same rules as the import page."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the CSV file (.csv or .csv.gz).")
        parser.add_argument(
            "--check-only", action="store_true", help="Check and report; write nothing."
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")
        parser.add_argument(
            "--invite-customers",
            action="store_true",
            help="Send survey invitations for contacts resolved recently enough for a link to be "
            "valid (by default history is loaded without writing to anyone).",
        )

    def handle(self, *args, **options):
        self.show_bar = not options["no_progress"]
        path = options["file"]
        try:
            handle = open(path, "rb")  # noqa: SIM115 -- closed below, after the copy
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from None
        with handle:
            try:
                job = services.contact_import_create(
                    file=handle,
                    file_name=path.rsplit("/", 1)[-1],
                    language=settings.LANGUAGE_CODE,
                    run=False,
                )
            except services.ContactImportError as exc:
                raise CommandError(exc.message) from None
        job = self._run(job.pk)
        if job.status == Status.REJECTED:
            raise CommandError(job.error)
        self.stdout.write(
            f"Checked {job.rows} rows: {job.check_create} would be created, "
            f"{job.check_existing} already in the portal, {job.check_refused} refused."
        )
        self._problems(job, "check")
        if options["check_only"]:
            services.contact_import_cancel(import_id=job.pk)
            return
        try:
            services.contact_import_start(
                import_id=job.pk, run=False, invite_customers=options["invite_customers"]
            )
        except services.ContactImportError as exc:
            services.contact_import_cancel(import_id=job.pk)
            raise CommandError(exc.message) from None
        job = self._run(job.pk)
        self.stdout.write(
            f"Imported {job.rows_done} rows: {job.created} created, {job.existing} already in "
            f"the portal, {job.refused} refused (import #{job.pk})."
        )
        self._problems(job, "import")

    def _run(self, pk: int) -> ContactImport:
        """Advance the job's current pass until it ends (another holder: wait for it)."""
        while True:
            outcome = services.contact_import_advance(import_id=pk, progress=self._bar)
            if outcome == imports.DONE:
                break
            if outcome == imports.BUSY:
                job = ContactImport.objects.get(pk=pk)
                if not job.running:
                    break
                time.sleep(1)
        if self.show_bar:
            sys.stderr.write("\n")
        return ContactImport.objects.get(pk=pk)

    def _bar(self, job: ContactImport) -> None:
        if not self.show_bar:
            return
        progress = selectors.import_progress(job=job, now=timezone.now())
        filled = int(WIDTH * progress.percent / 100)
        total = f"/{progress.total:,}" if progress.total is not None else ""
        left = "" if progress.seconds_left is None else f", {progress.seconds_left} s left"
        label = "check " if job.status == Status.CHECKING else "import"
        sys.stderr.write(
            f"\r{label} [{'#' * filled}{'.' * (WIDTH - filled)}] {progress.percent:3d}% "
            f"{progress.rows:,}{total} rows, {progress.rate:,.0f} rows/s{left}   "
        )
        sys.stderr.flush()

    def _problems(self, job: ContactImport, phase: str, shown: int = 20) -> None:
        for problem in selectors.import_problems(job=job, phase=phase)[:shown]:
            reasons = "; ".join(
                f"{column}: {message}" if column else message for column, message in problem.reasons
            )
            self.stdout.write(f"  line {problem.line}: {reasons}")
