"""Viewsets of the SLA API; every write goes through :mod:`sla.services`."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from channels_app.models import Channel
from core.parse import storable
from core.parsers import JSONParser
from core.roles import ALL_ROLES, INTEGRATION, MANAGER
from sla import selectors, services
from sla.api.filters import BreachFilter, ContactFilter
from sla.api.serializers import (
    BreachSerializer,
    BulkResultSerializer,
    ContactResponseSerializer,
    ContactSerializer,
    ContactUpdateSerializer,
    SlaPolicyResponseSerializer,
    SlaPolicySerializer,
    contact_plain,
)


@extend_schema_view(
    list=extend_schema(responses=SlaPolicyResponseSerializer(many=True)),
    retrieve=extend_schema(responses=SlaPolicyResponseSerializer),
    create=extend_schema(responses={201: SlaPolicyResponseSerializer}),
    update=extend_schema(responses=SlaPolicyResponseSerializer),
    partial_update=extend_schema(responses=SlaPolicyResponseSerializer),
)
class SlaPolicyViewSet(viewsets.ModelViewSet):
    """SLA targets per channel and priority; one active policy per (channel, priority)."""

    serializer_class = SlaPolicySerializer
    read_roles = ALL_ROLES
    write_roles = (MANAGER,)

    def get_queryset(self):
        return selectors.policy_list(user=self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.sla_policy_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.sla_policy_update(
            policy=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.sla_policy_delete(policy=instance)


_BULK_ERRORS = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description=_(
        "Nothing was written. Errors by 0-based item index, e.g. "
        '{"3": {"opened_at": ["This time is in the future."]}}, or under non_field_errors '
        "for the list itself (not a list, more than 1000 items)."
    ),
)


@extend_schema_view(
    list=extend_schema(responses=ContactResponseSerializer(many=True)),
    retrieve=extend_schema(responses=ContactResponseSerializer),
    create=extend_schema(
        request=ContactSerializer,
        responses={
            201: OpenApiResponse(ContactResponseSerializer, description=_("Created.")),
            200: OpenApiResponse(
                ContactResponseSerializer,
                description=_("Already there (same channel and external_id): unchanged."),
            ),
        },
    ),
    partial_update=extend_schema(
        request=ContactUpdateSerializer, responses=ContactResponseSerializer
    ),
)
class ContactViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Customer contacts pushed by helpdesks, with their deadlines and SLA states."""

    serializer_class = ContactSerializer
    filterset_class = ContactFilter
    read_roles = ALL_ROLES
    write_roles = (MANAGER, INTEGRATION)
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.contact_list(user=self.request.user)

    def get_serializer_class(self):
        if self.action == "partial_update":
            return ContactUpdateSerializer
        return ContactSerializer

    def create(self, request, *args, **kwargs):
        serializer = ContactSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        contact, created = services.contact_create(**serializer.validated_data)
        return Response(
            ContactSerializer(contact, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    def partial_update(self, request, *args, **kwargs):
        contact = self.get_object()
        serializer = ContactUpdateSerializer(
            contact, data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        contact = services.contact_update(contact=contact, **serializer.validated_data)
        return Response(ContactSerializer(contact, context=self.get_serializer_context()).data)

    @extend_schema(
        request=ContactSerializer(many=True),
        responses={
            201: OpenApiResponse(BulkResultSerializer, description=_("Some were created.")),
            200: OpenApiResponse(BulkResultSerializer, description=_("All were already there.")),
            400: _BULK_ERRORS,
        },
        examples=[
            OpenApiExample(
                "Result",
                value={"created": 2, "existing": 1, "ids": [41, 42, 17]},
                response_only=True,
            )
        ],
    )
    @action(detail=False, methods=["post"], url_path="bulk", parser_classes=[JSONParser])
    def bulk(self, request):
        """Create up to 1000 contacts at once, all or nothing; the ids come in input order."""
        data = request.data
        if not isinstance(data, list):
            raise ValidationError({"non_field_errors": [_("Send a JSON list of contacts.")]})
        if len(data) > services.BULK_MAX:
            raise ValidationError(
                {
                    "non_field_errors": [
                        _("Send at most %(max)d contacts at a time; this list has %(count)d.")
                        % {"max": services.BULK_MAX, "count": len(data)}
                    ]
                }
            )
        # Items in the common form are read by a plain function; the others by one serializer
        # (as ListSerializer would), which decides and words the errors, keyed by index.
        lookups = _preload(data)
        child = ContactSerializer(context={**self.get_serializer_context(), **lookups})
        items, errors = [], {}
        for index, item in enumerate(data):
            plain = contact_plain(item, **lookups)
            if plain is not None:
                items.append(plain)
                continue
            try:
                items.append(child.run_validation(item))
            except ValidationError as exc:
                errors[str(index)] = exc.detail
        if errors:
            raise ValidationError(errors)
        try:
            result = services.contacts_bulk_create(items=items)
        except services.BulkValidationError as exc:
            raise ValidationError(
                {str(index): errs for index, errs in exc.errors.items()}
            ) from None
        # BulkResultSerializer's shape, without a field object per id.
        body = {"created": result.created, "existing": result.existing, "ids": result.ids}
        return Response(
            body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        )


def _preload(items: list) -> dict:
    """Channels and agents named anywhere in a bulk body, in two queries."""
    codes, usernames = set(), set()
    for item in items:
        if isinstance(item, dict):
            if isinstance(item.get("channel"), str) and storable(item["channel"]):
                codes.add(item["channel"])
            if isinstance(item.get("agent"), str) and storable(item["agent"]):
                usernames.add(item["agent"])
    return {
        "channels": {c.code: c for c in Channel.objects.with_related().filter(code__in=codes)},
        "agents": {
            u.username: u for u in selectors.contact_agents().filter(username__in=usernames)
        },
    }


class BreachViewSet(viewsets.ReadOnlyModelViewSet):
    """Missed targets, one per contact and metric, newest first."""

    serializer_class = BreachSerializer
    filterset_class = BreachFilter
    read_roles = ALL_ROLES

    def get_queryset(self):
        return selectors.breach_list(user=self.request.user)
