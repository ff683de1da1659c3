"""REST API for standards (``/api/v1/standards/``) and versions, as ``docs/api.md`` says.

Just over 400 lines on purpose: standards and their versions are one resource family that shares
its serializers (criteria, channel codes) and its 409 rule.

Serializers check the shape of the input; the services decide (the same functions the pages
call). A request that does not fit the version's state (publishing a published version, a second
open draft) answers 409 with ``{"detail": ...}``; bad input answers 400 with field errors.
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.response import Response

from core.fields import FilterSet
from core.roles import ALL_ROLES, MANAGER
from standards import selectors, services
from standards.markdown import MAX_BODY_LENGTH
from standards.models import WEIGHT_MAX, Category, Criterion, Standard, StandardVersion
from standards.services.common import CHANGE_SUMMARY_MAX, MAX_CRITERIA


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The request conflicts with the current state of the standard.")
    default_code = "conflict"


def _conflict(exc: DjangoValidationError) -> Conflict:
    return Conflict(detail=" ".join(str(m) for m in exc.messages))


# -- serializers ---------------------------------------------------------------------------------


@extend_schema_serializer(component_name="CriterionInput")
class CriterionSerializer(serializers.ModelSerializer):
    text = serializers.CharField(max_length=Criterion._meta.get_field("text").max_length)
    weight = serializers.IntegerField(min_value=1, max_value=WEIGHT_MAX, default=1)
    is_critical = serializers.BooleanField(default=False)

    class Meta:
        model = Criterion
        fields = ["id", "text", "weight", "is_critical"]
        read_only_fields = ["id"]


@extend_schema_serializer(component_name="Criterion")
class CriterionResponseSerializer(CriterionSerializer):
    text = serializers.CharField(read_only=True)
    weight = serializers.IntegerField(read_only=True)
    is_critical = serializers.BooleanField(read_only=True)


class CurrentVersionSerializer(serializers.ModelSerializer):
    """The published version of a standard, as ``current_version``."""

    criteria = CriterionResponseSerializer(many=True, read_only=True)
    body_html = serializers.CharField(read_only=True, help_text=_("Always sanitised."))

    class Meta:
        model = StandardVersion
        fields = [
            "number",
            "published_at",
            "body_markdown",
            "body_html",
            "change_kind",
            "criteria",
        ]
        read_only_fields = fields


@extend_schema_field({"type": "array", "items": {"type": "string"}, "example": ["chat", "phone"]})
class ChannelCodesField(serializers.ListField):
    """Channels as their codes; codes in, channels out (unknown codes are a 400)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("child", serializers.SlugField(max_length=50))
        super().__init__(**kwargs)

    def to_representation(self, data):
        return [channel.code for channel in data.all()]


class StandardSerializer(serializers.ModelSerializer):
    slug = serializers.SlugField(
        max_length=Standard._meta.get_field("slug").max_length,
        required=False,
        help_text=_("Made from the title when left out."),
    )
    category = serializers.CharField(
        max_length=Category._meta.get_field("name").max_length,
        allow_null=True,
        required=False,
        help_text=_("Category name or null; a new name creates the category."),
    )
    channels = ChannelCodesField(
        required=False,
        help_text=_("Codes of the channels the standard applies to."),
    )
    current_version = CurrentVersionSerializer(
        read_only=True,
        allow_null=True,
        help_text=_("The published version; null while none is published."),
    )
    four_eyes = serializers.BooleanField(
        allow_null=True,
        required=False,
        help_text=_(
            "true: a version must be published by a manager other than its author; false: "
            "anyone may; null: as the portal's setting (STANDARDS_FOUR_EYES)."
        ),
    )
    four_eyes_required = serializers.BooleanField(
        read_only=True, help_text=_("Whether four eyes apply now (the standard's or the portal's).")
    )
    retired = serializers.BooleanField(
        source="is_retired",
        required=False,
        help_text=_(
            "true retires the standard (its outstanding acknowledgements are withdrawn), false "
            "reinstates it. A new standard cannot be retired."
        ),
    )
    retired_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Standard
        fields = [
            "id",
            "slug",
            "title",
            "category",
            "channels",
            "four_eyes",
            "four_eyes_required",
            "retired",
            "retired_at",
            "current_version",
        ]
        read_only_fields = ["id", "four_eyes_required", "retired_at", "current_version"]

    def validate_channels(self, codes):
        try:
            return services.channels_by_code(codes)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict["channels"]) from None

    def validate(self, attrs):
        if self.instance is None and attrs.get("is_retired"):
            raise serializers.ValidationError({"retired": [_("A new standard cannot be retired.")]})
        return attrs

    def service_kwargs(self) -> dict:
        """What ``standard_create``/``standard_update`` take (``retired`` has services of its
        own)."""
        data = dict(self.validated_data)
        data.pop("is_retired", None)
        return data


@extend_schema_serializer(component_name="Standard")
class StandardResponseSerializer(StandardSerializer):
    """Responses carry every field; used for the schema only."""

    slug = serializers.SlugField(read_only=True)
    category = serializers.CharField(read_only=True, allow_null=True)
    channels = ChannelCodesField(read_only=True)

    four_eyes = serializers.BooleanField(read_only=True, allow_null=True)
    retired = serializers.BooleanField(source="is_retired", read_only=True)

    class Meta(StandardSerializer.Meta):
        read_only_fields = StandardSerializer.Meta.fields


class VersionSerializer(serializers.ModelSerializer):
    """A version as managers see it (``GET /standards/{id}/versions/``)."""

    criteria = CriterionResponseSerializer(many=True, read_only=True)
    author = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    approver = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    body_html = serializers.CharField(read_only=True, help_text=_("Always sanitised."))

    class Meta:
        model = StandardVersion
        fields = [
            "number",
            "status",
            "change_kind",
            "change_summary",
            "body_markdown",
            "body_html",
            "criteria",
            "author",
            "approver",
            "created_at",
            "submitted_at",
            "published_at",
            "archived_at",
        ]
        read_only_fields = fields


class VersionCreateSerializer(serializers.Serializer):
    """A new draft; what is left out is copied from the published version."""

    body_markdown = serializers.CharField(
        max_length=MAX_BODY_LENGTH, allow_blank=True, required=False, trim_whitespace=False
    )
    change_kind = serializers.ChoiceField(
        choices=StandardVersion.ChangeKind.choices, required=False
    )
    change_summary = serializers.CharField(
        max_length=CHANGE_SUMMARY_MAX, allow_blank=True, required=False, default=""
    )
    criteria = CriterionSerializer(many=True, required=False, max_length=MAX_CRITERIA)


# -- views ---------------------------------------------------------------------------------------


class StandardFilter(FilterSet):
    retired = django_filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        method="filter_retired",
        help_text=_(
            "true: retired standards only (Managers); false, the default: those in the book."
        ),
    )

    class Meta:
        model = Standard
        fields = []

    def filter_retired(self, queryset, name, value):
        return queryset.retired() if value == "true" else queryset.in_use()


_standard_id = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description=_("The standard's id.")
)
_version_number = OpenApiParameter(
    "number", OpenApiTypes.INT, OpenApiParameter.PATH, description=_("The version's number.")
)
_errors = {
    400: OpenApiResponse(description=_('Invalid input: {"field": ["message", ...]}.')),
    409: OpenApiResponse(description=_('Conflicts with the version\'s state: {"detail"}.')),
}


@extend_schema_view(
    list=extend_schema(responses=StandardResponseSerializer(many=True)),
    retrieve=extend_schema(responses=StandardResponseSerializer),
    create=extend_schema(responses={201: StandardResponseSerializer, 400: _errors[400]}),
    update=extend_schema(responses={200: StandardResponseSerializer, 400: _errors[400]}),
    partial_update=extend_schema(responses={200: StandardResponseSerializer, 400: _errors[400]}),
)
class StandardViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Standards. Everyone signed in reads those in the book with a published version; Managers
    read all (the list leaves retired ones out unless ``?retired=true``) and create and update
    them. ``current_version`` is the published version (null if none)."""

    serializer_class = StandardSerializer
    filterset_class = StandardFilter
    read_roles = ALL_ROLES
    write_roles = (MANAGER,)

    def get_queryset(self):
        standards = selectors.standard_queryset(user=self.request.user)
        if self.action == "list" and "retired" not in self.request.query_params:
            standards = standards.in_use()
        return standards.with_current_version(criteria=True).order_by("title", "pk")

    def perform_create(self, serializer):
        serializer.instance = services.standard_create(
            user=self.request.user, **serializer.service_kwargs()
        )

    @transaction.atomic
    def perform_update(self, serializer):
        retired = serializer.validated_data.get("is_retired")
        standard = services.standard_update(
            standard=serializer.instance, user=self.request.user, **serializer.service_kwargs()
        )
        if retired is True and not standard.is_retired:
            standard = services.standard_retire(standard=standard, user=self.request.user)
        elif retired is False and standard.is_retired:
            standard = services.standard_reinstate(standard=standard, user=self.request.user)
        serializer.instance = standard


@extend_schema(parameters=[_standard_id])
@extend_schema_view(
    list=extend_schema(responses=VersionSerializer(many=True)),
    retrieve=extend_schema(parameters=[_version_number], responses=VersionSerializer),
)
class StandardVersionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Versions of one standard (Managers only; everyone else gets 403)."""

    serializer_class = VersionSerializer
    lookup_field = "number"
    lookup_value_regex = r"[0-9]+"
    read_roles = (MANAGER,)
    write_roles = (MANAGER,)

    def get_standard(self) -> Standard:
        if not hasattr(self, "_standard"):
            self._standard = get_object_or_404(
                selectors.standard_queryset(user=self.request.user), pk=self.kwargs["id"]
            )
        return self._standard

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return StandardVersion.objects.none()
        return (
            selectors.version_queryset(user=self.request.user, standard=self.get_standard())
            .select_related("author", "approver")
            .prefetch_related("criteria")
            .order_by("-number")
        )

    @extend_schema(
        request=VersionCreateSerializer,
        responses={201: VersionSerializer, **_errors},
        summary=_("Create a draft version"),
    )
    def create(self, request, *args, **kwargs):
        """A new draft from ``body_markdown``, ``change_kind``, ``change_summary`` and
        ``criteria``; what is left out is copied from the published version (typical
        situations always are). 409 while another version is in draft or in review."""
        standard = self.get_standard()
        payload = VersionCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            version = services.version_create_draft(
                standard=standard, user=request.user, **payload.validated_data
            )
        except (services.VersionStateError, services.ImmutableVersionError) as exc:
            raise _conflict(exc) from None
        version = self.get_queryset().get(pk=version.pk)
        return Response(VersionSerializer(version).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[_version_number],
        request=None,
        responses={
            200: VersionSerializer,
            403: OpenApiResponse(
                description=_('Four eyes: the author may not publish: {"detail"}.')
            ),
            404: OpenApiResponse(),
            **_errors,
        },
        summary=_("Publish a version"),
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, *args, **kwargs):
        """Publish the version and archive the one published until now.

        A Manager may publish a draft or a version in review through the API (the browser
        always goes draft -> in review -> published). The version's ``change_summary`` must
        not be empty (400), nor its body, and it needs at least one criterion. Publishing a
        published or archived version, or a version of a retired standard, answers 409; when
        the standard requires four eyes, its author gets 403 (another Manager publishes).
        """
        version = self.get_object()
        try:
            services.version_publish(version=version, user=request.user, allow_draft=True)
        except (services.VersionStateError, services.ImmutableVersionError) as exc:
            raise _conflict(exc) from None
        except services.FourEyesError as exc:
            raise PermissionDenied(detail=str(exc)) from None
        version = self.get_queryset().get(pk=version.pk)
        return Response(VersionSerializer(version).data)


def register(router):
    """Add this app's viewsets to the API router."""
    router.register("standards", StandardViewSet, basename="standard")
    router.register(
        r"standards/(?P<id>[0-9]+)/versions", StandardVersionViewSet, basename="standard-version"
    )
