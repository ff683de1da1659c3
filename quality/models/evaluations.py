"""QA evaluations: a manager judges one interaction of one agent against the criteria of one
published standard version; the agent accepts or disputes it; a manager resolves a dispute.

Every row is a record: once saved it never changes (``save()`` and ``QuerySet.update()``
refuse); a manager may only delete an evaluation as a whole, through the service. A resolution
is a new *revision*: an ``Evaluation`` row that ``supersedes`` the disputed one, with the
effective score, a copy of the answers and the manager's reason. ``Evaluation.objects.current()``
is therefore one row per evaluated interaction, the latest revision, whose ``score`` and
``critical_missed`` are the effective ones, so reports aggregate in SQL. The agent's answer
(accepted or disputed, with a comment) is an ``EvaluationResponse`` on the original row.
Scores are computed by the service (:mod:`quality.scoring`) and stored.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Avg, Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from channels_app.models import Channel
from core.basemodels import InsertOnlyModel
from quality import scoring
from standards.models.standards import Standard
from standards.models.versions import Criterion, StandardVersion

REFERENCE_MAX = 100
NOTE_MAX = 500
COMMENT_MAX = 2000


class ImmutableEvaluationError(ValidationError):
    """Raised on any attempt to change a saved evaluation or one of its answers."""

    def __init__(self, message=None):
        super().__init__(
            message
            or _("An evaluation cannot be changed once saved. Delete it and evaluate again."),
            code="immutable_evaluation",
        )


class EvaluationQuerySet(models.QuerySet):
    def with_related(self):
        return self.select_related(
            "agent", "evaluator", "standard", "version", "channel", "response", "supersedes"
        )

    def current(self):
        """One row per evaluated interaction: the latest revision, with its effective score."""
        return self.filter(superseded_by__isnull=True)

    def in_state(self, state: str):
        """Current rows in one of the ``Evaluation.State`` values."""
        current = self.current()
        if state == Evaluation.State.RESOLVED:
            return current.filter(supersedes__isnull=False)
        if state == Evaluation.State.OPEN:
            return current.filter(supersedes__isnull=True, response__isnull=True)
        return current.filter(supersedes__isnull=True, response__kind=state)

    def summary(self) -> dict:
        """Number of evaluations and their average score (one decimal, ``None`` if none)."""
        figures = self.order_by().aggregate(count=Count("id"), average=Avg("score"))
        return {"count": figures["count"], "average": scoring.round_average(figures["average"])}

    def update(self, **kwargs):
        raise ImmutableEvaluationError

    def bulk_update(self, *args, **kwargs):
        raise ImmutableEvaluationError


class Evaluation(InsertOnlyModel):
    immutable_error = ImmutableEvaluationError

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("evaluation state", "Awaiting answer")
        ACCEPTED = "accepted", pgettext_lazy("evaluation state", "Accepted")
        DISPUTED = "disputed", pgettext_lazy("evaluation state", "Disputed")
        RESOLVED = "resolved", pgettext_lazy("evaluation state", "Resolved")

    class Resolution(models.TextChoices):
        UPHELD = "upheld", pgettext_lazy("evaluation resolution", "Upheld")
        CHANGED = "changed", pgettext_lazy("evaluation resolution", "Score changed")

    standard = models.ForeignKey(
        Standard,
        on_delete=models.PROTECT,
        related_name="evaluations",
        verbose_name=_("standard"),
        db_index=False,  # leads the (standard, occurred_at) index
    )
    version = models.ForeignKey(
        StandardVersion,
        on_delete=models.PROTECT,
        related_name="evaluations",
        verbose_name=_("version"),
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="evaluations_received",
        verbose_name=_("agent"),
        db_index=False,  # leads the (agent, occurred_at) index
    )
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="evaluations_given",
        verbose_name=_("evaluator"),
    )
    channel = models.ForeignKey(
        Channel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("channel"),
        db_index=False,  # leads the partial (channel, occurred_at) index
    )
    interaction_reference = models.CharField(
        _("interaction reference"),
        max_length=REFERENCE_MAX,
        help_text=_("The helpdesk ticket number, call id or chat id of the interaction."),
    )
    occurred_at = models.DateTimeField(_("interaction time"))
    comment = models.TextField(_("comment"), blank=True)
    score = models.DecimalField(_("score (%)"), max_digits=4, decimal_places=1)
    critical_missed = models.BooleanField(
        _("critical criterion not met"),
        default=False,
        help_text=_("A critical criterion was not met, so the score is 0."),
    )
    created_at = models.DateTimeField(_("evaluated at"), auto_now_add=True)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("revision of"),
    )
    resolution = models.CharField(
        _("resolution"), max_length=10, choices=Resolution.choices, blank=True
    )
    resolution_reason = models.TextField(_("reason"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        # The table of the days evaluations lived in ``standards``: moved without copying rows.
        db_table = "standards_evaluation"
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluator", "agent", "version", "interaction_reference"],
                condition=Q(supersedes__isnull=True),
                name="quality_evaluation_once_per_interaction",
                violation_error_message=_(
                    "You have already evaluated this interaction of this agent against this "
                    "version."
                ),
            ),
            models.CheckConstraint(
                condition=Q(score__gte=Decimal("0")) & Q(score__lte=scoring.SCORE_MAX),
                name="standards_evaluation_score_range",
                violation_error_message=_("The score must be between 0 and 100."),
            ),
            models.CheckConstraint(
                condition=Q(critical_missed=False) | Q(score=Decimal("0")),
                name="standards_evaluation_critical_scores_zero",
            ),
            models.CheckConstraint(
                condition=~Q(interaction_reference=""),
                name="standards_evaluation_reference_given",
            ),
            models.CheckConstraint(
                # A revision says how the dispute was resolved, by whom; an original does not.
                condition=(
                    Q(supersedes__isnull=True, resolution="", resolved_by__isnull=True)
                    | Q(
                        supersedes__isnull=False,
                        resolution__in=["upheld", "changed"],
                        resolved_by__isnull=False,
                    )
                ),
                name="quality_evaluation_revision_resolved",
            ),
        ]
        indexes = [
            models.Index(fields=["-occurred_at", "-id"], name="standards_eval_occurred_idx"),
            models.Index(fields=["agent", "-occurred_at"], name="standards_eval_agent_idx"),
            models.Index(fields=["standard", "-occurred_at"], name="standards_eval_standard_idx"),
            models.Index(
                fields=["channel", "-occurred_at"],
                name="standards_eval_channel_idx",
                condition=Q(channel__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agent} {self.version} {self.interaction_reference}"

    def get_absolute_url(self) -> str:
        return reverse("quality:evaluation-detail", kwargs={"pk": self.pk})

    @property
    def original_id(self) -> int:
        """The first row of this evaluation's history (resolutions are final: one step deep)."""
        return self.supersedes_id or self.pk

    @property
    def state(self) -> str:
        """Of a current row (select ``response`` with it: ``with_related``)."""
        if self.supersedes_id:
            return self.State.RESOLVED
        response = getattr(self, "response", None)
        return response.kind if response is not None else self.State.OPEN

    def get_state_display(self) -> str:
        return self.State(self.state).label


class EvaluationResponseQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableEvaluationError

    def bulk_update(self, *args, **kwargs):
        raise ImmutableEvaluationError


class EvaluationResponse(InsertOnlyModel):
    """The agent's answer to an evaluation: accepted, or disputed with a comment. One per
    evaluation, given to the original row; a dispute is settled by a revision (a new row)."""

    immutable_error = ImmutableEvaluationError

    class Kind(models.TextChoices):
        ACCEPTED = "accepted", pgettext_lazy("evaluation answer", "Accepted")
        DISPUTED = "disputed", pgettext_lazy("evaluation answer", "Disputed")

    evaluation = models.OneToOneField(
        Evaluation,
        on_delete=models.CASCADE,
        related_name="response",
        verbose_name=_("evaluation"),
    )
    kind = models.CharField(_("answer"), max_length=10, choices=Kind.choices)
    comment = models.TextField(_("comment"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("staff member"),
    )
    created_at = models.DateTimeField(_("answered at"), auto_now_add=True)

    objects = EvaluationResponseQuerySet.as_manager()

    class Meta:
        verbose_name = _("answer to an evaluation")
        verbose_name_plural = _("answers to evaluations")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["accepted", "disputed"]),
                name="quality_evaluation_response_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind="accepted") | ~Q(comment=""),
                name="quality_evaluation_dispute_has_comment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evaluation_id}: {self.kind}"


class EvaluationItemQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableEvaluationError

    def bulk_update(self, *args, **kwargs):
        raise ImmutableEvaluationError

    def delete(self):
        # Answers go only with their evaluation (the cascade does not come through here).
        raise ImmutableEvaluationError

    delete.queryset_only = True


class EvaluationItem(InsertOnlyModel):
    """The answer for one criterion: met, not met or not applicable, with an optional note."""

    immutable_error = ImmutableEvaluationError

    class Result(models.TextChoices):
        MET = scoring.MET, pgettext_lazy("evaluation result", "Met")
        NOT_MET = scoring.NOT_MET, pgettext_lazy("evaluation result", "Not met")
        NOT_APPLICABLE = scoring.NOT_APPLICABLE, pgettext_lazy("evaluation result", "N/A")

    evaluation = models.ForeignKey(
        Evaluation,
        on_delete=models.CASCADE,
        related_name="items",
        verbose_name=_("evaluation"),
        db_index=False,  # leads the unique (evaluation, criterion) index
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="+", verbose_name=_("criterion")
    )
    result = models.CharField(_("result"), max_length=10, choices=Result.choices)
    note = models.CharField(_("note"), max_length=NOTE_MAX, blank=True)

    objects = EvaluationItemQuerySet.as_manager()

    class Meta:
        ordering = ["criterion__order", "criterion_id"]
        db_table = "standards_evaluationitem"
        verbose_name = _("evaluation answer")
        verbose_name_plural = _("evaluation answers")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "criterion"],
                name="standards_evaluation_item_once",
                violation_error_message=_("Each criterion is answered once per evaluation."),
            ),
            models.CheckConstraint(
                condition=Q(result__in=scoring.RESULTS),
                name="standards_evaluation_item_result_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.result}"

    def delete(self, *args, **kwargs):
        raise ImmutableEvaluationError
