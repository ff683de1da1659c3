"""Admin: evaluations are shown, never changed (a manager deletes one from its page)."""

from django.contrib import admin

from portal.admin import ReadOnlyAdminMixin
from quality.models import Evaluation, EvaluationItem, EvaluationResponse


class EvaluationItemInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = EvaluationItem
    fields = ["criterion", "result", "note"]
    readonly_fields = fields
    extra = 0


class EvaluationResponseInline(ReadOnlyAdminMixin, admin.StackedInline):
    model = EvaluationResponse
    fields = ["kind", "comment", "author", "created_at"]
    readonly_fields = fields
    extra = 0


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Evaluations are records of a judgement: the admin shows them and changes nothing (a
    manager deletes one from its page in the portal)."""

    list_display = [
        "occurred_at",
        "agent",
        "standard",
        "version",
        "channel",
        "interaction_reference",
        "evaluator",
        "score",
        "critical_missed",
        "resolution",
    ]
    list_filter = ["critical_missed", "resolution", "standard", "channel"]
    list_select_related = ["agent", "standard", "version__standard", "channel", "evaluator"]
    search_fields = ["interaction_reference", "agent__username", "agent__last_name"]
    date_hierarchy = "occurred_at"
    inlines = [EvaluationResponseInline, EvaluationItemInline]
    fields = [
        "standard",
        "version",
        "agent",
        "evaluator",
        "channel",
        "interaction_reference",
        "occurred_at",
        "comment",
        "score",
        "critical_missed",
        "created_at",
        "supersedes",
        "resolution",
        "resolution_reason",
        "resolved_by",
    ]
    readonly_fields = fields
