"""QA evaluations: a manager judges one interaction of one agent against the criteria of one
published standard version.

An evaluation is a record of a judgement: once saved it never changes (``save()`` and
``QuerySet.update()`` refuse); a manager may only delete it as a whole, through the service.
Its score is computed by the service (:mod:`quality.scoring`) and stored, so lists sort and
average in the database.
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
from portal.models import InsertOnlyModel
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
        return self.select_related("agent", "evaluator", "standard", "version", "channel")

    def occurred_since(self, since):
        return self.filter(occurred_at__gte=since)

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
                name="standards_evaluation_once_per_interaction",
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
