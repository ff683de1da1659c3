"""Managers' pages for tracks, their assignment and group rules."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import FormView, ListView, TemplateView, View

from core.permissions import ManagerRequiredMixin
from standards.views.common import apply_errors
from training import selectors, services
from training.forms import (
    AssignForm,
    GroupRuleForm,
    TrackForm,
    TrackItemFormSet,
)
from training.models import GroupRule, Track


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
