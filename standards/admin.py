"""Admin: a window onto the data. Published and archived versions are read-only here too, and
the workflow (submitting, publishing) happens in the portal's pages, never by editing a status."""

from django.contrib import admin

from standards.models import (
    Category,
    Criterion,
    ReviewReminder,
    Standard,
    StandardVersion,
    TypicalSituation,
)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]


@admin.register(Standard)
class StandardAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "category", "owner", "next_review_date", "retired_at"]
    list_filter = ["category", "channels", "four_eyes"]
    list_select_related = ["category", "owner"]
    search_fields = ["title", "slug"]
    # Retiring withdraws obligations: only the page and the API do it, through the service.
    readonly_fields = ["last_reviewed_on", "next_review_date", "retired_at", "retired_by"]
    filter_horizontal = ["channels"]


class _FrozenAwareInline(admin.TabularInline):
    extra = 0

    def _frozen(self, obj) -> bool:
        return obj is not None and obj.is_frozen

    def has_add_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_delete_permission(request, obj)


class CriterionInline(_FrozenAwareInline):
    model = Criterion
    fields = ["order", "text", "weight", "is_critical"]


class TypicalSituationInline(_FrozenAwareInline):
    model = TypicalSituation
    fields = ["order", "title", "customer_says", "prescribed_response"]


@admin.register(StandardVersion)
class StandardVersionAdmin(admin.ModelAdmin):
    list_display = ["standard", "number", "status", "change_kind", "published_at"]
    list_filter = ["status", "change_kind"]
    list_select_related = ["standard"]
    search_fields = ["standard__title", "body_markdown"]
    inlines = [CriterionInline, TypicalSituationInline]
    readonly_fields = [
        "standard",
        "number",
        "status",
        "body_html",
        "author",
        "approver",
        "submitted_at",
        "published_at",
        "archived_at",
    ]
    fields = [
        "standard",
        "number",
        "status",
        "change_kind",
        "change_summary",
        "body_markdown",
        "body_html",
        "review_comment",
        "author",
        "approver",
        "submitted_at",
        "published_at",
        "archived_at",
    ]

    def has_add_permission(self, request):
        # New versions start in the portal (the editor or the API), which numbers and copies them.
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_frozen:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_frozen:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        # The bulk delete action would try published versions too.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(ReviewReminder)
class ReviewReminderAdmin(admin.ModelAdmin):
    list_display = ["standard", "review_date", "kind", "recipient", "sent_at"]
    list_filter = ["kind"]
    list_select_related = ["standard"]
    readonly_fields = ["standard", "review_date", "kind", "recipient", "sent_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
