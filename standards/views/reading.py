"""Reading pages: the list with filters and search, a standard, one version, the history, a diff."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext
from django.views.generic import ListView, TemplateView

from core import hooks, parse
from standards import selectors, services
from standards.diff import VersionDiff, diff_versions
from standards.forms import StandardFilterForm
from standards.models import StandardVersion
from standards.views.common import ManagerRequiredMixin, ReaderRequiredMixin, StandardMixin

#: Links other apps put on a standard's and a version's pages (training: the comprehension
#: check); the object is the version the page is about, None when there is none.
VERSION_LINKS = "standards.version_links"

Status = StandardVersion.Status


class StandardListView(ReaderRequiredMixin, ListView):
    template_name = "standards/standard_list.html"
    context_object_name = "standards"
    paginate_by = 25

    def get_filter_form(self) -> StandardFilterForm:
        if not hasattr(self, "_filter_form"):
            user = self.request.user
            self._filter_form = StandardFilterForm(
                self.request.GET or None,
                categories=selectors.categories_in_use(user=user),
                channels=selectors.channels_in_use(user=user),
                can_manage=selectors.can_manage(user),
            )
        return self._filter_form

    def get_filters(self) -> dict:
        form = self.get_filter_form()
        if not (form.is_bound and form.is_valid()):
            return {}
        return {
            key: form.cleaned_data[key]
            for key in ("category", "channel", "q", "retired")
            if key in form.cleaned_data
        }

    def get_queryset(self):
        return selectors.standard_list(user=self.request.user, **self.get_filters())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            filter_form=self.get_filter_form(),
            is_filtered=any(self.get_filters().values()),
            showing_retired=bool(self.get_filters().get("retired")),
            today=timezone.localdate(),
        )
        return context


class StandardDetailView(ReaderRequiredMixin, TemplateView):
    """The published text with criteria and situations; managers also see the workflow state."""

    template_name = "standards/standard_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        standard = get_object_or_404(
            selectors.standards_for_reading(user=user), slug=self.kwargs["slug"]
        )
        version = standard.current_version
        previous_number = None
        if version is not None and version.number > 1:
            previous_number = (
                standard.versions.filter(number__lt=version.number, status=Status.ARCHIVED)
                .order_by("-number")
                .values_list("number", flat=True)
                .first()
            )
        context.update(
            standard=standard,
            version=version,
            previous_number=previous_number,
            today=timezone.localdate(),
        )
        open_version = None
        if selectors.can_manage(user):
            open_version = context["open_version"] = selectors.standard_open_version(
                standard=standard
            )
        shown = open_version or version
        if shown is not None:
            shown.standard = standard
        context["page_links"] = hooks.links(VERSION_LINKS, request=self.request, obj=shown)
        return context


class VersionDetailView(ReaderRequiredMixin, StandardMixin, TemplateView):
    """One version as it reads; drafts exist only for managers (404 for everyone else)."""

    template_name = "standards/version_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        standard = self.get_standard()
        version = get_object_or_404(
            selectors.versions_with_parts(user=self.request.user, standard=standard),
            number=self.kwargs["number"],
        )
        version.standard = standard
        context.update(
            standard=standard,
            version=version,
            page_links=hooks.links(VERSION_LINKS, request=self.request, obj=version),
        )
        if selectors.can_manage(self.request.user) and version.status == Status.IN_REVIEW:
            context["publish_refusal"] = services.version_publish_refusal(
                version=version, user=self.request.user
            )
        return context


class VersionHistoryView(ManagerRequiredMixin, StandardMixin, TemplateView):
    template_name = "standards/version_history.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        standard = self.get_standard()
        versions = list(selectors.version_history(standard=standard))
        for version in versions:
            version.standard = standard
        context.update(standard=standard, versions=versions)
        return context


class DiffView(ReaderRequiredMixin, StandardMixin, TemplateView):
    """Any two versions the user may see, ``?from=<number>&to=<number>``.

    Without parameters: the version before the published one against the published one.
    """

    template_name = "standards/diff.html"

    def _number(self, name: str) -> int | None:
        raw = self.request.GET.get(name, "").strip()
        if not raw:
            return None
        try:
            return parse.parse_id(raw)
        except parse.OutsideValueError:
            raise Http404 from None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        standard = self.get_standard()
        numbers = list(
            selectors.version_queryset(user=user, standard=standard)
            .order_by("number")
            .values_list("number", "status")
        )
        if not numbers:
            raise Http404
        new_number = self._number("to")
        if new_number is None:
            published = [n for n, status in numbers if status == Status.PUBLISHED]
            new_number = published[0] if published else numbers[-1][0]
        old_number = self._number("from")
        if old_number is None:
            earlier = [n for n, _status in numbers if n < new_number]
            old_number = earlier[-1] if earlier else new_number
        by_number = {
            v.number: v
            for v in selectors.versions_with_parts(user=user, standard=standard).filter(
                number__in={old_number, new_number}
            )
        }
        old, new = by_number.get(old_number), by_number.get(new_number)
        if old is None or new is None:
            raise Http404
        diff = diff_versions(old, new, critical_label=gettext("critical"))
        context.update(
            standard=standard,
            old=old,
            new=new,
            diff=diff,
            numbers=[n for n, _status in numbers],
            body_counts=VersionDiff.counts(diff.body),
            criteria_counts=VersionDiff.counts(diff.criteria),
            situations_counts=VersionDiff.counts(diff.situations),
        )
        return context
