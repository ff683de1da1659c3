"""Workflow actions (managers): new draft, submit, return to draft, publish, discard, reviewed.

Every action is a POST; a refused one (wrong status, a version published meanwhile) comes back
as a message on the version's page, never as an error page.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.views import View
from django.views.generic import TemplateView

from standards import services
from standards.forms import PublishForm, ReturnToDraftForm
from standards.models import StandardVersion
from standards.views.common import (
    ManagerRequiredMixin,
    ManagerVersionMixin,
    StandardMixin,
    apply_errors,
    flash_errors,
)


class VersionCreateDraftView(ManagerRequiredMixin, StandardMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        standard = self.get_standard()
        try:
            version = services.version_create_draft(standard=standard, user=request.user)
        except ValidationError as exc:
            flash_errors(request, exc)
            return redirect(standard)
        messages.success(
            request,
            gettext("Draft version %(number)d starts as a copy of the published text.")
            % {"number": version.number},
        )
        return redirect("standards:version-edit", slug=standard.slug, number=version.number)


class VersionSubmitView(ManagerVersionMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        version = self.get_version()
        try:
            services.version_submit_for_review(version=version, user=request.user)
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(
                request,
                gettext("Version %(number)d is submitted for review.") % {"number": version.number},
            )
        return redirect(version)


class _VersionFormView(ManagerVersionMixin, TemplateView):
    """A confirmation page with a small form; refusals go back to the version's page."""

    form_class = None

    def get_form(self, data=None):
        return self.form_class(data, initial=self.get_initial())

    def get_initial(self):
        return {}

    def get(self, request, *args, **kwargs):
        return self.render_form(self.get_form())

    def render_form(self, form):
        return self.render_to_response(
            self.get_context_data(
                form=form, version=self.get_version(), standard=self.get_standard()
            )
        )


class VersionReturnView(_VersionFormView):
    template_name = "standards/version_return.html"
    form_class = ReturnToDraftForm

    def post(self, request, *args, **kwargs):
        version = self.get_version()
        form = self.get_form(request.POST)
        if not form.is_valid():
            return self.render_form(form)
        try:
            services.version_return_to_draft(
                version=version, user=request.user, comment=form.cleaned_data["comment"]
            )
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(
                request,
                gettext("Version %(number)d is back in draft with your comment.")
                % {"number": version.number},
            )
        return redirect(version)


class VersionPublishView(_VersionFormView):
    """Publishing needs a change summary; in the browser only a version in review is published."""

    template_name = "standards/version_publish.html"
    form_class = PublishForm

    def get(self, request, *args, **kwargs):
        version = self.get_version()
        if version.status != StandardVersion.Status.IN_REVIEW:
            messages.error(request, _cannot_publish_message(version))
            return redirect(version)
        if refusal := services.version_publish_refusal(version=version, user=request.user):
            messages.error(request, refusal)
            return redirect(version)
        return super().get(request, *args, **kwargs)

    def get_initial(self):
        version = self.get_version()
        return {"change_summary": version.change_summary, "change_kind": version.change_kind}

    def post(self, request, *args, **kwargs):
        version = self.get_version()
        form = self.get_form(request.POST)
        if not form.is_valid():
            return self.render_form(form)
        try:
            published = services.version_publish(
                version=version,
                user=request.user,
                change_summary=form.cleaned_data["change_summary"],
                change_kind=form.cleaned_data["change_kind"],
            )
        except services.FourEyesError as exc:
            # Said on the form, as a refusal (403): another manager has to publish.
            form.add_error(None, str(exc))
            response = self.render_form(form)
            response.status_code = 403
            return response
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "change_summary" in exc.error_dict:
                apply_errors(exc, forms=[form], fallback=form)
                return self.render_form(form)
            flash_errors(request, exc)
            return redirect(version)
        messages.success(
            request,
            gettext("Version %(number)d is published; the previous version is archived.")
            % {"number": published.number},
        )
        return redirect(published.standard)


def _cannot_publish_message(version: StandardVersion) -> str:
    if version.status == StandardVersion.Status.DRAFT:
        return gettext(
            "Version %(number)d is a draft. Submit it for review before publishing it."
        ) % {"number": version.number}
    if version.status == StandardVersion.Status.PUBLISHED:
        return gettext("Version %(number)d is already published.") % {"number": version.number}
    return gettext("Version %(number)d is archived; it cannot be published again.") % {
        "number": version.number
    }


class VersionDiscardView(_VersionFormView):
    template_name = "standards/version_discard.html"

    def get_form(self, data=None):
        return None

    def get(self, request, *args, **kwargs):
        version = self.get_version()
        if version.is_frozen:
            messages.error(request, _cannot_discard_message(version))
            return redirect(version)
        return self.render_form(None)

    def post(self, request, *args, **kwargs):
        version = self.get_version()
        standard = version.standard
        try:
            services.version_discard(version=version, user=request.user)
        except ValidationError as exc:
            flash_errors(request, exc)
            return redirect(version)
        messages.success(
            request, gettext("Version %(number)d is discarded.") % {"number": version.number}
        )
        return redirect(standard)


def _cannot_discard_message(version: StandardVersion) -> str:
    return gettext(
        "Version %(number)d is %(status)s; published and archived versions are kept for good."
    ) % {"number": version.number, "status": version.get_status_display().lower()}


class StandardMarkReviewedView(ManagerRequiredMixin, StandardMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        standard = self.get_standard()
        try:
            standard = services.standard_mark_reviewed(standard=standard, user=request.user)
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(
                request,
                gettext("Marked as reviewed. The next review is due on %(date)s.")
                % {"date": date_format(standard.next_review_date, "SHORT_DATE_FORMAT")},
            )
        return redirect(standard)


class StandardRetireView(ManagerRequiredMixin, StandardMixin, TemplateView):
    """GET asks for confirmation and says what retiring does; POST retires the standard."""

    template_name = "standards/standard_retire.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, standard=self.get_standard())

    def post(self, request, *args, **kwargs):
        standard = self.get_standard()
        try:
            services.standard_retire(standard=standard, user=request.user)
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(
                request,
                gettext(
                    "“%(title)s” is retired: it left the book and nobody has to acknowledge it "
                    "any more. Its history stays here."
                )
                % {"title": standard.title},
            )
        return redirect(standard)


class StandardReinstateView(ManagerRequiredMixin, StandardMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        standard = self.get_standard()
        try:
            services.standard_reinstate(standard=standard, user=request.user)
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(
                request,
                gettext(
                    "“%(title)s” is back in the book; people whose tracks hold it are asked "
                    "to acknowledge it where they still have to."
                )
                % {"title": standard.title},
            )
        return redirect(standard)
