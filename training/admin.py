"""Admin: a window onto the data. Acknowledgements are read-only here, as everywhere."""

from django.contrib import admin

from training.models import (
    Acknowledgement,
    CheckAttempt,
    GroupRule,
    Obligation,
    Track,
    TrackAssignment,
    TrackItem,
    TrainingProfile,
)


class TrackItemInline(admin.TabularInline):
    model = TrackItem
    extra = 0


@admin.register(Track)
class TrackAdmin(admin.ModelAdmin):
    list_display = ["name"]
    inlines = [TrackItemInline]


@admin.register(TrackAssignment)
class TrackAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "track", "start_date", "source"]
    list_select_related = ["user", "track"]


@admin.register(GroupRule)
class GroupRuleAdmin(admin.ModelAdmin):
    list_display = ["group", "track"]


@admin.register(TrainingProfile)
class TrainingProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "timezone", "work_start", "work_end"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Acknowledgement)
class AcknowledgementAdmin(ReadOnlyAdmin):
    list_display = ["user", "version", "acknowledged_at", "quiz_score"]
    list_select_related = ["user", "version__standard"]
    search_fields = ["user__username", "version__standard__title"]


@admin.register(CheckAttempt)
class CheckAttemptAdmin(ReadOnlyAdmin):
    list_display = ["user", "version", "score", "passed", "at", "cleared_at"]
    list_select_related = ["user", "version__standard"]


@admin.register(Obligation)
class ObligationAdmin(ReadOnlyAdmin):
    list_display = ["user", "standard", "version", "due_date", "state"]
    list_select_related = ["user", "standard", "version"]
