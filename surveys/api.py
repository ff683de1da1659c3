"""The surveys part of the REST API, exactly as ``docs/api.md`` says."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, status, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.response import Response as ApiResponse
from rest_framework.views import APIView

from channels_app.models import Channel
from core.reports.api import CSV_DESCRIPTION, UNDOCUMENTED_FORMAT, ReportView, csv_only
from core.roles import INTEGRATION, MANAGER
from sla.reports.params import ReportQuerySerializer, report_query_for
from surveys import scales, selectors, services
from surveys.models import Invitation, Response, Survey
from surveys.ratelimit import rate_limited
from surveys.reports import SATISFACTION_FIELDS, satisfaction_report


class SurveySerializer(serializers.ModelSerializer):
    channels = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Channel.objects.all(), required=False
    )

    class Meta:
        model = Survey
        fields = [
            "id",
            "name",
            "channels",
            "ask_csat",
            "ask_nps",
            "ask_ces",
            "ask_comment",
            "send_delay_minutes",
            "link_lifetime_days",
            "throttle_days",
            "is_active",
        ]

    def validate(self, attrs):
        asks = ["ask_csat", "ask_nps", "ask_ces", "ask_comment"]
        merged = {a: attrs.get(a, getattr(self.instance, a, a != "ask_ces")) for a in asks}
        if not any(merged.values()):
            raise serializers.ValidationError(
                {"ask_csat": [_("A survey must ask at least one question.")]}
            )
        # The other rules (a lifetime of at least one day) are the model's, checked when
        # services.survey_save runs full_clean (see perform_create).
        return attrs


class SurveyViewSet(viewsets.ModelViewSet):
    serializer_class = SurveySerializer
    read_roles = (MANAGER,)
    write_roles = (MANAGER,)

    def get_queryset(self):
        return Survey.objects.prefetch_related("channels").order_by("pk")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        channels = data.pop("channels", [])
        serializer.instance = self._save(channels=channels, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        channels = data.pop("channels", None)
        serializer.instance = self._save(survey=serializer.instance, channels=channels, **data)

    @staticmethod
    def _save(**kwargs) -> Survey:
        try:
            return services.survey_save(**kwargs)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc

    def perform_destroy(self, instance):
        try:
            services.survey_delete(survey=instance)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc


class InvitationSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = [
            "id",
            "contact",
            "survey",
            "status",
            "url",
            "scheduled_for",
            "sent_at",
            "expires_at",
        ]

    def get_url(self, obj) -> str:
        return obj.url


class InvitationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = InvitationSerializer
    read_roles = (MANAGER,)
    filterset_fields = ["status", "survey", "contact"]

    def get_queryset(self):
        return Invitation.objects.order_by("-pk")


# "SurveyResponse", not "Response": generated clients have a Response type of their own.
@extend_schema_serializer(component_name="SurveyResponse")
class ResponseSerializer(serializers.ModelSerializer):
    channel = serializers.SlugRelatedField(slug_field="code", read_only=True)
    agent = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy("The agent's username; null when unknown (kiosk answers)."),
    )
    contact = serializers.SerializerMethodField()
    kiosk = serializers.PrimaryKeyRelatedField(
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy("The kiosk's id; null for answers by invitation link."),
    )
    invitation = serializers.PrimaryKeyRelatedField(
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy("The invitation's id; null for kiosk answers."),
    )

    class Meta:
        model = Response
        fields = [
            "id",
            "invitation",
            "contact",
            "kiosk",
            "channel",
            "agent",
            "csat",
            "nps",
            "ces",
            "comment",
            "language",
            "created_at",
        ]

    def get_contact(self, obj) -> int | None:
        return obj.invitation.contact_id if obj.invitation_id else None


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("channel", str, description=gettext_lazy("Channel code.")),
            OpenApiParameter("agent", str, description=gettext_lazy("Agent username.")),
            OpenApiParameter(
                "score",
                str,
                enum=["low", "high"],
                description=gettext_lazy("low: CSAT 1–2 or NPS 0–6; high: CSAT 4–5 or NPS 9–10."),
            ),
            OpenApiParameter(
                "comments", str, enum=["1"], description=gettext_lazy("1: only with a comment.")
            ),
            OpenApiParameter(
                "from",
                OpenApiTypes.DATE,
                description=gettext_lazy("Answered on or after this date."),
            ),
            OpenApiParameter(
                "to",
                OpenApiTypes.DATE,
                description=gettext_lazy("Answered on or before this date."),
            ),
        ]
    )
)
class ResponseViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ResponseSerializer
    read_roles = (MANAGER,)

    def get_queryset(self):
        return selectors.response_list(params=self.request.query_params).order_by("-pk")


class PublicAnswerSerializer(serializers.Serializer):
    csat = serializers.IntegerField(
        required=False, allow_null=True, min_value=scales.CSAT.low, max_value=scales.CSAT.high
    )
    nps = serializers.IntegerField(
        required=False, allow_null=True, min_value=scales.NPS.low, max_value=scales.NPS.high
    )
    ces = serializers.IntegerField(
        required=False, allow_null=True, min_value=scales.CES.low, max_value=scales.CES.high
    )
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=services.COMMENT_MAX
    )


class PublicSurveyAnswerView(APIView):
    """Answer a survey with the invitation's token: no authentication, the token is the key."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=PublicAnswerSerializer,
        responses={
            201: inline_serializer("PublicAnswerCreated", {"id": serializers.IntegerField()}),
            400: OpenApiTypes.OBJECT,
            404: OpenApiTypes.OBJECT,
            409: OpenApiTypes.OBJECT,
            410: OpenApiTypes.OBJECT,
            429: OpenApiTypes.OBJECT,
        },
        auth=[],
    )
    def post(self, request, token):
        if rate_limited(request, scope="public-api"):
            return ApiResponse(
                {"detail": _("Too many requests. Try again in a minute.")},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        invitation = selectors.invitation_by_token(token)
        if invitation is None:
            return ApiResponse(
                {"detail": _("This link is not valid.")}, status=status.HTTP_404_NOT_FOUND
            )
        serializer = PublicAnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            with transaction.atomic():
                response = services.response_submit(
                    invitation=invitation, **serializer.validated_data
                )
        except services.LinkExpired:
            return ApiResponse({"detail": _("This link has expired.")}, status=status.HTTP_410_GONE)
        except services.AlreadyAnswered:
            return ApiResponse(
                {"detail": _("This survey has already been answered.")},
                status=status.HTTP_409_CONFLICT,
            )
        except DjangoValidationError as exc:
            return ApiResponse(exc.message_dict, status=status.HTTP_400_BAD_REQUEST)
        return ApiResponse({"id": response.pk}, status=status.HTTP_201_CREATED)


REPORT_ROW = inline_serializer(
    "SatisfactionRow",
    {
        "key": serializers.CharField(allow_null=True),
        "responses": serializers.IntegerField(),
        "csat_pct": serializers.FloatField(allow_null=True),
        "nps": serializers.FloatField(allow_null=True),
        "ces_avg": serializers.FloatField(allow_null=True),
        "invitations_sent": serializers.IntegerField(),
        "response_rate_pct": serializers.FloatField(allow_null=True),
    },
)


class SatisfactionReportView(ReportView):
    """Survey answers of a period, grouped like the SLA report, with a total."""

    read_roles = (MANAGER, INTEGRATION)
    csv_fields = SATISFACTION_FIELDS
    csv_name = "satisfaction-report"
    query_for = staticmethod(report_query_for)

    @extend_schema(
        operation_id="reports_satisfaction",
        parameters=[ReportQuerySerializer, UNDOCUMENTED_FORMAT],
        responses={
            (200, "application/json"): inline_serializer(
                "SatisfactionReport",
                {
                    "from": serializers.DateField(),
                    "to": serializers.DateField(),
                    "tz": serializers.CharField(),
                    "group_by": serializers.CharField(),
                    "rows": serializers.ListField(child=REPORT_ROW),
                    "total": REPORT_ROW,
                },
            ),
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description=gettext_lazy(
                    "The same rows as CSV, then the total; the last column, row_type, is "
                    "“group” or “total”."
                ),
            ),
            (400, "application/json"): OpenApiTypes.OBJECT,
        },
    )
    def get(self, request):
        return super().get(request)

    def report(self, query) -> dict:
        return satisfaction_report(query)


def register(router):
    """Add this app's viewsets to the API router."""
    router.register("surveys", SurveyViewSet, basename="survey")
    router.register("survey-invitations", InvitationViewSet, basename="survey-invitation")
    router.register("survey-responses", ResponseViewSet, basename="survey-response")


extra_urls = [
    path(
        "public/surveys/<str:token>/",
        PublicSurveyAnswerView.as_view(),
        name="public-survey-answer",
    ),
    path("reports/satisfaction/", SatisfactionReportView.as_view(), name="satisfaction-report"),
    path(
        "reports/satisfaction/csv/",
        csv_only(
            SatisfactionReportView,
            operation_id="reports_satisfaction_csv",
            description=CSV_DESCRIPTION,
            parameters=[ReportQuerySerializer],
        ).as_view(),
        name="satisfaction-report-csv",
    ),
]
