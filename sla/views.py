"""SLA pages: contacts (Managers all, Staff their own, read-only), policies and the CSV import.

Every read goes through :mod:`sla.selectors` (a contact the user may not see is a 404) and every
write through :mod:`sla.services`, whose ``ValidationError`` becomes a form error, never a 500.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse_lazy
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import DetailView, FormView, ListView, View

from core.csv import csv_response
from core.forms import add_service_errors
from core.permissions import ManagerRequiredMixin, RoleRequiredMixin
from core.roles import MANAGER, STAFF, has_role
from sla import selectors, services
from sla.durations import countdown_words, time_to_breach_text
from sla.forms import ContactFilterForm, ContactImportForm, SlaPolicyForm
from sla.models import Contact, ContactImport, ContactImportProblem, SlaPolicy
from sla.services import imports

LIST_PAGE_SIZE = 50
FR = Contact.FirstResponseState
RES = Contact.ResolutionState


# -- the "time to breach" clock ------------------------------------------------------------------


@dataclass(frozen=True)
class SlaClock:
    """What the time-to-breach column shows: a countdown to ``due``, or a ``label``."""

    due: datetime | None = None
    seconds: int = 0
    label: str = ""
    danger: bool = False

    @property
    def text(self) -> str:
        """The words the live countdown shows ("2 h 05 min left"), for pages without script."""
        return time_to_breach_text(self.seconds)


def sla_clock(contact: Contact, now: datetime) -> SlaClock:
    """The next deadline still running (negative once passed), or the contact's SLA outcome."""
    running = []
    if contact.first_response_at is None and contact.first_response_due_at is not None:
        running.append(contact.first_response_due_at)
    if (
        contact.resolved_at is None
        and contact.resolution_state != RES.PAUSED
        and contact.resolution_due_at is not None
    ):
        running.append(contact.resolution_due_at)
    if running:
        due = min(running)
        seconds = math.floor((due - now).total_seconds())
        return SlaClock(due=due, seconds=seconds, danger=seconds < 0)
    if contact.resolution_state == RES.PAUSED:
        return SlaClock(label=_("Paused"))
    if contact.first_response_due_at is None and contact.resolution_due_at is None:
        return SlaClock(label=_("No SLA"))
    if contact.first_response_state == FR.BREACHED or contact.resolution_state == RES.BREACHED:
        return SlaClock(label=_("Breached"), danger=True)
    return SlaClock(label=_("Met"))


# -- contacts ------------------------------------------------------------------------------------


# (sort key, column label): the sortable columns of the list, in the table's order.
SORT_COLUMNS = {
    "external_id": gettext_lazy("External id"),
    "channel": gettext_lazy("Channel"),
    "priority": gettext_lazy("Priority"),
    "agent": gettext_lazy("Agent"),
    "opened": gettext_lazy("Opened"),
    "status": gettext_lazy("Status"),
}
CSV_HEADER = [
    "external_id",
    "channel",
    "priority",
    "subject",
    "customer_name",
    "customer_email",
    "agent",
    "opened_at",
    "status",
    "first_response_due_at",
    "first_response_at",
    "first_response_state",
    "resolution_due_at",
    "resolved_at",
    "resolution_state",
]
EXPORT_CHUNK = 2000


class ContactListMixin(RoleRequiredMixin):
    """The list's contacts: what the user may see, filtered (GET) and sorted (``sort``)."""

    allowed_roles = (MANAGER, STAFF)

    def filtered_contacts(self):
        self.filter_form = ContactFilterForm(
            self.request.GET or None, show_agent=has_role(self.request.user, MANAGER)
        )
        contacts = selectors.contact_list(user=self.request.user)
        if self.filter_form.is_bound:
            contacts = self.filter_form.filter(contacts)
        self.sort = selectors.sort_key(self.request.GET.get("sort"))
        return selectors.contacts_sorted(contacts, self.sort)


class ContactListView(ContactListMixin, ListView):
    """Filters, sortable columns, pagination, a live countdown and the CSV of the same rows;
    staff see their own contacts only."""

    template_name = "sla/contact_list.html"
    context_object_name = "contacts"
    paginate_by = LIST_PAGE_SIZE

    def get_queryset(self):
        return self.filtered_contacts()

    def _sort_links(self) -> dict[str, dict]:
        """Per sortable column: the URL that sorts by it (the other way round if it is the
        current order), keeping the filters and going back to the first page."""
        query = self.request.GET.copy()
        query.pop("page", None)
        links = {}
        for key, label in SORT_COLUMNS.items():
            current = self.sort.removeprefix("-") == key
            descending = self.sort.startswith("-")
            query["sort"] = f"-{key}" if current and not descending else key
            links[key] = {
                "label": label,
                "url": f"?{query.urlencode()}",
                "order": ("descending" if descending else "ascending") if current else "",
            }
        return links

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        for contact in context["contacts"]:
            contact.sla_clock = sla_clock(contact, now)
        query = self.request.GET.copy()
        query.pop("page", None)
        batch_id = self.filter_form.is_bound and self.filter_form.cleaned_data.get("import_batch")
        context.update(
            filter_form=self.filter_form,
            now=now,
            is_manager_view=has_role(self.request.user, MANAGER),
            sort_links=self._sort_links(),
            export_query=query.urlencode(),
            countdown_words=json.dumps(countdown_words()),
            import_batch=(ContactImport.objects.filter(pk=batch_id).first() if batch_id else None),
        )
        return context


class ContactExportView(ContactListMixin, View):
    """The filtered, sorted list as CSV, streamed: rows are read in chunks of EXPORT_CHUNK, so
    memory stays flat and the query count stays small whatever the number of contacts."""

    def get(self, request):
        contacts = self.filtered_contacts()
        stamp = timezone.localtime(timezone.now()).strftime("%Y%m%d-%H%M")
        return csv_response(f"contacts-{stamp}.csv", CSV_HEADER, _export_rows(contacts))


def _export_rows(contacts):
    for c in contacts.iterator(chunk_size=EXPORT_CHUNK):
        yield [
            c.external_id,
            c.channel.code,
            c.priority,
            c.subject,
            c.customer_name,
            c.customer_email,
            c.agent.get_username() if c.agent else None,
            c.opened_at,
            c.status,
            c.first_response_due_at,
            c.first_response_at,
            c.first_response_state,
            c.resolution_due_at,
            c.resolved_at,
            c.resolution_state,
        ]


class ContactDetailView(RoleRequiredMixin, DetailView):
    allowed_roles = (MANAGER, STAFF)
    template_name = "sla/contact_detail.html"
    context_object_name = "contact"

    def get_queryset(self):
        return selectors.contact_list(user=self.request.user).select_related("sla_policy")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        contact = self.object
        context.update(
            now=now,
            countdown_words=json.dumps(countdown_words()),
            clock=sla_clock(contact, now),
            timeline=list(selectors.contact_timeline(contact=contact)),
            breaches=list(contact.breaches.order_by("detected_at", "id")),
        )
        return context


# -- policies ------------------------------------------------------------------------------------


class PolicyListView(ManagerRequiredMixin, ListView):
    template_name = "sla/policy_list.html"
    context_object_name = "policies"
    paginate_by = LIST_PAGE_SIZE

    def get_queryset(self):
        return selectors.policy_list(user=self.request.user)


class PolicyFormView(ManagerRequiredMixin, FormView):
    template_name = "sla/policy_form.html"
    form_class = SlaPolicyForm
    success_url = reverse_lazy("sla:policy-list")
    policy: SlaPolicy | None = None

    def get_policy(self) -> SlaPolicy | None:
        return None

    # Loaded after the role check in dispatch(): users without the role get 403 either way.
    def get(self, request, *args, **kwargs):
        self.policy = self.get_policy()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.policy = self.get_policy()
        return super().post(request, *args, **kwargs)

    def get_initial(self):
        if self.policy is None:
            return super().get_initial()
        return SlaPolicyForm.initial_for(self.policy)

    def get_context_data(self, **kwargs):
        return super().get_context_data(policy=self.policy, **kwargs)

    def form_valid(self, form):
        try:
            policy = self.save(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(exc, form)
            return self.form_invalid(form)
        messages.success(self.request, _("SLA policy “%(name)s” saved.") % {"name": policy.name})
        return super().form_valid(form)


class PolicyCreateView(PolicyFormView):
    def save(self, data) -> SlaPolicy:
        return services.sla_policy_create(**data)


class PolicyUpdateView(PolicyFormView):
    def get_policy(self) -> SlaPolicy:
        return get_object_or_404(
            selectors.policy_list(user=self.request.user), pk=self.kwargs["pk"]
        )

    def save(self, data) -> SlaPolicy:
        return services.sla_policy_update(policy=self.policy, **data)


# -- CSV import ----------------------------------------------------------------------------------


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


def _duration(seconds: int) -> str:
    minutes, seconds = divmod(max(int(seconds), 0), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


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
        parts.append(_("about %(time)s left") % {"time": _duration(progress.seconds_left)})
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
        try:
            services.contact_import_start(import_id=job.pk, user=request.user)
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
