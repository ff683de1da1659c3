"""Reads of the SLA app, scoped to what the user may see (a forbidden row is a 404, not a leak)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When

from core.roles import INTEGRATION, MANAGER, STAFF, user_roles
from sla.models import (
    Breach,
    Contact,
    ContactEvent,
    ContactImport,
    ContactImportProblem,
    ContactImportRange,
    SlaPolicy,
)


def policy_list(*, user) -> QuerySet[SlaPolicy]:
    """Every role reads the targets it works under; the channel is joined in."""
    if not user_roles(user):
        return SlaPolicy.objects.none()
    return SlaPolicy.objects.select_related("channel")


def contact_agents() -> QuerySet:
    """Who may be a contact's agent: active people who serve customers (Staff or Manager),
    never an Integration account (a helpdesk's token is not a person). The one rule for the
    API, its bulk endpoint and the CSV import."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__name__in=(STAFF, MANAGER)) | Q(is_superuser=True))
        .exclude(groups__name=INTEGRATION)
        .distinct()
    )


def contact_list(*, user) -> QuerySet[Contact]:
    """Managers and integrations see every contact; staff only their own."""
    roles = user_roles(user)
    contacts = Contact.objects.with_related()
    if roles & {MANAGER, INTEGRATION}:
        return contacts
    if STAFF in roles:
        return contacts.for_agent(user)
    return Contact.objects.none()


# The contacts list's sortable columns: ``sort=<key>`` ascending, ``sort=-<key>`` descending.
# Each order ends in the id, so pages never overlap; the plain columns have an index
# ending in id (sla/models/contacts.py), the joined names sort small tables.
SORTS = {
    "external_id": ("external_id",),
    "channel": ("channel__name",),
    "priority": ("priority_rank",),
    "agent": ("agent__username",),
    "opened": ("opened_at",),
    "status": ("status",),
}
DEFAULT_SORT = "-opened"
_PRIORITY_RANK = Case(
    *[When(priority=value, then=Value(rank)) for rank, value in enumerate(Contact.Priority.values)],
    default=Value(len(Contact.Priority.values)),
    output_field=IntegerField(),
)


def sort_key(value: str | None) -> str:
    """``value`` if the list may sort by it, else the default (an unknown value is ignored)."""
    if value and value.removeprefix("-") in SORTS:
        return value
    return DEFAULT_SORT


def contacts_sorted(contacts: QuerySet[Contact], sort: str | None) -> QuerySet[Contact]:
    """``contacts`` in the order ``sort`` asks for (see :data:`SORTS`); stable with the id."""
    key = sort_key(sort)
    descending = key.startswith("-")
    fields = SORTS[key.removeprefix("-")]
    if "priority_rank" in fields:
        contacts = contacts.annotate(priority_rank=_PRIORITY_RANK)
    order = [
        F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_first=True)
        for name in (*fields, "id")
    ]
    return contacts.order_by(*order)


def breach_list(*, user) -> QuerySet[Breach]:
    roles = user_roles(user)
    breaches = Breach.objects.select_related("contact__channel", "contact__agent")
    if roles & {MANAGER, INTEGRATION}:
        return breaches
    if STAFF in roles:
        return breaches.filter(contact__agent=user)
    return Breach.objects.none()


def contact_timeline(*, contact: Contact) -> QuerySet[ContactEvent]:
    """What happened to a contact, in the order it happened."""
    return contact.events.order_by("at", "id")


def sla_figures(*, user, now) -> dict[str, int]:
    """Open, at-risk and recently breached contacts the user may see: two queries."""
    at_risk = Contact.FirstResponseState.AT_RISK
    figures = (
        contact_list(user=user)
        .order_by()
        .aggregate(
            open=Count("id", filter=~Q(status=Contact.Status.RESOLVED)),
            at_risk=Count(
                "id", filter=Q(first_response_state=at_risk) | Q(resolution_state=at_risk)
            ),
        )
    )
    # By due time, not detection: history imported today whose deadlines passed last month
    # is not a breach "in the last 24 hours".
    figures["breached_24h"] = (
        breach_list(user=user)
        .filter(due_at__gte=now - timedelta(hours=24), due_at__lte=now)
        .count()
    )
    return figures


# -- CSV imports ---------------------------------------------------------------------------------


def contact_imports(*, user) -> QuerySet[ContactImport]:
    """A manager's own uploads, newest first (another's is a 404)."""
    return ContactImport.objects.filter(created_by=user).order_by("-created_at", "-id")


def import_problems(*, job: ContactImport, phase: str) -> QuerySet[ContactImportProblem]:
    return ContactImportProblem.objects.filter(contact_import=job, phase=phase).order_by("line")


@dataclass(frozen=True)
class ImportProgress:
    """Where a running pass is: ``value`` of ``maximum`` for the bar, rows, rate, time left."""

    value: int
    maximum: int
    rows: int
    total: int | None  # the rows to import (None during the check: not known yet)
    rate: float  # rows per second since the pass began
    seconds_left: int | None

    @property
    def percent(self) -> int:
        return int(100 * self.value / self.maximum) if self.maximum else 0


def import_progress(*, job: ContactImport, now) -> ImportProgress:
    """The check measures bytes of the stored file read, the import rows of the checked total."""
    elapsed = max((now - job.started_at).total_seconds(), 0.001) if job.started_at else 0.0
    if job.status == ContactImport.Status.IMPORTING:
        rows, total = job.rows_done, job.rows
        value, maximum = rows, max(total, 1)
    else:
        rows, total = job.rows, None
        value, maximum = job.read_bytes, max(job.size, 1)
    rate = rows / elapsed if elapsed and rows else 0.0
    left = None
    if value and elapsed:
        left = int(elapsed * (maximum - min(value, maximum)) / value)
    return ImportProgress(value, maximum, rows, total, rate, left)


def contacts_of_import(contacts: QuerySet[Contact], import_id: int) -> QuerySet[Contact]:
    """The contacts an import created: by their id ranges (one index range scan each), or by
    the mark of the earlier two-step import."""
    runs = ContactImportRange.objects.filter(contact_import_id=import_id).order_by("first_id")
    merged: list[list[int]] = []  # chunks written one after another hold adjacent ranges
    for first, last in runs.values_list("first_id", "last_id"):
        if merged and first <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    match = Q(import_batch_id=import_id)
    for first, last in merged:
        match |= Q(pk__range=(first, last))
    return contacts.filter(match)
