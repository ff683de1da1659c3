"""Writes for standards: the one code path that pages, the API, tasks and commands call."""

from standards.services.common import (
    FourEyesError,
    ImmutableVersionError,
    VersionStateError,
)
from standards.services.reviews import review_reminders_send
from standards.services.standards import (
    category_get_or_create,
    channels_by_code,
    standard_create,
    standard_mark_reviewed,
    standard_reinstate,
    standard_retire,
    standard_update,
)
from standards.services.versions import (
    version_create_draft,
    version_discard,
    version_publish,
    version_publish_refusal,
    version_return_to_draft,
    version_submit_for_review,
    version_update_draft,
)

__all__ = [
    "FourEyesError",
    "ImmutableVersionError",
    "VersionStateError",
    "category_get_or_create",
    "channels_by_code",
    "review_reminders_send",
    "standard_create",
    "standard_mark_reviewed",
    "standard_reinstate",
    "standard_retire",
    "standard_update",
    "version_create_draft",
    "version_discard",
    "version_publish",
    "version_publish_refusal",
    "version_return_to_draft",
    "version_submit_for_review",
    "version_update_draft",
]
