"""Versions of a standard, their criteria and typical situations, and what keeps published and
archived ones from ever changing."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.basemodels import TimeStampedModel
from core.frozen import FrozenChildModel
from standards.markdown import render_markdown
from standards.models.standards import Standard

WEIGHT_MAX = 100


class ImmutableVersionError(ValidationError):
    """Raised on any attempt to change or delete a published or archived version."""

    def __init__(self, message=None):
        super().__init__(
            message
            or _(
                "Published and archived versions cannot be changed or deleted. "
                "Start a new draft to change this standard."
            ),
            code="immutable_version",
        )


class StandardVersionQuerySet(models.QuerySet):
    def frozen(self):
        return self.filter(status__in=StandardVersion.FROZEN_STATUSES)

    def open(self):
        return self.filter(status__in=StandardVersion.OPEN_STATUSES)

    def visible_to_staff(self):
        return self.filter(status__in=StandardVersion.FROZEN_STATUSES)

    def update(self, **kwargs):
        if self.frozen().exists():
            raise ImmutableVersionError
        return super().update(**kwargs)

    def delete(self):
        if self.frozen().exists():
            raise ImmutableVersionError
        return super().delete()

    delete.queryset_only = True


class StandardVersion(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    class ChangeKind(models.TextChoices):
        MINOR = "minor", _("Minor (typos, formatting): no new acknowledgement")
        MAJOR = "major", _("Major: staff must acknowledge again")

    FROZEN_STATUSES = (Status.PUBLISHED, Status.ARCHIVED)
    OPEN_STATUSES = (Status.DRAFT, Status.IN_REVIEW)
    # What archiving a published version may change; anything else is refused.
    ARCHIVE_FIELDS = frozenset({"status", "archived_at", "updated_at"})

    standard = models.ForeignKey(
        Standard,
        # A standard with versions is deleted through the service, which refuses when any
        # version was ever published: a cascade must never remove a published version.
        on_delete=models.PROTECT,
        related_name="versions",
        verbose_name=_("standard"),
    )
    number = models.PositiveIntegerField(_("number"))
    body_markdown = models.TextField(_("body (Markdown)"), blank=True)
    body_html = models.TextField(_("body (HTML)"), blank=True, editable=False)
    change_summary = models.TextField(_("change summary"), blank=True)
    change_kind = models.CharField(
        _("kind of change"), max_length=10, choices=ChangeKind.choices, default=ChangeKind.MAJOR
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    review_comment = models.TextField(
        _("reviewer's comment"),
        blank=True,
        help_text=_("Why the version went back to draft."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="authored_standard_versions",
        verbose_name=_("author"),
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="approved_standard_versions",
        verbose_name=_("approver"),
    )
    submitted_at = models.DateTimeField(_("submitted for review at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)

    objects = StandardVersionQuerySet.as_manager()

    class Meta:
        ordering = ["standard_id", "-number"]
        verbose_name = _("standard version")
        verbose_name_plural = _("standard versions")
        constraints = [
            models.UniqueConstraint(
                fields=["standard", "number"],
                name="standards_version_unique_number",
                violation_error_message=_("This standard already has a version with this number."),
            ),
            models.UniqueConstraint(
                fields=["standard"],
                condition=Q(status="published"),
                name="standards_version_one_published",
                violation_error_message=_("This standard already has a published version."),
            ),
            models.UniqueConstraint(
                fields=["standard"],
                condition=Q(status__in=["draft", "in_review"]),
                name="standards_version_one_open",
                violation_error_message=_(
                    "This standard already has a version in draft or in review."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "in_review", "published", "archived"]),
                name="standards_version_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(change_kind__in=["minor", "major"]),
                name="standards_version_change_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="standards_version_number_positive",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["published", "archived"]) | Q(published_at__isnull=False),
                name="standards_version_published_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "standard"], name="standards_version_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.standard} v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse(
            "standards:version-detail",
            kwargs={"slug": self.standard.slug, "number": self.number},
        )

    @property
    def is_frozen(self) -> bool:
        return self.status in self.FROZEN_STATUSES

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def requires_reacknowledgement(self) -> bool:
        """A major change makes the standard outstanding again for everyone assigned to it."""
        return self.change_kind == self.ChangeKind.MAJOR

    def _stored_status(self) -> str | None:
        if self.pk is None:
            return None
        return type(self)._base_manager.filter(pk=self.pk).values_list("status", flat=True).first()

    def save(self, *args, **kwargs):
        stored = self._stored_status()
        if stored == self.Status.ARCHIVED:
            raise ImmutableVersionError
        if stored == self.Status.PUBLISHED:
            # The one change a published version allows: being archived by the next publication.
            update_fields = kwargs.get("update_fields")
            if not (
                self.status == self.Status.ARCHIVED
                and update_fields is not None
                and set(update_fields) <= self.ARCHIVE_FIELDS
            ):
                raise ImmutableVersionError
        else:
            # Rendered once here, so pages and the API only ever serve the stored, clean HTML.
            self.body_html = render_markdown(self.body_markdown)
            if (
                kwargs.get("update_fields") is not None
                and "body_markdown" in kwargs["update_fields"]
            ):
                kwargs["update_fields"] = {*kwargs["update_fields"], "body_html"}
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_frozen or self._stored_status() in self.FROZEN_STATUSES:
            raise ImmutableVersionError
        return super().delete(*args, **kwargs)


class _VersionPart(FrozenChildModel):
    """Criteria and situations of a published or archived version are frozen with it (the
    kernel's guard, ``core.frozen``; the database's half is migration 0002)."""

    frozen_via = "version"
    frozen_when = {"status__in": StandardVersion.FROZEN_STATUSES}
    frozen_error = ImmutableVersionError

    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True


class Criterion(_VersionPart):
    """Something a manager can check in a conversation, e.g. "Greets within 5 seconds"."""

    version = models.ForeignKey(
        StandardVersion,
        on_delete=models.CASCADE,
        related_name="criteria",
        verbose_name=_("version"),
    )
    text = models.CharField(_("criterion"), max_length=500)
    weight = models.PositiveSmallIntegerField(
        _("weight"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(WEIGHT_MAX)],
        help_text=_("How much the criterion counts in an evaluation, 1–100."),
    )
    is_critical = models.BooleanField(
        _("critical"),
        default=False,
        help_text=_("Missing a critical criterion fails the whole evaluation."),
    )

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gte=1) & Q(weight__lte=WEIGHT_MAX),
                name="standards_criterion_weight_range",
                violation_error_message=_("The weight must be between 1 and 100."),
            ),
        ]

    def __str__(self) -> str:
        return self.text


class TypicalSituation(_VersionPart):
    """A situation staff meet often, and the response the company expects."""

    version = models.ForeignKey(
        StandardVersion,
        on_delete=models.CASCADE,
        related_name="situations",
        verbose_name=_("version"),
    )
    title = models.CharField(_("title"), max_length=200)
    customer_says = models.TextField(_("what the customer says or does"))
    prescribed_response = models.TextField(_("prescribed response"))

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("typical situation")
        verbose_name_plural = _("typical situations")

    def __str__(self) -> str:
        return self.title
