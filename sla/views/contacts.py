"""The contacts pages (Managers all, Staff their own, read-only): the list with its filters,
its CSV, and one contact with its live "time to breach" clock."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, ListView, View

from core.csv import csv_response
from core.permissions import RoleRequiredMixin
from core.roles import MANAGER, STAFF, has_role
from sla import selectors
from sla.durations import countdown_words, time_to_breach_text
from sla.forms import ContactFilterForm
from sla.models import Contact, ContactImport

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
#: Every outside field (``sla.contact_fields``), so that an export imports again as it was
#: (a test holds it to that), then what the portal computed, which the import ignores.
CSV_HEADER = [
    "external_id",
    "channel",
    "priority",
    "subject",
    "customer_name",
    "customer_email",
    "customer_language",
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
            c.customer_language,
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
