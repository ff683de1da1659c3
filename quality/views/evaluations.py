"""QA evaluation pages: evaluate an interaction (managers), the list with filters and average,
one evaluation with its history, answering it (its staff member), resolving a dispute and
deleting (managers). Staff open only their own evaluations (others are 404).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.views.generic import DetailView, ListView, TemplateView

from core import parse
from core.figures import percent
from quality import evaluation_selectors, services
from quality.evaluation_forms import AnswerForm, EvaluationFilterForm, EvaluationForm, ResolveForm
from quality.models import Evaluation
from sla import selectors as sla_selectors
from standards import selectors
from standards.models import StandardVersion
from standards.views.common import (
    ManagerRequiredMixin,
    ReaderRequiredMixin,
    StandardMixin,
    apply_errors,
)

Status = StandardVersion.Status
LIST_PAGE_SIZE = 25
# The interaction fields kept when the form has to be shown again for a newer version.
INTERACTION_FIELDS = ("agent", "channel", "interaction_reference", "occurred_at", "comment")


class EvaluationCreateView(ManagerRequiredMixin, StandardMixin, TemplateView):
    """Evaluate one interaction of a staff member against the standard's published version."""

    template_name = "quality/evaluation_form.html"

    def get_published(self) -> StandardVersion | None:
        if not hasattr(self, "_published"):
            standard = self.get_standard()
            version = standard.current_version
            if version is not None:
                version.standard = standard
                self._criteria = list(version.criteria.order_by("order", "id"))
                self._channels = list(standard.channels.all())
            self._published = version
        return self._published

    def dispatch(self, request, *args, **kwargs):
        allowed = request.user.is_authenticated and selectors.can_manage(request.user)
        if allowed and self.get_published() is None:
            messages.error(
                request,
                gettext(
                    "This standard has no published version yet, so there is nothing to "
                    "evaluate against."
                ),
            )
            return redirect(self.get_standard())
        return super().dispatch(request, *args, **kwargs)

    def contact_initial(self) -> dict:
        """``?contact=<id>`` (from a contact's page): its agent, channel, reference and time."""
        raw = self.request.GET.get("contact")
        if raw is None:
            return {}
        try:
            pk = parse.parse_id(raw)
        except ValueError:
            return {}
        contact = sla_selectors.contact_list(user=self.request.user).filter(pk=pk).first()
        if contact is None:
            return {}
        initial = {
            "interaction_reference": contact.external_id,
            "occurred_at": timezone.localtime(contact.opened_at).replace(second=0, microsecond=0),
        }
        if contact.agent is not None:
            initial["agent"] = contact.agent
        if not self._channels or contact.channel in self._channels:
            initial["channel"] = contact.channel
        self.contact = contact
        return initial

    def build_form(self, data=None, initial=None) -> EvaluationForm:
        if initial is None and data is None:
            # A standard for one channel only: that channel, most likely.
            initial = {"channel": self._channels[0]} if len(self._channels) == 1 else {}
            initial.update(self.contact_initial())
        return EvaluationForm(
            data,
            initial=initial,
            version=self.get_published(),
            criteria=self._criteria,
            channels=self._channels,
        )

    def render_form(self, form: EvaluationForm, *, answer_errors=(), notice: str = ""):
        version = self.get_published()
        return self.render_to_response(
            self.get_context_data(
                form=form,
                standard=version.standard,
                version=version,
                rows=form.rows(),
                answer_errors=list(answer_errors),
                notice=notice,
                has_critical=any(c.is_critical for c in self._criteria),
                contact=getattr(self, "contact", None),
            )
        )

    def get(self, request, *args, **kwargs):
        return self.render_form(self.build_form())

    def post(self, request, *args, **kwargs):
        version = self.get_published()
        if request.POST.get("version_number") != str(version.number):
            # A new version was published since the form was shown: its criteria differ.
            form = self.build_form(initial={k: request.POST.get(k, "") for k in INTERACTION_FIELDS})
            notice = gettext(
                "Version %(number)d of this standard was published while you were "
                "evaluating. Its criteria are shown below; answer them again."
            ) % {"number": version.number}
            return self.render_form(form, notice=notice)
        form = self.build_form(request.POST)
        if not form.is_valid():
            return self.render_form(form)
        try:
            evaluation = services.evaluation_create(
                evaluator=request.user, version=version, **form.service_kwargs()
            )
        except ValidationError as exc:
            kept = apply_errors(exc, forms=[form], fallback=form, keep=("answers",))
            return self.render_form(form, answer_errors=kept.get("answers", []))
        messages.success(
            request,
            gettext("The evaluation is saved with a score of %(score)s.")
            % {"score": percent(number_format(evaluation.score, 1))},
        )
        return redirect(evaluation)


class EvaluateContactView(ManagerRequiredMixin, TemplateView):
    """From a contact's page: choose the standard to evaluate the contact against (those with a
    published version that apply to its channel); the form then comes prefilled."""

    template_name = "quality/evaluate_contact.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        contact = get_object_or_404(
            sla_selectors.contact_list(user=self.request.user), pk=self.kwargs["pk"]
        )
        context.update(
            contact=contact,
            standards=evaluation_selectors.standards_for_channel(contact.channel),
        )
        return context


class EvaluationListView(ReaderRequiredMixin, ListView):
    """Managers: every evaluation, filtered by staff member, standard, channel and period, with
    the average score of what is filtered. Staff: their own evaluations."""

    template_name = "quality/evaluation_list.html"
    context_object_name = "evaluations"
    paginate_by = LIST_PAGE_SIZE

    def get_filter_form(self) -> EvaluationFilterForm:
        if not hasattr(self, "_filter_form"):
            user = self.request.user
            self._filter_form = EvaluationFilterForm(
                self.request.GET or None, user=user, show_agent=selectors.can_manage(user)
            )
        return self._filter_form

    def get_queryset(self):
        filters = self.get_filter_form().filters()
        self._filtered = evaluation_selectors.evaluation_list(user=self.request.user, **filters)
        self._is_filtered = any(k != "order" for k in filters)
        return self._filtered.with_related()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            filter_form=self.get_filter_form(),
            summary=self._filtered.summary(),
            is_filtered=self._is_filtered,
            is_manager_view=selectors.can_manage(self.request.user),
        )
        return context


class EvaluationDetailView(ReaderRequiredMixin, DetailView):
    """One evaluation with its whole history: the judgement, the staff member's answer and the
    resolution of a dispute. The staff member answers here; a manager resolves here. An older
    revision's address leads on to the current one."""

    template_name = "quality/evaluation_detail.html"
    context_object_name = "evaluation"

    def get_queryset(self):
        return evaluation_selectors.evaluations_with_answers(user=self.request.user)

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        newer = getattr(self.object, "superseded_by", None)
        if newer is not None:
            return redirect(newer)
        return self.render_page()

    def render_page(self, *, answer_form=None, resolve_form=None, status=200):
        evaluation, user = self.object, self.request.user
        state = evaluation.state
        can_answer = state == Evaluation.State.OPEN and evaluation.agent_id == user.pk
        can_resolve = (
            state == Evaluation.State.DISPUTED
            and selectors.can_manage(user)
            and evaluation.agent_id != user.pk
        )
        context = self.get_context_data(
            object=evaluation,
            history=evaluation_selectors.evaluation_history(evaluation),
            answer_form=(answer_form or AnswerForm()) if can_answer else None,
            resolve_form=(resolve_form or ResolveForm()) if can_resolve else None,
        )
        return self.render_to_response(context, status=status)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        items = list(self.object.items.all())
        context.update(
            items=items,
            missed_critical=[
                item.criterion
                for item in items
                if item.criterion.is_critical and item.result == item.Result.NOT_MET
            ],
            can_delete=selectors.can_manage(self.request.user),
        )
        return context

    def get_current(self) -> Evaluation:
        """For the actions: the row named in the URL, which must be the current revision."""
        self.object = self.get_object()
        if getattr(self.object, "superseded_by", None) is not None:
            raise Http404
        return self.object


class EvaluationAnswerView(EvaluationDetailView):
    """The evaluated staff member accepts or disputes (POST only)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        evaluation = self.get_current()
        form = AnswerForm(request.POST)
        action = request.POST.get("action")
        if action not in AnswerForm.ACTIONS:
            form.add_error(None, gettext("Choose to accept or to dispute the evaluation."))
            return self.render_page(answer_form=form)
        if not form.is_valid():
            return self.render_page(answer_form=form)
        service = services.evaluation_accept if action == "accept" else services.evaluation_dispute
        try:
            service(evaluation=evaluation, user=request.user, comment=form.cleaned_data["comment"])
        except ValidationError as exc:
            apply_errors(exc, forms=[form], fallback=form)
            return self.render_page(answer_form=form)
        if action == "accept":
            messages.success(request, gettext("You accepted the evaluation."))
        else:
            messages.success(
                request, gettext("Your dispute is sent; the manager will look at it again.")
            )
        return redirect(evaluation)


class EvaluationResolveView(ManagerRequiredMixin, EvaluationDetailView):
    """A manager upholds a disputed evaluation or changes its score (POST only)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        evaluation = self.get_current()
        form = ResolveForm(request.POST)
        if not form.is_valid():
            return self.render_page(resolve_form=form)
        try:
            revision = services.evaluation_resolve(
                evaluation=evaluation, user=request.user, **form.service_kwargs()
            )
        except ValidationError as exc:
            apply_errors(exc, forms=[form], fallback=form)
            return self.render_page(resolve_form=form)
        messages.success(
            request,
            gettext("The dispute is resolved; the score is %(score)s.")
            % {"score": percent(number_format(revision.score, 1))},
        )
        return redirect(revision)


class EvaluationDeleteView(ManagerRequiredMixin, TemplateView):
    """Managers delete an evaluation (and its answers) after confirming."""

    template_name = "quality/evaluation_delete.html"

    def get_evaluation(self) -> Evaluation:
        return get_object_or_404(
            evaluation_selectors.evaluation_queryset(user=self.request.user).with_related(),
            pk=self.kwargs["pk"],
        )

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(evaluation=self.get_evaluation()))

    def post(self, request, *args, **kwargs):
        evaluation = self.get_evaluation()
        services.evaluation_delete(evaluation=evaluation, user=request.user)
        messages.success(
            request,
            gettext("The evaluation of %(agent)s (%(reference)s) is deleted.")
            % {
                "agent": evaluation.agent.get_full_name() or evaluation.agent.get_username(),
                "reference": evaluation.interaction_reference,
            },
        )
        return redirect(reverse("quality:evaluation-list"))
