"""Standards, their versions, measurable criteria and typical situations.

A standard is the stable thing people talk about ("Greeting the customer"); what it says lives in
numbered versions that move ``draft -> in_review -> published -> archived``. Exactly one version
of a standard is published at a time and published or archived versions never change: the model
layer refuses (``save()``, ``delete()``, ``QuerySet.update()``/``delete()``), the database refuses
too (triggers added in migration 0002), and the services, pages, API and admin never offer it.
"""

from standards.models.reviews import ReviewReminder
from standards.models.standards import (
    REVIEW_INTERVAL_MAX_MONTHS,
    Category,
    Standard,
    StandardQuerySet,
)
from standards.models.versions import (
    WEIGHT_MAX,
    Criterion,
    ImmutableVersionError,
    StandardVersion,
    StandardVersionQuerySet,
    TypicalSituation,
)

__all__ = [
    "REVIEW_INTERVAL_MAX_MONTHS",
    "WEIGHT_MAX",
    "Category",
    "Criterion",
    "ImmutableVersionError",
    "ReviewReminder",
    "Standard",
    "StandardQuerySet",
    "StandardVersion",
    "StandardVersionQuerySet",
    "TypicalSituation",
]
