"""Categories and standards: what is not versioned (title, channels, owner, review dates)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from channels_app.models import Channel
from core.basemodels import TimeStampedModel

if TYPE_CHECKING:
    from standards.models.versions import StandardVersion

REVIEW_INTERVAL_MAX_MONTHS = 60


def _versions():
    """StandardVersion, without importing its module here (it imports this one)."""
    return Standard.versions.rel.related_model


class Category(TimeStampedModel):
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="standards_category_name_ci_unique",
                violation_error_message=_("A category with this name already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StandardQuerySet(models.QuerySet):
    def with_published_flag(self):
        return self.annotate(
            has_published=Exists(
                _versions().objects.filter(
                    standard=OuterRef("pk"), status=_versions().Status.PUBLISHED
                )
            )
        )

    def published(self):
        """Standards that have a published version (all that staff may see)."""
        return self.with_published_flag().filter(has_published=True)

    def with_current_version(self, *, criteria: bool = True, situations: bool = False):
        """Category, channels and the published version prefetched: a fixed number of queries.

        The published version lands in ``published_versions`` (a list of zero or one), which
        :attr:`Standard.current_version` reads.
        """
        versions = _versions().objects.filter(status=_versions().Status.PUBLISHED)
        related = []
        if criteria:
            related.append("criteria")
        if situations:
            related.append("situations")
        if related:
            versions = versions.prefetch_related(*related)
        return self.select_related("category", "owner").prefetch_related(
            Prefetch("channels", queryset=Channel.objects.order_by("name")),
            Prefetch("versions", queryset=versions, to_attr="published_versions"),
        )

    def review_overdue(self, today):
        return self.filter(next_review_date__lt=today)

    def in_use(self):
        """Standards in the book: not retired."""
        return self.filter(retired_at__isnull=True)

    def retired(self):
        return self.filter(retired_at__isnull=False)


class Standard(TimeStampedModel):
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=200)
    category = models.ForeignKey(
        Category,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="standards",
        verbose_name=_("category"),
    )
    channels = models.ManyToManyField(
        Channel,
        blank=True,
        related_name="standards",
        verbose_name=_("channels"),
        help_text=_("The channels this standard applies to."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_standards",
        verbose_name=_("owner"),
        help_text=_("Keeps the standard up to date and receives the review reminders."),
    )
    review_interval_months = models.PositiveSmallIntegerField(
        _("review interval (months)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(REVIEW_INTERVAL_MAX_MONTHS)],
    )
    last_reviewed_on = models.DateField(
        _("last reviewed on"),
        null=True,
        blank=True,
        help_text=_("When a version was last published or the standard confirmed as current."),
    )
    next_review_date = models.DateField(
        _("next review date"),
        null=True,
        blank=True,
        help_text=_("Set when a version is published: the publication date plus the interval."),
    )
    four_eyes = models.BooleanField(
        _("publication by a second manager"),
        null=True,
        blank=True,
        default=None,
        help_text=_(
            "Whether a version must be published by someone other than its author; "
            "empty: as the portal's setting."
        ),
    )
    # Retired: out of the book (lists, onboarding, "My service"), its history kept.
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("retired by"),
    )

    objects = StandardQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name = _("standard")
        verbose_name_plural = _("standards")
        constraints = [
            models.CheckConstraint(
                condition=Q(review_interval_months__gte=1)
                & Q(review_interval_months__lte=REVIEW_INTERVAL_MAX_MONTHS),
                name="standards_standard_review_interval_range",
                violation_error_message=_("The review interval must be 1 to 60 months."),
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_review_date"],
                name="standards_review_due_idx",
                condition=Q(next_review_date__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("standards:detail", kwargs={"slug": self.slug})

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

    @property
    def four_eyes_required(self) -> bool:
        """The standard's own choice, or the portal's ``STANDARDS_FOUR_EYES`` when it has none."""
        if self.four_eyes is None:
            return settings.STANDARDS_FOUR_EYES
        return self.four_eyes

    @property
    def current_version(self) -> StandardVersion | None:
        """The published version; uses the prefetch of ``with_current_version`` when present."""
        if hasattr(self, "published_versions"):
            return self.published_versions[0] if self.published_versions else None
        return self.versions.filter(status=_versions().Status.PUBLISHED).first()
