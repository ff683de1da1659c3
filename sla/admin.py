"""Read-only admin views, for looking into the engine (outbox, recomputations) in production.

Every change goes through the services (pages and API), which keep deadlines, breaches and
notifications consistent; the admin would bypass them, so it only shows.
"""

from django.contrib import admin

from portal.admin import ReadOnlyAdmin
from sla.models import Breach, Contact, DeadlineRecomputation, SlaNotification, SlaPolicy


@admin.register(SlaPolicy)
class SlaPolicyAdmin(ReadOnlyAdmin):
    list_display = ["name", "channel", "priority", "first_response_minutes", "resolution_minutes"]
    list_filter = ["is_active", "channel"]
    list_select_related = ["channel"]


@admin.register(Contact)
class ContactAdmin(ReadOnlyAdmin):
    list_display = [
        "external_id",
        "channel",
        "priority",
        "status",
        "opened_at",
        "first_response_state",
        "resolution_state",
    ]
    list_filter = ["status", "first_response_state", "resolution_state", "channel"]
    list_select_related = ["channel"]
    search_fields = ["external_id", "customer_email"]
    date_hierarchy = "opened_at"


@admin.register(Breach)
class BreachAdmin(ReadOnlyAdmin):
    list_display = ["contact", "metric", "due_at", "detected_at"]
    list_filter = ["metric"]
    list_select_related = ["contact"]


@admin.register(SlaNotification)
class SlaNotificationAdmin(ReadOnlyAdmin):
    list_display = ["recipient", "contact", "kind", "metric", "status", "not_before", "attempts"]
    list_filter = ["status", "kind"]
    list_select_related = ["recipient", "contact"]


@admin.register(DeadlineRecomputation)
class DeadlineRecomputationAdmin(ReadOnlyAdmin):
    list_display = ["id", "channel_ids", "calendar_ids", "processed", "created_at", "finished_at"]
