"""SLA pages: contacts (Managers all, Staff their own, read-only), policies and the CSV import.

Every read goes through :mod:`sla.selectors` (a contact the user may not see is a 404) and every
write through :mod:`sla.services`, whose ``ValidationError`` becomes a form error, never a 500.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import DetailView, FormView, ListView

from portal.permissions import ManagerRequiredMixin, RoleRequiredMixin
from portal.roles import MANAGER, STAFF, has_role
from sla import selectors, services
from sla.forms import ContactFilterForm, ContactImportForm, SlaPolicyForm
from sla.models import Contact, SlaPolicy
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
        """``[-]H:MM:SS`` as the script shows it, for pages seen without JavaScript."""
        sign = "-" if self.seconds < 0 else ""
        rest = abs(self.seconds)
        return f"{sign}{rest // 3600}:{rest % 3600 // 60:02d}:{rest % 60:02d}"


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


class ContactListView(RoleRequiredMixin, ListView):
    """Filters, pagination and a live countdown; staff see their own contacts only."""

    allowed_roles = (MANAGER, STAFF)
    template_name = "sla/contact_list.html"
    context_object_name = "contacts"
    paginate_by = LIST_PAGE_SIZE

    def get_queryset(self):
        self.filter_form = ContactFilterForm(
            self.request.GET or None, show_agent=has_role(self.request.user, MANAGER)
        )
        contacts = selectors.contact_list(user=self.request.user)
        if self.filter_form.is_bound:
            contacts = self.filter_form.filter(contacts)
        return contacts.order_by("-opened_at", "-id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        for contact in context["contacts"]:
            contact.sla_clock = sla_clock(contact, now)
        context.update(
            filter_form=self.filter_form,
            now=now,
            is_manager_view=has_role(self.request.user, MANAGER),
        )
        return context


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
            clock=sla_clock(contact, now),
            timeline=list(selectors.contact_timeline(contact=contact)),
            breaches=list(contact.breaches.order_by("detected_at", "id")),
        )
        return context


# -- policies ------------------------------------------------------------------------------------


def _show_errors(form, exc: ValidationError) -> None:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
    for field, field_messages in errors.items():
        form.add_error(field if field in form.fields else None, field_messages)


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
            _show_errors(form, exc)
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
    """Upload a helpdesk export; every bad row is listed and nothing is imported until none is."""

    template_name = "sla/contact_import.html"
    form_class = ContactImportForm
    success_url = reverse_lazy("sla:contact-list")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            required_columns=imports.REQUIRED_COLUMNS,
            optional_columns=imports.OPTIONAL_COLUMNS,
            max_rows=imports.MAX_ROWS,
            max_mb=imports.MAX_BYTES // 2**20,
            **kwargs,
        )

    def form_valid(self, form):
        try:
            result = services.contacts_import_csv(data=form.cleaned_data["file"].read())
        except services.ContactImportError as exc:
            messages.error(self.request, IMPORT_FAILED)
            return self.render_to_response(
                self.get_context_data(form=form, import_errors=exc.errors)
            )
        messages.success(
            self.request,
            # Counts after a colon need no plural forms; the row count gets real ones.
            ngettext(
                "Imported %(rows)d row. New contacts: %(created)d; already in the portal: "
                "%(existing)d.",
                "Imported %(rows)d rows. New contacts: %(created)d; already in the portal: "
                "%(existing)d.",
                result.rows,
            )
            % {"rows": result.rows, "created": result.created, "existing": result.existing},
        )
        return redirect(self.get_success_url())
