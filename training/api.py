"""REST API for onboarding, exactly as ``docs/api.md`` says: acknowledgements (read-only: they are
written only through the acknowledgement page) and per-person progress."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, serializers, viewsets

from core.roles import MANAGER, STAFF, has_role
from training import selectors
from training.models import Acknowledgement

READ_ROLES = (MANAGER, STAFF)


class AcknowledgementSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.username", read_only=True)
    standard = serializers.CharField(
        source="version.standard.slug", read_only=True, help_text="The standard's slug."
    )
    version = serializers.IntegerField(source="version.number", read_only=True)

    class Meta:
        model = Acknowledgement
        fields = [
            "id",
            "user",
            "standard",
            "version",
            "acknowledged_at",
            "quiz_score",
            "fingerprint",
        ]
        read_only_fields = fields


class AcknowledgementViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Managers: every acknowledgement; Staff: their own. No writes here, ever."""

    serializer_class = AcknowledgementSerializer
    queryset = Acknowledgement.objects.none()
    read_roles = READ_ROLES
    write_roles = ()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Acknowledgement.objects.none()
        qs = Acknowledgement.objects.select_related("user", "version__standard").order_by(
            "-acknowledged_at", "-id"
        )
        if not has_role(self.request.user, MANAGER):
            qs = qs.filter(user=self.request.user)
        return qs


class ProgressSerializer(serializers.Serializer):
    user = serializers.CharField(help_text="Username.")
    assigned = serializers.IntegerField(help_text="Standards in the person's tracks.")
    acknowledged = serializers.IntegerField()
    outstanding = serializers.IntegerField()
    overdue = serializers.IntegerField()
    percent = serializers.IntegerField(help_text="acknowledged / assigned × 100, rounded down.")


class ProgressView(generics.ListAPIView):
    """Managers: everyone with a track; Staff: themselves only."""

    serializer_class = ProgressSerializer
    read_roles = READ_ROLES
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return selectors.users_with_assignments().none()
        qs = selectors.users_with_assignments()
        if not has_role(self.request.user, MANAGER):
            qs = qs.filter(pk=self.request.user.pk)
        return qs

    @extend_schema(responses=ProgressSerializer(many=True))
    def get(self, request, *args, **kwargs):
        queryset = self.get_queryset()
        page = self.paginate_queryset(queryset)
        rows = selectors.progress_rows(list(page))
        return self.get_paginated_response(ProgressSerializer(rows, many=True).data)


def register(router):
    """Add this app's viewsets to the API router."""
    router.register("acknowledgements", AcknowledgementViewSet, basename="acknowledgement")


extra_urls = [
    path("training/progress/", ProgressView.as_view(), name="training-progress"),
]
