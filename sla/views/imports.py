"""The CSV import pages (Managers): upload, the job's page and its progress, start, cancel, and
the refused rows as CSV. The job itself runs in the background (:mod:`sla.services.imports`)."""

from __future__ import annotations

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import DetailView, FormView, View

from core.csv import csv_response
from core.permissions import ManagerRequiredMixin
from sla import selectors, services
from sla.durations import duration_text
from sla.forms import ContactImportForm, ContactImportStartForm
from sla.models import ContactImport, ContactImportProblem
from sla.services import imports


class ContactImportView(ManagerRequiredMixin, FormView):
    """Upload a helpdesk export: the file is stored and checked in the background; the job's
    page (:class:`ContactImportJobView`) follows it. Also lists the manager's recent imports."""

    template_name = "sla/contact_import.html"
    form_class = ContactImportForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            required_columns=imports.REQUIRED_COLUMNS,
            optional_columns=imports.OPTIONAL_COLUMNS,
            max_mb=imports.max_bytes() // 2**20,
            chunk=imports.chunk_rows(),
            recent=selectors.contact_imports(user=self.request.user)[:10],
            **kwargs,
        )

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            job = services.contact_import_create(
                file=upload,
                file_name=upload.name or "",
                user=self.request.user,
                language=translation.get_language() or "",
            )
        except services.ContactImportError as exc:
            form.add_error("file", exc.message)
            return self.form_invalid(form)
        return redirect("sla:contact-import-job", pk=job.pk)


class _ImportJobMixin(ManagerRequiredMixin):
    def get_job(self) -> ContactImport:
        return get_object_or_404(
            selectors.contact_imports(user=self.request.user), pk=self.kwargs["pk"]
        )


def _time_left(seconds: int) -> str:
    """The estimate in the portal's words for lengths of time ("about 1 h 05 min left"), to the
    minute: seconds would only make it jump."""
    if seconds < 60:
        return _("less than a minute left")
    return _("about %(time)s left") % {"time": duration_text(seconds)}


def import_progress_text(progress: selectors.ImportProgress) -> str:
    """One line under the bar: rows so far, the rate and the time left (server-rendered, so the
    page reads the same with or without script)."""
    rows = number_format(progress.rows, force_grouping=True)
    if progress.total is None:
        text = ngettext("%(rows)s row checked", "%(rows)s rows checked", progress.rows) % {
            "rows": rows
        }
    else:
        text = ngettext(
            "%(rows)s of %(total)s row imported",
            "%(rows)s of %(total)s rows imported",
            progress.total,
        ) % {"rows": rows, "total": number_format(progress.total, force_grouping=True)}
    parts = [text]
    if progress.rate:
        parts.append(
            _("%(rate)s rows/s") % {"rate": number_format(int(progress.rate), force_grouping=True)}
        )
    if progress.seconds_left is not None:
        parts.append(_time_left(progress.seconds_left))
    return " · ".join(parts)


class ContactImportJobView(_ImportJobMixin, DetailView):
    """One import: its progress while checking or importing (a bar a small script refreshes
    from :class:`ContactImportProgressView`; without script the page reloads itself), the check's
    findings with the button that starts the import, and the result with the refused lines."""

    template_name = "sla/contact_import_job.html"
    context_object_name = "job"
    SHOWN = 100

    def get_object(self, queryset=None):
        return self.get_job()

    def get_context_data(self, **kwargs):
        job = self.object
        phase = (
            ContactImportProblem.Phase.IMPORT
            if job.status in (ContactImport.Status.IMPORTING, ContactImport.Status.DONE)
            or job.rows_done
            else ContactImportProblem.Phase.CHECK
        )
        refused = job.refused if phase == ContactImportProblem.Phase.IMPORT else job.check_refused
        progress = selectors.import_progress(job=job, now=timezone.now())
        return super().get_context_data(
            phase=phase,
            refused_count=refused,
            problems=list(selectors.import_problems(job=job, phase=phase)[: self.SHOWN]),
            shown=self.SHOWN,
            kept=min(refused, imports.problems_kept()),
            progress=progress,
            progress_text=import_progress_text(progress) if job.running else "",
            start_form=ContactImportStartForm(),
            **kwargs,
        )


class ContactImportProgressView(_ImportJobMixin, View):
    """The running job's figures as JSON, for the progress bar's script."""

    def get(self, request, *args, **kwargs):
        job = self.get_job()
        progress = selectors.import_progress(job=job, now=timezone.now())
        return JsonResponse(
            {
                "status": job.status,
                "running": job.running,
                "value": progress.value,
                "max": progress.maximum,
                "percent": progress.percent,
                "rows": progress.rows,
                "rate": round(progress.rate, 1),
                "seconds_left": progress.seconds_left,
                "text": import_progress_text(progress) if job.running else "",
            },
            headers={"Cache-Control": "no-store"},
        )


class ContactImportStartView(_ImportJobMixin, View):
    """Start the import of a checked upload (refused while the channel has one running)."""

    def post(self, request, *args, **kwargs):
        job = self.get_job()
        form = ContactImportStartForm(request.POST)
        invite = form.is_valid() and form.cleaned_data["invite_customers"]
        try:
            services.contact_import_start(
                import_id=job.pk, user=request.user, invite_customers=invite
            )
        except services.ContactImportError as exc:
            messages.error(request, exc.message)
        return redirect("sla:contact-import-job", pk=job.pk)


class ContactImportCancelView(_ImportJobMixin, View):
    def post(self, request, *args, **kwargs):
        job = self.get_job()
        if job.running or job.status == ContactImport.Status.CHECKED:
            services.contact_import_cancel(import_id=job.pk, user=request.user)
            messages.info(request, _("The import was cancelled."))
        return redirect("sla:contact-import-job", pk=job.pk)


class ContactImportRefusedView(_ImportJobMixin, View):
    """The refused lines of the check or the import as CSV: line, reasons, then the cells as
    given, so the file can be corrected and imported again (the extra columns are ignored)."""

    def get(self, request, *args, **kwargs):
        job = self.get_job()
        phase = request.GET.get("phase")
        if phase not in ContactImportProblem.Phase.values:
            phase = ContactImportProblem.Phase.IMPORT
        header = ["line", "reasons", *imports.COLUMNS]
        rows = (
            [
                problem.line,
                "; ".join(
                    f"{column}: {message}" if column else message
                    for column, message in problem.reasons
                ),
                *(problem.cells.get(name, "") for name in imports.COLUMNS),
            ]
            for problem in selectors.import_problems(job=job, phase=phase).iterator(2000)
        )
        return csv_response(f"refused-{phase}-{job.pk}.csv", header, rows)
