"""Manager pages for channels and business calendars.

Every write goes through :mod:`channels_app.services`; its ``ValidationError`` is shown on the
form it came from, so bad input is a form error and never a 500.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import FormView, ListView, TemplateView

from channels_app import selectors, services, weekhours
from channels_app.forms import (
    CalendarForm,
    ChannelForm,
    CopyDayForm,
    HolidayFormSet,
    HolidayImportForm,
    OpeningIntervalFormSet,
    hours_initial,
)
from channels_app.models import BusinessCalendar, Channel
from core.forms import add_service_errors
from core.permissions import ManagerRequiredMixin

LIST_PAGE_SIZE = 50


# -- channels ------------------------------------------------------------------------------------


def _channel_or_404(view) -> Channel:
    return get_object_or_404(selectors.channel_list(user=view.request.user), pk=view.kwargs["pk"])


class ChannelListView(ManagerRequiredMixin, ListView):
    template_name = "channels_app/channel_list.html"
    context_object_name = "channels"
    paginate_by = LIST_PAGE_SIZE

    def get_queryset(self):
        return selectors.channel_list(user=self.request.user)


class ChannelFormView(ManagerRequiredMixin, FormView):
    template_name = "channels_app/channel_form.html"
    form_class = ChannelForm
    success_url = reverse_lazy("channels:channel-list")
    channel: Channel | None = None

    def get_channel(self) -> Channel | None:
        return None

    # The object is loaded in the handlers, i.e. after the role check in dispatch(), so that
    # users without the role get 403 whether or not the object exists.
    def get(self, request, *args, **kwargs):
        self.channel = self.get_channel()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.channel = self.get_channel()
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.channel
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(channel=self.channel, **kwargs)

    def form_valid(self, form):
        try:
            channel = self.save(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(exc, form)
            return self.form_invalid(form)
        messages.success(self.request, _("Channel “%(name)s” saved.") % {"name": channel.name})
        return super().form_valid(form)


class ChannelCreateView(ChannelFormView):
    def save(self, data) -> Channel:
        return services.channel_create(**data)


class ChannelUpdateView(ChannelFormView):
    def get_channel(self) -> Channel:
        return _channel_or_404(self)

    def save(self, data) -> Channel:
        return services.channel_update(channel=self.channel, **data)


class ChannelDeleteView(ManagerRequiredMixin, TemplateView):
    """GET asks for confirmation (no script may do it under our CSP), POST deletes."""

    template_name = "channels_app/confirm_delete.html"

    def get_object(self) -> Channel:
        return _channel_or_404(self)

    def get_context_data(self, **kwargs):
        channel = self.get_object()
        return super().get_context_data(
            object=channel,
            cancel_url=reverse("channels:channel-update", args=[channel.pk]),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        channel = self.get_object()
        try:
            services.channel_delete(channel=channel)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("channels:channel-update", pk=channel.pk)
        messages.success(request, _("Channel “%(name)s” deleted.") % {"name": channel.name})
        return redirect("channels:channel-list")


# -- calendars -----------------------------------------------------------------------------------


class CalendarListView(ManagerRequiredMixin, ListView):
    template_name = "channels_app/calendar_list.html"
    context_object_name = "calendars"
    paginate_by = LIST_PAGE_SIZE

    def get_queryset(self):
        return selectors.calendar_list_with_counts(user=self.request.user)


def _calendar_or_404(view) -> BusinessCalendar:
    return get_object_or_404(selectors.calendar_list(user=view.request.user), pk=view.kwargs["pk"])


class CalendarFormView(ManagerRequiredMixin, TemplateView):
    """Name, time zone, weekly hours and holidays on one page, saved in one service call."""

    template_name = "channels_app/calendar_form.html"
    calendar: BusinessCalendar | None = None

    def get_calendar(self) -> BusinessCalendar | None:
        return None

    def build_forms(self, data=None):
        calendar = self.calendar
        # Posted rows are judged on their own: comparing them with the current rows could
        # mistake a blank extra row for an emptied one if the calendar changed meanwhile.
        if calendar is None or data is not None:
            initial, hours, holidays = {}, [], []
        else:
            initial = {
                "name": calendar.name,
                "timezone": calendar.timezone,
                "always_open": calendar.always_open,
            }
            hours = hours_initial(
                (h.weekday, h.start_minute, h.end_minute) for h in calendar.hours.all()
            )
            holidays = [{"date": h.date, "name": h.name} for h in calendar.holidays.all()]
        return (
            CalendarForm(data, initial=initial),
            OpeningIntervalFormSet(data, initial=hours, prefix="hours"),
            HolidayFormSet(data, initial=holidays, prefix="holidays"),
        )

    def get(self, request, *args, **kwargs):
        self.calendar = self.get_calendar()
        form, hours, holidays = self.build_forms()
        return self.render(form, hours, holidays)

    def post(self, request, *args, **kwargs):
        self.calendar = self.get_calendar()
        form, hours, holidays = self.build_forms(request.POST)
        if request.POST.get("action") == "copy":
            return self.copy_day(form, hours, holidays)
        if form.is_valid() & hours.is_valid() & holidays.is_valid():  # validate all, show all
            try:
                calendar = self.save(
                    **form.cleaned_data,
                    hours=hours.intervals(),
                    holidays=[(r["date"], r["name"]) for r in holidays.rows()],
                )
            except ValidationError as exc:
                add_service_errors(exc, form, formsets={"hours": hours, "holidays": holidays})
            else:
                messages.success(request, _("Calendar “%(name)s” saved.") % {"name": calendar.name})
                return redirect("channels:calendar-update", pk=calendar.pk)
        return self.render(form, hours, holidays)

    def copy_day(self, form, hours, holidays):
        """The page without a script: copy the posted rows of one day to others, save nothing.

        The rest of the page comes back as posted (unbound where it can, so a half-filled new
        calendar does not greet the manager with "required" errors).
        """
        copy_form = CopyDayForm(self.request.POST, prefix="copy")
        if not (hours.is_valid() & copy_form.is_valid()):
            return self.render(form, hours, holidays, copy_form=copy_form)
        source, targets = copy_form.cleaned_data["source"], copy_form.cleaned_data["targets"]
        rows = weekhours.copy_day(hours.entered_rows(), source, targets)
        hours = OpeningIntervalFormSet(
            initial=[{"weekday": w, "start": s, "end": e} for w, s, e in rows], prefix="hours"
        )
        data = self.request.POST
        form = CalendarForm(
            initial={
                "name": data.get("name", ""),
                "timezone": data.get("timezone") or "Europe/Warsaw",
                "always_open": bool(data.get("always_open")),
            }
        )
        copied = len([day for day in targets if day != source])
        messages.info(
            self.request,
            ngettext(
                "Copied to %(count)d day. Save to keep the changes.",
                "Copied to %(count)d days. Save to keep the changes.",
                copied,
            )
            % {"count": copied},
        )
        return self.render(form, hours, holidays, copy_form=CopyDayForm(prefix="copy"))

    def render(self, form, hours, holidays, copy_form=None):
        context = self.get_context_data(
            form=form,
            hours_formset=hours,
            holidays_formset=holidays,
            copy_form=copy_form or CopyDayForm(prefix="copy"),
            calendar=self.calendar,
            import_form=HolidayImportForm() if self.calendar else None,
        )
        return self.render_to_response(context)


class CalendarCreateView(CalendarFormView):
    def save(self, **data) -> BusinessCalendar:
        return services.calendar_create(**data)


class CalendarUpdateView(CalendarFormView):
    def get_calendar(self) -> BusinessCalendar:
        return _calendar_or_404(self)

    def save(self, **data) -> BusinessCalendar:
        return services.calendar_update(calendar=self.calendar, **data)


class CalendarDeleteView(ManagerRequiredMixin, TemplateView):
    """GET asks for confirmation, POST deletes or explains which channels still use it."""

    template_name = "channels_app/confirm_delete.html"

    def get_context_data(self, **kwargs):
        calendar = _calendar_or_404(self)
        return super().get_context_data(
            object=calendar,
            cancel_url=reverse("channels:calendar-update", args=[calendar.pk]),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        calendar = _calendar_or_404(self)
        try:
            services.calendar_delete(calendar=calendar)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("channels:calendar-update", pk=calendar.pk)
        messages.success(request, _("Calendar “%(name)s” deleted.") % {"name": calendar.name})
        return redirect("channels:calendar-list")


class CalendarImportHolidaysView(ManagerRequiredMixin, FormView):
    """Add a country's public holidays for a year to the calendar (existing dates are kept)."""

    template_name = "channels_app/calendar_import_holidays.html"
    form_class = HolidayImportForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(calendar=self.calendar, **kwargs)

    def get(self, request, *args, **kwargs):
        self.calendar = _calendar_or_404(self)
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.calendar = _calendar_or_404(self)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            count = services.calendar_import_holidays(calendar=self.calendar, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(exc, form)
            return self.form_invalid(form)
        messages.success(
            self.request,
            ngettext(
                "Imported %(count)d holiday into “%(name)s”.",
                "Imported %(count)d holidays into “%(name)s”.",
                count,
            )
            % {"count": count, "name": self.calendar.name},
        )
        return redirect("channels:calendar-update", pk=self.calendar.pk)

    def form_invalid(self, form):
        messages.error(self.request, _("The holidays could not be imported; see the errors below."))
        return super().form_invalid(form)
