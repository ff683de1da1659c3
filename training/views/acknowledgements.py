"""Staff's pages: My onboarding, reading and acknowledging a version (with its check) and
the acknowledgement record."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import DetailView, TemplateView, View

from core.clientip import client_ip
from core.figures import percent
from core.permissions import RoleRequiredMixin
from core.roles import MANAGER, has_role
from standards import selectors as standards_selectors
from standards.models import StandardVersion
from standards.views.common import apply_errors, flash_errors
from training import selectors, services
from training.forms import (
    AcknowledgeForm,
    CheckForm,
)
from training.models import Acknowledgement
from training.views.common import READERS, VersionMixin


class MyOnboardingView(RoleRequiredMixin, TemplateView):
    allowed_roles = READERS
    template_name = "training/my_onboarding.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, **selectors.my_onboarding(self.request.user))


class AcknowledgeCurrentView(RoleRequiredMixin, View):
    """The standard's published version, to read and acknowledge."""

    allowed_roles = READERS

    def get(self, request, slug):
        standard = get_object_or_404(
            standards_selectors.standard_queryset(user=request.user), slug=slug
        )
        version = (
            standard.versions.filter(status=StandardVersion.Status.PUBLISHED)
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
