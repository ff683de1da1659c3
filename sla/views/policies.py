"""SLA policy pages (Managers): the list, and create and edit through the services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView

from core.forms import add_service_errors
from core.permissions import ManagerRequiredMixin
from sla import selectors, services
from sla.forms import SlaPolicyForm
from sla.models import SlaPolicy
from sla.views.contacts import LIST_PAGE_SIZE


class PolicyListView(ManagerRequiredMixin, ListView):
    template_name = "sla/policy_list.html"
    context_object_name = "policies"
    paginate_by = LIST_PAGE_SIZE

    def get_queryset(self):
        return selectors.policy_list(user=self.request.user)


class PolicyFormView(ManagerRequiredMixin, FormView):
    template_name = "sla/policy_form.html"
    form_class = SlaPolicyForm
    success_url = reverse_lazy("sla:policy-list")
    policy: SlaPolicy | None = None

    def get_policy(self) -> SlaPolicy | None:
        return None

    # Loaded after the role check in dispatch(): users without the role get 403 either way.
    def get(self, request, *args, **kwargs):
        self.policy = self.get_policy()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.policy = self.get_policy()
        return super().post(request, *args, **kwargs)

    def get_initial(self):
        if self.policy is None:
            return super().get_initial()
        return SlaPolicyForm.initial_for(self.policy)

    def get_context_data(self, **kwargs):
        return super().get_context_data(policy=self.policy, **kwargs)

    def form_valid(self, form):
        try:
            policy = self.save(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(exc, form)
            return self.form_invalid(form)
        messages.success(self.request, _("SLA policy “%(name)s” saved.") % {"name": policy.name})
        return super().form_valid(form)


class PolicyCreateView(PolicyFormView):
    def save(self, data) -> SlaPolicy:
        return services.sla_policy_create(**data)


class PolicyUpdateView(PolicyFormView):
    def get_policy(self) -> SlaPolicy:
        return get_object_or_404(
            selectors.policy_list(user=self.request.user), pk=self.kwargs["pk"]
        )

    def save(self, data) -> SlaPolicy:
        return services.sla_policy_update(policy=self.policy, **data)
