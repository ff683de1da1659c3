from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from channels_app.models import BusinessCalendar, Channel, Holiday, OpeningInterval
from channels_app.services import opening_hours_problems


class OpeningIntervalInlineFormSet(forms.BaseInlineFormSet):
    """The admin writes rows directly, so it checks overlaps with the services' own rules."""

    def clean(self):
        super().clean()
        keys = ("weekday", "start_minute", "end_minute")
        hours = [
            tuple(form.cleaned_data[key] for key in keys)
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and all(form.cleaned_data.get(key) is not None for key in keys)
        ]
        problems = opening_hours_problems(hours)
        if problems:
            raise forms.ValidationError(problems)


class OpeningIntervalInline(admin.TabularInline):
    model = OpeningInterval
    formset = OpeningIntervalInlineFormSet
    fields = ["weekday", "start_minute", "end_minute"]
    extra = 0


class HolidayInline(admin.TabularInline):
    model = Holiday
    fields = ["date", "name"]
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "timezone", "always_open", "updated_at"]
    list_filter = ["always_open", "timezone"]
    search_fields = ["name"]
    inlines = [OpeningIntervalInline, HolidayInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Bump updated_at after the inline rows changed, so cached pure calendars go stale.
        form.instance.save(update_fields=["updated_at"])


class CalendarRowAdmin(admin.ModelAdmin):
    """Rows edited on their own still bump their calendar's updated_at (cache invalidation)."""

    list_select_related = ["calendar"]

    def _touch(self, calendar_ids) -> None:
        for calendar in BusinessCalendar.objects.filter(pk__in=set(calendar_ids)):
            calendar.save(update_fields=["updated_at"])

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A row moved to another calendar changes both.
        self._touch([obj.calendar_id, form.initial.get("calendar")])

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._touch([obj.calendar_id])

    def delete_queryset(self, request, queryset):
        calendar_ids = list(queryset.values_list("calendar_id", flat=True))
        super().delete_queryset(request, queryset)
        self._touch(calendar_ids)


@admin.register(OpeningInterval)
class OpeningIntervalAdmin(CalendarRowAdmin):
    list_display = ["calendar", "weekday", "start_minute", "end_minute"]
    list_filter = ["weekday", "calendar"]


@admin.register(Holiday)
class HolidayAdmin(CalendarRowAdmin):
    list_display = ["date", "name", "calendar"]
    list_filter = ["calendar"]
    date_hierarchy = "date"
    search_fields = ["name"]


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "calendar", "owner", "is_active"]
    list_filter = ["kind", "is_active", "calendar"]
    search_fields = ["code", "name"]
    list_select_related = ["calendar", "owner"]
    autocomplete_fields = ["owner"]
    prepopulated_fields = {"code": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "code", "kind", "is_active"]}),
        (_("Service"), {"fields": ["calendar", "owner"]}),
    ]
