"""Managers' pages for a version's comprehension check: settings and questions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from core.permissions import ManagerRequiredMixin
from standards.models import StandardVersion
from standards.views.common import apply_errors, flash_errors
from training import services
from training.forms import (
    CheckSettingsForm,
    QuestionForm,
)
from training.models import Question
from training.views.common import VersionMixin


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
