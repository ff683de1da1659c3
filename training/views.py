"""Onboarding pages: "My onboarding" and the acknowledgement flow for staff; the matrix,
people, tracks, group rules and checks for managers. Pages call services and selectors only."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.generic import DetailView, FormView, ListView, TemplateView, View

from core.clientip import client_ip
from core.csv import csv_response
from core.figures import percent
from portal.permissions import ManagerRequiredMixin, RoleRequiredMixin
from portal.roles import MANAGER, STAFF, has_role
from standards.models import Standard, StandardVersion
from standards.views.common import apply_errors, flash_errors
from training import selectors, services
from training.forms import (
    AcknowledgeForm,
    AssignForm,
    CheckForm,
    CheckSettingsForm,
    GroupRuleForm,
    MatrixFilterForm,
    QuestionForm,
    TrackForm,
    TrackItemFormSet,
    WorkingHoursForm,
)
from training.models import Acknowledgement, GroupRule, Question, Track, TrackAssignment

READERS = (MANAGER, STAFF)
MATRIX_PAGE_SIZE = 50


class MyOnboardingView(RoleRequiredMixin, TemplateView):
    allowed_roles = READERS
    template_name = "training/my_onboarding.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, **selectors.my_onboarding(self.request.user))


class VersionMixin:
    def get_version(self) -> StandardVersion:
        standard = get_object_or_404(Standard, slug=self.kwargs["slug"])
        versions = StandardVersion.objects.filter(standard=standard)
        if not has_role(self.request.user, MANAGER):
            versions = versions.visible_to_staff()
        version = get_object_or_404(versions, number=self.kwargs["number"])
        version.standard = standard
        return version


class AcknowledgeCurrentView(RoleRequiredMixin, View):
    """The standard's published version, to read and acknowledge."""

    allowed_roles = READERS

    def get(self, request, slug):
        version = (
            StandardVersion.objects.filter(
                standard__slug=slug, status=StandardVersion.Status.PUBLISHED
            )
            .values_list("number", flat=True)
            .first()
        )
        if version is None:
            raise Http404
        return redirect("training:acknowledge", slug=slug, number=version)


class AcknowledgeView(RoleRequiredMixin, VersionMixin, TemplateView):
    """Read the version, take its check, then acknowledge it."""

    allowed_roles = READERS
    template_name = "training/acknowledge.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.version = self.get_version()
        return super().dispatch(request, *args, **kwargs)

    def _questions(self):
        return list(self.version.training_questions.prefetch_related("choices"))

    def get_context_data(self, check_form=None, ack_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        version = StandardVersion.objects.prefetch_related("criteria", "situations").get(
            pk=self.version.pk
        )
        version.standard = self.version.standard
        questions = self._questions()
        existing = Acknowledgement.objects.filter(user=user, version=version).first()
        state = services.attempts_state(user=user, version=version) if questions else None
        refusal = None
        if version.status == StandardVersion.Status.ARCHIVED:
            refusal = _(
                "This version was replaced by a newer one; acknowledge the current version."
            )
        elif version.status != StandardVersion.Status.PUBLISHED:
            refusal = _("This version is not published yet; it cannot be acknowledged.")
        if check_form is None and questions and state and not state["passed"]:
            check_form = CheckForm(questions=questions)
        if ack_form is None:
            ack_form = AcknowledgeForm()
        if existing is None and refusal is None:
            context.update(selectors.changes_since_acknowledged(user=user, version=version))
        context.update(
            version=version,
            standard=version.standard,
            questions=questions,
            state=state,
            existing=existing,
            refusal=refusal,
            check_form=check_form,
            ack_form=ack_form,
            needs_check=bool(questions) and not (state and state["passed"]),
        )
        return context

    def post(self, request, *args, **kwargs):
        if "check" in request.POST:
            form = CheckForm(request.POST, questions=self._questions())
            if not form.is_valid():
                return self.render_to_response(self.get_context_data(check_form=form))
            try:
                attempt = services.check_attempt_submit(
                    user=request.user, version=self.version, answers=form.answers()
                )
            except ValidationError as exc:
                flash_errors(request, exc)
                return redirect(request.path)
            if attempt.passed:
                messages.success(
                    request,
                    _("You passed the check with %(score)s. Now confirm and sign below.")
                    % {"score": percent(attempt.score)},
                )
            else:
                messages.error(
                    request,
                    _("%(score)s is below the pass mark. Read the standard again and retry.")
                    % {"score": percent(attempt.score)},
                )
            return redirect(request.path)
        form = AcknowledgeForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(ack_form=form))
        try:
            record, created = services.acknowledgement_create(
                user=request.user,
                version=self.version,
                full_name=form.cleaned_data["full_name"],
                confirmed=form.cleaned_data["confirmed"],
                ip_address=client_ip(request),
                user_agent=request.headers.get("user-agent", ""),
            )
        except ValidationError as exc:
            apply_errors(exc, forms=[form], fallback=form)
            return self.render_to_response(self.get_context_data(ack_form=form))
        if created:
            messages.success(request, _("Thank you: your acknowledgement is recorded."))
        else:
            messages.info(request, _("You had acknowledged this version already."))
        return redirect(record)


class AcknowledgementDetailView(RoleRequiredMixin, DetailView):
    """One record, with its fingerprint recomputed from what is stored now."""

    allowed_roles = READERS
    template_name = "training/acknowledgement_detail.html"
    context_object_name = "record"

    def get_queryset(self):
        qs = Acknowledgement.objects.select_related("user", "version__standard").prefetch_related(
            "version__criteria", "version__situations"
        )
        if not has_role(self.request.user, MANAGER):
            qs = qs.filter(user=self.request.user)
        return qs

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, verified=self.object.fingerprint_is_valid())


# --- Managers -----------------------------------------------------------------------------


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


class TrackListView(ManagerRequiredMixin, ListView):
    template_name = "training/track_list.html"
    context_object_name = "tracks"

    def get_queryset(self):
        return Track.objects.prefetch_related("items__standard", "group_rules__group").annotate(
            people=Count("assignments")
        )


class TrackEditView(ManagerRequiredMixin, TemplateView):
    """Create (no pk) or edit a track and its ordered items."""

    template_name = "training/track_form.html"

    def get_track(self):
        if "pk" in self.kwargs:
            return get_object_or_404(Track, pk=self.kwargs["pk"])
        return None

    def get(self, request, *args, **kwargs):
        track = self.get_track()
        initial = {}
        items = []
        if track:
            initial = {"name": track.name, "description": track.description}
            items = [
                {"standard": i.standard_id, "due_offset_days": i.due_offset_days, "order": n}
                for n, i in enumerate(track.items.all(), start=1)
            ]
        return self.render_to_response(
            self.get_context_data(
                track=track,
                form=TrackForm(initial=initial),
                formset=TrackItemFormSet(initial=items, prefix="items"),
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        formset = context["formset"]
        initial = [f.initial.get("standard") for f in formset.forms]
        checks = selectors.check_versions([pk for pk in initial if pk])
        # Each row with the version whose comprehension check it leads to (or None).
        context["rows"] = [
            (form, checks.get(pk)) for form, pk in zip(formset.forms, initial, strict=True)
        ]
        return context

    def post(self, request, *args, **kwargs):
        track = self.get_track()
        form = TrackForm(request.POST)
        formset = TrackItemFormSet(request.POST, prefix="items")
        if form.is_valid() and formset.is_valid():
            rows = [
                (f.cleaned_data.get("order") or 0, n, f.cleaned_data)
                for n, f in enumerate(formset.forms)
                if f.cleaned_data.get("standard") and not f.cleaned_data.get("DELETE")
            ]
            items = [data for _o, _n, data in sorted(rows, key=lambda r: (r[0], r[1]))]
            try:
                track = services.track_save(
                    user=request.user,
                    track=track,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    items=items,
                )
            except ValidationError as exc:
                apply_errors(exc, forms=[form], fallback=form)
            else:
                messages.success(request, _("The track is saved."))
                return redirect("training:track-edit", pk=track.pk)
        return self.render_to_response(
            self.get_context_data(track=track, form=form, formset=formset)
        )


class TrackAssignView(ManagerRequiredMixin, FormView):
    template_name = "training/track_assign.html"
    form_class = AssignForm

    def dispatch(self, request, *args, **kwargs):
        self.track = get_object_or_404(Track, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, track=self.track)

    def form_valid(self, form):
        users = set(form.cleaned_data["users"])
        for group in form.cleaned_data["groups"]:
            users.update(group.user_set.filter(is_active=True))
        created = services.track_assign(
            track=self.track,
            users=users,
            start_date=form.cleaned_data["start_date"],
            by=self.request.user,
        )
        messages.success(
            self.request,
            ngettext(
                "%(count)d new assignment; people who had the track keep their start date.",
                "%(count)d new assignments; people who had the track keep their start date.",
                len(created),
            )
            % {"count": len(created)},
        )
        return redirect("training:tracks")


class GroupRulesView(ManagerRequiredMixin, FormView):
    template_name = "training/group_rules.html"
    form_class = GroupRuleForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **kwargs, rules=GroupRule.objects.select_related("group", "track")
        )

    def form_valid(self, form):
        services.group_rule_create(
            group=form.cleaned_data["group"],
            track=form.cleaned_data["track"],
            by=self.request.user,
            assign_members=form.cleaned_data["assign_members"],
        )
        messages.success(self.request, _("The rule is saved."))
        return redirect("training:group-rules")


class GroupRuleDeleteView(ManagerRequiredMixin, View):
    def post(self, request, pk):
        services.group_rule_delete(rule=get_object_or_404(GroupRule, pk=pk), by=request.user)
        messages.success(request, _("The rule is removed; existing assignments stay."))
        return redirect("training:group-rules")


class QuestionsView(ManagerRequiredMixin, VersionMixin, TemplateView):
    """The check of one version: written with it while it is a draft or in review."""

    template_name = "training/questions.html"

    @cached_property
    def version(self) -> StandardVersion:
        # Looked up when first used, i.e. after the role check: someone who is not a manager
        # gets 403 whether or not the version exists, and learns nothing about drafts.
        return self.get_version()

    def get_context_data(self, question_form=None, settings_form=None, **kwargs):
        check = services.check_for(self.version)
        return super().get_context_data(
            **kwargs,
            version=self.version,
            standard=self.version.standard,
            editable=self.version.status in StandardVersion.OPEN_STATUSES,
            questions=self.version.training_questions.prefetch_related("choices"),
            check=check,
            question_form=question_form or QuestionForm(),
            settings_form=settings_form
            or CheckSettingsForm(
                initial={"pass_mark": check.pass_mark, "max_attempts": check.max_attempts}
            ),
        )

    def post(self, request, *args, **kwargs):
        if "settings" in request.POST:
            form = CheckSettingsForm(request.POST)
            if form.is_valid():
                try:
                    services.check_settings_update(
                        version=self.version, user=request.user, **form.cleaned_data
                    )
                except ValidationError as exc:
                    apply_errors(exc, forms=[form], fallback=form)
                else:
                    messages.success(request, _("The check settings are saved."))
                    return redirect(request.path)
            return self.render_to_response(self.get_context_data(settings_form=form))
        form = QuestionForm(request.POST)
        if form.is_valid():
            try:
                services.question_create(
                    version=self.version,
                    user=request.user,
                    text=form.cleaned_data["text"],
                    kind=form.cleaned_data["kind"],
                    choices=services.parse_choices(form.cleaned_data["choices"]),
                )
            except ValidationError as exc:
                apply_errors(exc, forms=[form], fallback=form)
            else:
                messages.success(request, _("The question is added."))
                return redirect(request.path)
        return self.render_to_response(self.get_context_data(question_form=form))


class QuestionDeleteView(ManagerRequiredMixin, View):
    def post(self, request, pk):
        question = get_object_or_404(Question.objects.select_related("version__standard"), pk=pk)
        version = question.version
        try:
            services.question_delete(question=question, user=request.user)
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, _("The question is removed."))
        return redirect(
            reverse(
                "training:questions",
                kwargs={"slug": version.standard.slug, "number": version.number},
            )
        )
