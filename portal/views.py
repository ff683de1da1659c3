from django.http import Http404, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.views.generic import TemplateView

from core import outbox
from core.permissions import RoleRequiredMixin
from core.roles import MANAGER, has_role
from portal import health
from quality import dashboard as quality_dashboard
from quality import my_service as quality_my_service
from sla import dashboard as sla_dashboard
from standards import dashboard as standards_dashboard
from surveys import dashboard as surveys_dashboard
from training import dashboard as training_dashboard
from training import my_service as training_my_service

DASHBOARD_MODULES = (
    standards_dashboard,
    quality_dashboard,
    sla_dashboard,
    training_dashboard,
    surveys_dashboard,
)
MY_SERVICE_MODULES = (training_my_service, sla_dashboard, surveys_dashboard, quality_my_service)


class DashboardView(RoleRequiredMixin, TemplateView):
    template_name = "portal/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Each app contributes its own cards, so the dashboard never imports their models.
        context["cards"] = [
            card for module in DASHBOARD_MODULES for card in module.cards(self.request)
        ]
        if has_role(self.request.user, MANAGER):
            context["messages_attention"] = outbox.attention_counts()
            status, seen_at = health.worker_status()
            context["worker_status"] = status.value
            context["worker_seen_at"] = seen_at
        return context


class MyServiceView(RoleRequiredMixin, TemplateView):
    """Each employee's own figures: how they keep the promise, next to the team's.

    training (standards still to acknowledge), sla (response times), surveys (customer
    feedback) and standards (evaluations) contribute their sections, so this page composes
    them without any of them importing another.
    """

    template_name = "portal/my_service.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sections"] = [
            section
            for module in MY_SERVICE_MODULES
            for section in module.my_service_sections(self.request)
        ]
        return context


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors: whatever broke the page may break them too.
    return HttpResponseServerError(loader.get_template("500.html").render())


def error_preview(request, code):
    handlers = {403: permission_denied, 404: page_not_found, 500: server_error}
    if code not in handlers:
        raise Http404
    return handlers[code](request) if code == 500 else handlers[code](request, None)
