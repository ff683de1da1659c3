"""Admin: a window onto the data. Acknowledgements are read-only here, as everywhere.

What changes obligations goes through the services, as on the pages: track items and
assignments are added on the onboarding pages (the admin shows them), and deleting a track or
an assignment here withdraws what it alone required (``track_delete``, ``track_unassign``).
"""

from django import forms
from django.contrib import admin

from portal.admin import ReadOnlyAdmin, ReadOnlyAdminMixin
from training import services
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


class TrackItemInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Read-only: items are edited on the track page, which keeps obligations in step."""

    model = TrackItem
    extra = 0
    fields = ["standard", "order", "due_offset_days"]
    readonly_fields = fields


@admin.register(Track)
class TrackAdmin(admin.ModelAdmin):
    list_display = ["name"]
    inlines = [TrackItemInline]

    def delete_model(self, request, obj):
        services.track_delete(track=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for track in queryset:
            services.track_delete(track=track, by=request.user)


@admin.register(TrackAssignment)
class TrackAssignmentAdmin(admin.ModelAdmin):
    """Assign on the track's page; unassigning here is the same service as on the pages."""

    list_display = ["user", "track", "start_date", "source"]
    list_select_related = ["user", "track"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        services.track_unassign(assignment=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for assignment in queryset:
            services.track_unassign(assignment=assignment, by=request.user)


@admin.register(GroupRule)
class GroupRuleAdmin(admin.ModelAdmin):
    list_display = ["group", "track"]


class TrainingProfileAdminForm(forms.ModelForm):
    class Meta:
        model = TrainingProfile
        fields = ["user", "timezone", "work_start", "work_end"]

    def clean(self):
        data = super().clean()
        services.working_hours_validate(
            timezone_name=data.get("timezone") or "",
            work_start=data.get("work_start"),
            work_end=data.get("work_end"),
        )
        return data


@admin.register(TrainingProfile)
class TrainingProfileAdmin(admin.ModelAdmin):
    form = TrainingProfileAdminForm
    list_display = ["user", "timezone", "work_start", "work_end"]

    def get_readonly_fields(self, request, obj=None):
        return ["user"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        profile = services.training_profile_update(
            user=obj.user,
            by=request.user,
            timezone_name=obj.timezone,
            work_start=obj.work_start,
            work_end=obj.work_end,
        )
        obj.pk = profile.pk


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
    list_filter = ["state"]
