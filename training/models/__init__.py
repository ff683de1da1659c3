"""Onboarding: tracks of standards, assignments, comprehension checks, acknowledgements (never
changed once written), the obligations ("acknowledge this version by that date") they resolve,
and the reminders sent about them. One module per job; import from here."""

from training.models.acknowledgements import (
    Acknowledgement,
    AcknowledgementQuerySet,
    ImmutableRecordError,
    compute_fingerprint,
    version_content,
)
from training.models.checks import (
    Check,
    CheckAttempt,
    CheckAttemptQuerySet,
    Choice,
    FrozenQuestionError,
    Question,
)
from training.models.obligations import Obligation, ObligationQuerySet
from training.models.profiles import TrainingProfile
from training.models.reminders import DigestSent, ReminderSent
from training.models.tracks import GroupRule, Track, TrackAssignment, TrackItem

__all__ = [
    "Acknowledgement",
    "AcknowledgementQuerySet",
    "Check",
    "CheckAttempt",
    "CheckAttemptQuerySet",
    "Choice",
    "DigestSent",
    "FrozenQuestionError",
    "GroupRule",
    "ImmutableRecordError",
    "Obligation",
    "ObligationQuerySet",
    "Question",
    "ReminderSent",
    "Track",
    "TrackAssignment",
    "TrackItem",
    "TrainingProfile",
    "compute_fingerprint",
    "version_content",
]
