"""SLA pages: contacts (Managers all, Staff their own, read-only), policies and the CSV import.

Every read goes through :mod:`sla.selectors` (a contact the user may not see is a 404) and every
write through :mod:`sla.services`, whose ``ValidationError`` becomes a form error, never a 500.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import DetailView, FormView, ListView, View

from core.csv import csv_response
from core.forms import add_service_errors
from portal.permissions import ManagerRequiredMixin, RoleRequiredMixin
from portal.roles import MANAGER, STAFF, has_role
from sla import selectors, services
from sla.durations import countdown_words, time_to_breach_text
from sla.forms import ContactFilterForm, ContactImportForm, SlaPolicyForm
from sla.models import Contact, ContactImport, SlaPolicy
from sla.services import imports

LIST_PAGE_SIZE = 50
IMPORT_FAILED = gettext_lazy("Nothing was imported; correct the rows listed below and try again.")
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
    """Upload a helpdesk export, see what it would do, then import it.

    Step 1 (a file): every line is checked by the real import's path, rolled back, and listed
    as would be created, already in the portal, or refused with the reasons; nothing is
    written but the uploaded file. Step 2 (``upload``, the checked file's id): the import
    itself, all or nothing, then the contacts list filtered to the rows it created.
    """

    template_name = "sla/contact_import.html"
    form_class = ContactImportForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            required_columns=imports.REQUIRED_COLUMNS,
            optional_columns=imports.OPTIONAL_COLUMNS,
            max_rows=imports.MAX_ROWS,
            max_mb=imports.MAX_BYTES // 2**20,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if "upload" in request.POST:
            return self.confirm(request.POST["upload"])
        return super().post(request, *args, **kwargs)

    def _refused(self, form, errors):
        messages.error(self.request, IMPORT_FAILED)
        return self.render_to_response(self.get_context_data(form=form, import_errors=errors))

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            check = services.contacts_import_check(data=data)
        except services.ContactImportError as exc:
            return self._refused(form, exc.errors)
        batch = None
        if check.refused:
            messages.error(self.request, IMPORT_FAILED)
        elif check.rows:
            batch = services.contact_import_upload(
                data=data, file_name=upload.name or "", user=self.request.user
            )
        return self.render_to_response(
            self.get_context_data(
                form=self.form_class(),
                check=check,
                checked_file=upload.name,
                upload=batch,
                groups=[
                    (imports.CREATE, _("Would be created"), check.of(imports.CREATE)),
                    (imports.EXISTING, _("Already in the portal"), check.of(imports.EXISTING)),
                    (imports.REFUSED, _("Refused"), check.of(imports.REFUSED)),
                ],
            )
        )

    def confirm(self, upload_id: str):
        if not upload_id.isdigit():
            return self._refused(self.form_class(), [(None, "", str(imports.MSG_GONE))])
        try:
            batch = services.contact_import_run(upload_id=int(upload_id), user=self.request.user)
        except services.ContactImportError as exc:
            return self._refused(self.form_class(), exc.errors)
        messages.success(
            self.request,
            # Counts after a colon need no plural forms; the row count gets real ones.
            ngettext(
                "Imported %(rows)d row. New contacts: %(created)d; already in the portal: "
                "%(existing)d.",
                "Imported %(rows)d rows. New contacts: %(created)d; already in the portal: "
                "%(existing)d.",
                batch.rows,
            )
            % {"rows": batch.rows, "created": batch.created, "existing": batch.existing},
        )
        if not batch.created:
            return redirect("sla:contact-list")
        return redirect(f"{reverse('sla:contact-list')}?{urlencode({'import_batch': batch.pk})}")
