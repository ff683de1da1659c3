"""Managers' pages about people: the matrix (and its CSV), a person's history, taking a track
away, working hours and resetting check attempts."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.generic import FormView, TemplateView, View

from core.csv import csv_response
from core.permissions import ManagerRequiredMixin
from standards.models import StandardVersion
from standards.views.common import apply_errors
from training import selectors, services
from training.forms import (
    MatrixFilterForm,
    WorkingHoursForm,
)
from training.models import TrackAssignment

MATRIX_PAGE_SIZE = 50


class MatrixView(ManagerRequiredMixin, TemplateView):
    template_name = "training/matrix.html"

    def get(self, request, *args, **kwargs):
        form = MatrixFilterForm(request.GET or None)
        group = track = None
        if form.is_bound and form.is_valid():
            group, track = form.cleaned_data["group"], form.cleaned_data["track"]
        users = selectors.matrix(
            group_id=group.pk if group else None, track_id=track.pk if track else None
        )
        track_ids = [track.pk] if track else None
        if request.GET.get("format") == "csv":
            return self._csv(list(users), track_ids)
        page = Paginator(users, MATRIX_PAGE_SIZE).get_page(request.GET.get("page"))
        rows = selectors.build_rows(list(page), track_ids=track_ids)
        columns = selectors.matrix_columns(rows)
        table = [(row, [row.cells.get(s.pk) for s in columns]) for row in rows]
        query = request.GET.copy()
        query.pop("page", None)
        return self.render_to_response(
            self.get_context_data(
                form=form, page=page, table=table, columns=columns, query=query.urlencode()
            )
        )

    def _csv(self, users, track_ids):
        rows = selectors.build_rows(users, track_ids=track_ids)
        columns = selectors.matrix_columns(rows)
        header = [
            _("Username"),
            pgettext("person", "Name"),
            _("Progress (%)"),
            *[s.slug for s in columns],
        ]
        return csv_response(
            # Built now, in the request's language, not later while the response streams.
            "onboarding-matrix.csv",
            header,
            [_matrix_csv_row(row, columns) for row in rows],
        )


def _matrix_csv_row(row, columns) -> list:
    """One person's line, in the reader's language (words and dates) like the headers above."""
    cells = []
    for standard in columns:
        cell = row.cells.get(standard.pk)
        if cell is None:
            cells.append("")
        elif cell.state == "acknowledged":
            cells.append(
                pgettext("onboarding matrix CSV", "acknowledged v%(version)s")
                % {"version": cell.acknowledged_version}
            )
        elif cell.is_open:
            values = {
                "version": cell.version_number,
                "date": date_format(cell.due_date, "SHORT_DATE_FORMAT"),
            }
            if cell.state == "overdue":
                text = pgettext("onboarding matrix CSV", "overdue v%(version)s, due %(date)s")
            else:
                text = pgettext("onboarding matrix CSV", "to do v%(version)s, due %(date)s")
            text %= values
            if cell.failed_check:
                text += "; " + pgettext("onboarding matrix CSV", "failed check")
            cells.append(text)
        else:
            cells.append(pgettext("onboarding matrix CSV", "unavailable"))
    return [row.user.username, row.user.get_full_name(), row.percent, *cells]


def _name(user) -> str:
    return user.get_full_name() or user.username


class PersonView(ManagerRequiredMixin, TemplateView):
    template_name = "training/person.html"

    def get_context_data(self, **kwargs):
        person = get_object_or_404(
            User.objects.select_related("training_profile"), username=self.kwargs["username"]
        )
        profile = getattr(person, "training_profile", None)
        [row] = selectors.build_rows([person])
        return super().get_context_data(
            **kwargs,
            person=person,
            row=row,
            profile=profile,
            hours_known=bool(profile and profile.work_start and profile.work_end),
            working_zone=(profile and profile.timezone) or settings.TIME_ZONE,
            **selectors.person_history(person),
        )


class TrackUnassignView(ManagerRequiredMixin, TemplateView):
    """GET asks for confirmation and shows what will be withdrawn; POST unassigns."""

    template_name = "training/track_unassign.html"

    def _assignments(self):
        return TrackAssignment.objects.select_related("user", "track").filter(
            user__username=self.kwargs["username"], track_id=self.kwargs["track_id"]
        )

    def get_context_data(self, **kwargs):
        assignment = get_object_or_404(self._assignments())
        return super().get_context_data(
            **kwargs,
            assignment=assignment,
            person=assignment.user,
            **selectors.unassign_preview(assignment),
        )

    def post(self, request, username, track_id):
        assignment = self._assignments().first()
        if assignment is None:  # a second click, or another manager was quicker
            person = get_object_or_404(User, username=username)
            messages.info(
                request,
                _("This track is not assigned to %(name)s.") % {"name": _name(person)},
            )
            return redirect("training:person", username=username)
        withdrawn = services.track_unassign(assignment=assignment, by=request.user)
        messages.success(
            request,
            ngettext(
                "“%(track)s” is no longer assigned to %(name)s; "
                "%(count)d outstanding standard was withdrawn.",
                "“%(track)s” is no longer assigned to %(name)s; "
                "%(count)d outstanding standards were withdrawn.",
                withdrawn,
            )
            % {"track": assignment.track.name, "name": _name(assignment.user), "count": withdrawn},
        )
        return redirect("training:person", username=username)


class WorkingHoursView(ManagerRequiredMixin, FormView):
    """A person's working hours, which the reminders honour."""

    template_name = "training/working_hours.html"
    form_class = WorkingHoursForm

    @cached_property
    def person(self):
        return get_object_or_404(
            User.objects.select_related("training_profile"), username=self.kwargs["username"]
        )

    def get_initial(self):
        profile = getattr(self.person, "training_profile", None)
        if profile is None:
            return {}
        return {
            "timezone": profile.timezone,
            "work_start": profile.work_start,
            "work_end": profile.work_end,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, person=self.person)

    def form_valid(self, form):
        try:
            services.training_profile_update(
                user=self.person,
                by=self.request.user,
                timezone_name=form.cleaned_data["timezone"],
                work_start=form.cleaned_data["work_start"],
                work_end=form.cleaned_data["work_end"],
            )
        except ValidationError as exc:
            apply_errors(exc, forms=[form], fallback=form)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("The working hours of %(name)s are saved.") % {"name": _name(self.person)},
        )
        return redirect("training:person", username=self.person.username)


class ResetAttemptsView(ManagerRequiredMixin, View):
    def post(self, request, username, version_id):
        person = get_object_or_404(User, username=username)
        version = get_object_or_404(StandardVersion, pk=version_id)
        count = services.check_attempts_reset(user=person, version=version, by=request.user)
        messages.success(
            request,
            ngettext(
                "%(count)d attempt reset: %(name)s may take the check again.",
                "%(count)d attempts reset: %(name)s may take the check again.",
                count,
            )
            % {"count": count, "name": person.get_full_name() or person.username},
        )
        return redirect("training:person", username=username)
