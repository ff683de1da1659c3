"""REST API for QA evaluations (``/api/v1/evaluations/``), as ``docs/api.md`` says.

Managers list every evaluation and create them; Staff read their own and accept or dispute
them; Managers resolve disputes. Lists hold one row per interaction, its current revision.
Serializers check the shape of the input; the services decide (the same functions the pages
call). Bad input answers 400 with field errors; an action that does not fit the evaluation's
state (answering twice, resolving what is not disputed) answers 409.
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.response import Response

from channels_app.models import Channel
from core.fields import FilterSet, InstantField, InstantFilter
from core.roles import MANAGER, STAFF
from quality import evaluation_selectors, scoring, services
from quality.models import Evaluation, EvaluationItem
from quality.models.evaluations import COMMENT_MAX, NOTE_MAX, REFERENCE_MAX
from standards.models import Standard


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The request does not fit the state of the evaluation.")
    default_code = "conflict"


def _call(service, **kwargs):
    """Field problems stay 400 (the exception handler); a state problem is a 409."""
    try:
        return service(**kwargs)
    except DjangoValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise
        raise Conflict(detail=" ".join(str(m) for m in exc.messages)) from None


# -- serializers ---------------------------------------------------------------------------------


class EvaluationItemSerializer(serializers.ModelSerializer):
    criterion = serializers.IntegerField(source="criterion_id", read_only=True)
    text = serializers.CharField(source="criterion.text", read_only=True)
    weight = serializers.IntegerField(source="criterion.weight", read_only=True)
    is_critical = serializers.BooleanField(source="criterion.is_critical", read_only=True)

    class Meta:
        model = EvaluationItem
        fields = ["criterion", "text", "weight", "is_critical", "result", "note"]
        read_only_fields = fields


class AnswerSerializer(serializers.Serializer):
    """The staff member's answer to the evaluation."""

    kind = serializers.ChoiceField(choices=["accepted", "disputed"], read_only=True)
    comment = serializers.CharField(read_only=True)
    author = serializers.CharField(source="author.username", read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class EvaluationSerializer(serializers.ModelSerializer):
    standard = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    version = serializers.IntegerField(source="version.number", read_only=True)
    agent = serializers.SlugRelatedField(slug_field="username", read_only=True)
    evaluator = serializers.SlugRelatedField(slug_field="username", read_only=True)
    channel = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    score = serializers.DecimalField(max_digits=4, decimal_places=1, read_only=True)
    state = serializers.ChoiceField(choices=Evaluation.State.choices, read_only=True)
    resolution = serializers.ChoiceField(
        choices=Evaluation.Resolution.choices,
        read_only=True,
        allow_null=True,
        help_text=_("How the dispute was resolved; null until it is."),
    )
    resolved_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    revision_of = serializers.IntegerField(
        source="supersedes_id",
        read_only=True,
        allow_null=True,
        help_text=_("The evaluation this revision supersedes; null for the first."),
    )
    answer = serializers.SerializerMethodField(
        help_text=_("The staff member's answer: null until they accept or dispute.")
    )
    items = EvaluationItemSerializer(many=True, read_only=True)

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "standard",
            "version",
            "agent",
            "evaluator",
            "channel",
            "interaction_reference",
            "occurred_at",
            "comment",
            "score",
            "critical_missed",
            "state",
            "resolution",
            "resolution_reason",
            "resolved_by",
            "revision_of",
            "answer",
            "items",
            "created_at",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["resolution"] = instance.resolution or None
        return data

    @extend_schema_field(AnswerSerializer(allow_null=True))
    def get_answer(self, instance):
        answer = getattr(instance, "response", None)
        if answer is None and instance.supersedes_id:
            answer = getattr(instance.supersedes, "response", None)
        return AnswerSerializer(answer).data if answer is not None else None


class AnswerInputSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=scoring.RESULTS)
    criterion = serializers.IntegerField(min_value=1)
    note = serializers.CharField(max_length=NOTE_MAX, allow_blank=True, required=False, default="")


class EvaluationCreateSerializer(serializers.Serializer):
    """A new evaluation against the standard's published version: one answer per criterion."""

    standard = serializers.SlugRelatedField(
        slug_field="slug", queryset=Standard.objects.all(), help_text=_("The standard's slug.")
    )
    version = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text=_(
            "The published version's number, to be sure the criteria are the ones "
            "answered; left out: the version published now."
        ),
    )
    agent = serializers.SlugRelatedField(
        slug_field="username",
        queryset=evaluation_selectors.evaluation_agents(),
        help_text=_("Username of the staff member evaluated."),
    )
    channel = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Channel.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("Channel code."),
    )
    interaction_reference = serializers.CharField(max_length=REFERENCE_MAX)
    occurred_at = InstantField()
    comment = serializers.CharField(max_length=COMMENT_MAX, allow_blank=True, required=False)
    answers = AnswerInputSerializer(many=True, allow_empty=False, max_length=500)


class DisputeSerializer(serializers.Serializer):
    comment = serializers.CharField(
        max_length=COMMENT_MAX, help_text=_("What the staff member disagrees with.")
    )


class AcceptSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=COMMENT_MAX, allow_blank=True, required=False)


class ResolveSerializer(serializers.Serializer):
    upheld = serializers.BooleanField(
        default=False, help_text=_("true: the score stands; false: give a new score.")
    )
    score = serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        min_value=0,
        max_value=100,
        required=False,
        allow_null=True,
        help_text=_("The new score (0-100, one decimal) when not upheld."),
    )
    reason = serializers.CharField(
        max_length=COMMENT_MAX,
        allow_blank=True,
        required=False,
        default="",
        help_text=_("Why; required when the score changes."),
    )


class EvaluationFilter(FilterSet):
    agent = django_filters.CharFilter(field_name="agent__username", help_text=_("Username."))
    standard = django_filters.CharFilter(field_name="standard__slug", help_text=_("Slug."))
    channel = django_filters.CharFilter(field_name="channel__code", help_text=_("Channel code."))
    state = django_filters.ChoiceFilter(choices=Evaluation.State.choices, method="filter_state")
    occurred_after = InstantFilter(
        field_name="occurred_at", lookup_expr="gte", help_text=_("Interaction at or after.")
    )
    occurred_before = InstantFilter(
        field_name="occurred_at", lookup_expr="lt", help_text=_("Interaction before (exclusive).")
    )

    class Meta:
        model = Evaluation
        fields = []

    def filter_state(self, queryset, name, value):
        return queryset.in_state(value) if value else queryset


# -- views ---------------------------------------------------------------------------------------

_errors = {
    409: OpenApiResponse(
        description=_('Does not fit the evaluation\'s state (answered, resolved): {"detail"}.')
    ),
}


@extend_schema_view(
    list=extend_schema(summary=_("List evaluations (one row per interaction)")),
    retrieve=extend_schema(summary=_("Read one evaluation")),
)
class EvaluationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """QA evaluations. Managers read all and create; Staff read their own and answer them."""

    serializer_class = EvaluationSerializer
    filterset_class = EvaluationFilter
    read_roles = (MANAGER, STAFF)
    write_roles = (MANAGER, STAFF)

    def get_queryset(self):
        user = self.request.user
        if getattr(self, "swagger_fake_view", False) or not user.is_authenticated:
            return Evaluation.objects.none()
        rows = evaluation_selectors.evaluation_queryset(user=user)
        if self.action == "list":
            rows = rows.current()
        items = EvaluationItem.objects.select_related("criterion").order_by(
            "criterion__order", "criterion_id"
        )
        return (
            rows.select_related(
                "standard",
                "version",
                "agent",
                "evaluator",
                "channel",
                "resolved_by",
                "response__author",
                "supersedes__response__author",
            )
            .prefetch_related(Prefetch("items", queryset=items))
            .order_by("-occurred_at", "-id")
        )

    def _reread(self, evaluation, code=status.HTTP_200_OK) -> Response:
        evaluation = self.get_queryset().get(pk=evaluation.pk)
        return Response(EvaluationSerializer(evaluation).data, status=code)

    @extend_schema(
        request=EvaluationCreateSerializer,
        responses={201: EvaluationSerializer},
        summary=_("Evaluate an interaction (Managers)"),
    )
    def create(self, request, *args, **kwargs):
        """Against the standard's published version; ``answers`` has one
        ``{"criterion", "result": "met|not_met|na", "note"}`` per criterion of that version."""
        services.require_evaluator(request.user)
        payload = EvaluationCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        standard = data.pop("standard")
        number = data.pop("version", None)
        version = standard.current_version
        if version is None or (number is not None and number != version.number):
            raise serializers.ValidationError(
                {
                    "version": [
                        _("Only the published version of a standard can be evaluated against.")
                    ]
                }
            )
        evaluation = services.evaluation_create(evaluator=request.user, version=version, **data)
        return self._reread(evaluation, status.HTTP_201_CREATED)

    @extend_schema(
        request=DisputeSerializer,
        responses={200: EvaluationSerializer, **_errors},
        summary=_("Dispute an evaluation (its staff member)"),
    )
    @action(detail=True, methods=["post"])
    def dispute(self, request, *args, **kwargs):
        """The evaluated staff member disputes with a comment; the evaluator is told."""
        evaluation = self.get_object()
        payload = DisputeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        _call(
            services.evaluation_dispute,
            evaluation=evaluation,
            user=request.user,
            comment=payload.validated_data["comment"],
        )
        return self._reread(evaluation)

    @extend_schema(
        request=AcceptSerializer,
        responses={200: EvaluationSerializer, **_errors},
        summary=_("Accept an evaluation (its staff member)"),
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, *args, **kwargs):
        evaluation = self.get_object()
        payload = AcceptSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        _call(
            services.evaluation_accept,
            evaluation=evaluation,
            user=request.user,
            comment=payload.validated_data.get("comment", ""),
        )
        return self._reread(evaluation)

    @extend_schema(
        request=ResolveSerializer,
        responses={200: EvaluationSerializer, **_errors},
        summary=_("Resolve a dispute (Managers)"),
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request, *args, **kwargs):
        """Upheld, or a new score with a reason: a new revision, answered here (its ``id`` is
        new; ``revision_of`` is the disputed one). The staff member is told."""
        services.require_evaluator(request.user)
        evaluation = self.get_object()
        payload = ResolveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        revision = _call(
            services.evaluation_resolve,
            evaluation=evaluation,
            user=request.user,
            **payload.validated_data,
        )
        return self._reread(revision)
