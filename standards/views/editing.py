"""The editor (managers): a new standard, a draft version, a standard's settings, the preview."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.views import View
from django.views.generic import TemplateView

from standards import selectors, services
from standards.forms import (
    CriterionFormSet,
    PreviewForm,
    SituationFormSet,
    StandardForm,
    StandardSettingsForm,
    VersionForm,
    criteria_initial,
    situations_initial,
)
from standards.markdown import render_markdown
from standards.models import Category, StandardVersion
from standards.views.common import (
    ManagerRequiredMixin,
    ManagerVersionMixin,
    StandardMixin,
    apply_errors,
)


class _EditorMixin:
    template_name = "standards/editor.html"

    def build_forms(self, data=None, *, standard=None, version=None, with_slug: bool):
        standard_form = StandardForm(
            data,
            with_slug=with_slug,
            initial=StandardForm.initial_for(standard)
            if standard
            else {"owner": self.request.user, "review_interval_months": 12},
        )
        version_form = VersionForm(
            data, initial=VersionForm.initial_for(version) if version else None
        )
        criteria = CriterionFormSet(data, prefix="criteria", initial=criteria_initial(version))
        situations = SituationFormSet(
            data, prefix="situations", initial=situations_initial(version)
        )
        return standard_form, version_form, criteria, situations

    def render_editor(self, forms, *, kept_errors=None, **extra):
        standard_form, version_form, criteria, situations = forms
        kept_errors = kept_errors or {}
        context = self.get_context_data(
            standard_form=standard_form,
            version_form=version_form,
            criteria_formset=criteria,
            situations_formset=situations,
            criteria_errors=kept_errors.get("criteria", []),
            situations_errors=kept_errors.get("situations", []),
            preview_html=render_markdown(version_form["body_markdown"].value() or ""),
            categories=Category.objects.order_by("name").values_list("name", flat=True),
            **extra,
        )
        return self.render_to_response(context)

    @staticmethod
    def forms_valid(forms) -> bool:
        # Every form is validated (no short-circuit), so every error shows at once.
        results = [form.is_valid() for form in forms]
        return all(results)

    def handle_service_error(self, exc: ValidationError, forms, **extra):
        standard_form, version_form, _criteria, _situations = forms
        kept = apply_errors(
            exc,
            forms=[standard_form, version_form],
            fallback=standard_form,
            keep=("criteria", "situations"),
        )
        return self.render_editor(forms, kept_errors=kept, **extra)


class StandardCreateView(ManagerRequiredMixin, _EditorMixin, TemplateView):
    """A new standard and its first draft, on one page."""

    def get(self, request, *args, **kwargs):
        return self.render_editor(self.build_forms(with_slug=True), creating=True)

    def post(self, request, *args, **kwargs):
        forms = self.build_forms(request.POST, with_slug=True)
        if not self.forms_valid(forms):
            return self.render_editor(forms, creating=True)
        standard_form, version_form, criteria, situations = forms
        try:
            with transaction.atomic():
                standard = services.standard_create(
                    user=request.user, **standard_form.service_kwargs()
                )
                version = services.version_create_draft(
                    standard=standard,
                    user=request.user,
                    **version_form.cleaned_data,
                    criteria=criteria.rows(),
                    situations=situations.rows(),
                )
        except ValidationError as exc:
            return self.handle_service_error(exc, forms, creating=True)
        messages.success(
            request,
            gettext("“%(title)s” is saved as draft version %(number)d.")
            % {"title": standard.title, "number": version.number},
        )
        return redirect(version)


class VersionEditView(ManagerVersionMixin, _EditorMixin, TemplateView):
    """Edit a draft: the standard's settings and the version's text, criteria and situations."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and selectors.can_manage(request.user):
            version = self.get_version()
            if not version.is_editable:
                messages.error(request, _not_editable_message(version))
                return redirect(version)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        version = self.get_version()
        return self.render_editor(
            self.build_forms(standard=version.standard, version=version, with_slug=False),
            version=version,
            standard=version.standard,
        )

    def post(self, request, *args, **kwargs):
        version = self.get_version()
        standard = version.standard
        forms = self.build_forms(request.POST, standard=standard, version=version, with_slug=False)
        extra = {"version": version, "standard": standard}
        if not self.forms_valid(forms):
            return self.render_editor(forms, **extra)
        standard_form, version_form, criteria, situations = forms
        try:
            with transaction.atomic():
                services.standard_update(
                    standard=standard, user=request.user, **standard_form.service_kwargs()
                )
                version = services.version_update_draft(
                    version=version,
                    user=request.user,
                    **version_form.cleaned_data,
                    criteria=criteria.rows(),
                    situations=situations.rows(),
                )
        except ValidationError as exc:
            return self.handle_service_error(exc, forms, **extra)
        messages.success(
            request, gettext("Draft version %(number)d is saved.") % {"number": version.number}
        )
        if "save_and_continue" in request.POST:
            return redirect("standards:version-edit", slug=standard.slug, number=version.number)
        return redirect(version)


def _not_editable_message(version: StandardVersion) -> str:
    if version.status == StandardVersion.Status.IN_REVIEW:
        return gettext(
            "Version %(number)d is in review and cannot be edited. Return it to draft first."
        ) % {"number": version.number}
    return gettext(
        "Version %(number)d is %(status)s and can never change. Start a new draft instead."
    ) % {"number": version.number, "status": version.get_status_display().lower()}


class StandardSettingsView(ManagerRequiredMixin, StandardMixin, TemplateView):
    """Title, category, channels, owner, review interval and four eyes; not versioned."""

    template_name = "standards/standard_settings.html"

    def get(self, request, *args, **kwargs):
        standard = self.get_standard()
        form = StandardSettingsForm(initial=StandardSettingsForm.initial_for(standard))
        return self._render(form)

    def post(self, request, *args, **kwargs):
        standard = self.get_standard()
        form = StandardSettingsForm(
            request.POST, initial=StandardSettingsForm.initial_for(standard)
        )
        if form.is_valid():
            try:
                standard = services.standard_update(
                    standard=standard, user=request.user, **form.service_kwargs()
                )
            except ValidationError as exc:
                apply_errors(exc, forms=[form], fallback=form)
            else:
                messages.success(request, gettext("The settings of the standard are saved."))
                return redirect(standard)
        return self._render(form)

    def _render(self, form):
        return self.render_to_response(
            self.get_context_data(
                form=form,
                standard=self.get_standard(),
                categories=Category.objects.order_by("name").values_list("name", flat=True),
            )
        )


class PreviewView(ManagerRequiredMixin, View):
    """The editor's live preview: the same renderer and sanitiser as the published page."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = PreviewForm(request.POST)
        if not form.is_valid():
            return JsonResponse(
                {"errors": {field: list(errs) for field, errs in form.errors.items()}},
                status=400,
            )
        return JsonResponse({"html": render_markdown(form.cleaned_data["body_markdown"])})
