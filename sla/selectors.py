"""Reads of the SLA app, scoped to what the user may see (a forbidden row is a 404, not a leak)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet

from portal.roles import INTEGRATION, MANAGER, STAFF, user_roles
from sla.models import Breach, Contact, ContactEvent, SlaPolicy


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
    figures["breached_24h"] = (
        breach_list(user=user).filter(detected_at__gte=now - timedelta(hours=24)).count()
    )
    return figures
