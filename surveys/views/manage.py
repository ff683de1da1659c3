"""The managers' survey pages: surveys, invitations, responses, kiosks, follow-ups and the
satisfaction dashboard."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from channels_app.models import Channel
from core.forms import add_service_errors
from core.permissions import ManagerRequiredMixin
from surveys import reports, selectors, services
from surveys.dashboard import satisfaction_charts
from surveys.forms import (
    DashboardPeriodForm,
    FollowUpCloseForm,
    FollowUpFilterForm,
    KioskForm,
    KioskLanguageForm,
    SurveyForm,
)
from surveys.models import Invitation, Kiosk, Survey


class SurveyListView(ManagerRequiredMixin, ListView):
    template_name = "surveys/survey_list.html"
    context_object_name = "surveys"

    def get_queryset(self):
        return selectors.survey_list()


class SurveyFormMixin(ManagerRequiredMixin):
    form_class = SurveyForm
    template_name = "surveys/survey_form.html"
    success_url = reverse_lazy("surveys:survey-list")

    def form_valid(self, form):
        try:
            services.survey_save(
                survey=getattr(self, "object", None),
                channels=form.cleaned_data["channels"],
                texts=form.texts(),
                **form.model_fields(),
            )
        except ValidationError as exc:
            add_service_errors(exc, form)
            return self.form_invalid(form)
        messages.success(self.request, _("Survey saved."))
        return redirect(self.success_url)


class SurveyCreateView(SurveyFormMixin, FormView):
    pass


class SurveyUpdateView(SurveyFormMixin, FormView):
    def dispatch(self, request, *args, **kwargs):
        self.object = get_object_or_404(Survey, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.object}


class InvitationListView(ManagerRequiredMixin, ListView):
    template_name = "surveys/invitation_list.html"
    context_object_name = "invitations"
    paginate_by = 50

    def get_queryset(self):
        return selectors.invitation_list(params=self.request.GET)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            statuses=Invitation.Status.choices, status=self.request.GET.get("status", ""), **kwargs
        )


class ResponseListView(ManagerRequiredMixin, ListView):
    template_name = "surveys/response_list.html"
    context_object_name = "responses"
    paginate_by = 50

    def get_queryset(self):
        return selectors.response_list(params=self.request.GET)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            channels=Channel.objects.order_by("name"), filters=self.request.GET, **kwargs
        )


class KioskListView(ManagerRequiredMixin, FormView):
    template_name = "surveys/kiosk_list.html"
    form_class = KioskForm

    def get_context_data(self, **kwargs):
        kiosks = Kiosk.objects.select_related("channel").order_by("-is_active", "name")
        rows = [(k, KioskLanguageForm(instance=k, prefix=f"k{k.pk}")) for k in kiosks]
        return super().get_context_data(kiosks=rows, **kwargs)

    def form_valid(self, form):
        services.kiosk_create(**form.cleaned_data)
        messages.success(self.request, _("Kiosk created."))
        return redirect("surveys:kiosk-list")


class KioskLanguageView(ManagerRequiredMixin, View):
    """The kiosk's opening language, from the inline form on the kiosks page."""

    def post(self, request, pk):
        kiosk = get_object_or_404(Kiosk, pk=pk)
        form = KioskLanguageForm(request.POST, instance=kiosk, prefix=f"k{kiosk.pk}")
        if form.is_valid():
            services.kiosk_set_language(kiosk=kiosk, language=form.cleaned_data["language"])
            messages.success(request, _("Kiosk language saved."))
        else:
            messages.error(request, _("Choose one of the offered languages."))
        return redirect("surveys:kiosk-list")


class KioskRevokeView(ManagerRequiredMixin, View):
    def post(self, request, pk):
        services.kiosk_revoke(kiosk=get_object_or_404(Kiosk, pk=pk))
        messages.success(request, _("Kiosk key revoked."))
        return redirect("surveys:kiosk-list")


class FollowUpListView(ManagerRequiredMixin, TemplateView):
    """Follow-ups as compact rows, the most urgent first; filters and pages by GET.

    ``?id=`` shows one follow-up (the dashboard's items link there), whatever the filters.
    """

    template_name = "surveys/follow_up_list.html"
    paginate_by = 25

    def get_context_data(self, **kwargs):
        now = timezone.now()
        form = FollowUpFilterForm(self.request.GET or None)
        only = self.request.GET.get("id", "")
        if only.isdigit():
            queryset = selectors.follow_up_list(pk=int(only))
        else:
            filters = form.filters() if form.is_bound else {"status": "open"}
            queryset = selectors.follow_up_list(now=now, **filters)
        page = Paginator(queryset, self.paginate_by).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            page_obj=page,
            filter_form=form,
            single=only.isdigit(),
            next_url=self.request.get_full_path(),
            now=now,
            **kwargs,
        )


class FollowUpCloseView(ManagerRequiredMixin, View):
    def post(self, request, pk):
        follow_up = get_object_or_404(selectors.follow_up_list(open_only=False), pk=pk)
        form = FollowUpCloseForm(request.POST)
        if follow_up.closed_at is not None:
            messages.info(request, _("This follow-up was already closed."))
        elif form.is_valid():
            services.follow_up_close(
                follow_up=follow_up, outcome=form.cleaned_data["outcome"], user=request.user
            )
            messages.success(request, _("Follow-up closed."))
        else:
            messages.error(request, _("Say what was done before closing."))
        # Back to the same filters and page the manager was working through.
        back = request.POST.get("next", "")
        if back and url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return redirect(back)
        return redirect("surveys:follow-up-list")


class SatisfactionDashboardView(ManagerRequiredMixin, TemplateView):
    template_name = "surveys/dashboard.html"

    def get_context_data(self, **kwargs):
        form = DashboardPeriodForm(self.request.GET)
        data = selectors.satisfaction_dashboard(reports.last_days(form.days))
        data["period_form"] = form
        data.update(satisfaction_charts(data))
        return super().get_context_data(**data, **kwargs)
