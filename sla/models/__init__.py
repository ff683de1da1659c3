"""The SLA app's models, a module per job: ``policies`` (targets per channel and priority),
``contacts`` (contacts with their stored deadlines, their timeline and their breaches),
``imports`` (the CSV import job), ``notifications`` (what the engine tells whom) and
``recomputation`` (deadline recomputation requests). ``from sla.models import X`` is the way in.
"""

from sla.models.contacts import Breach, Contact, ContactEvent, ContactQuerySet
from sla.models.imports import (
    ContactImport,
    ContactImportLock,
    ContactImportProblem,
    ContactImportRange,
)
from sla.models.notifications import SlaNotification, SlaNotificationQuerySet
from sla.models.policies import (
    MAX_TARGET_MINUTES,
    WARNING_PERCENT_DEFAULT,
    Metric,
    Priority,
    SlaPolicy,
    SlaPolicyQuerySet,
)
from sla.models.recomputation import DeadlineRecomputation

__all__ = [
    "MAX_TARGET_MINUTES",
    "WARNING_PERCENT_DEFAULT",
    "Breach",
    "Contact",
    "ContactEvent",
    "ContactImport",
    "ContactImportLock",
    "ContactImportProblem",
    "ContactImportRange",
    "ContactQuerySet",
    "DeadlineRecomputation",
    "Metric",
    "Priority",
    "SlaNotification",
    "SlaNotificationQuerySet",
    "SlaPolicy",
    "SlaPolicyQuerySet",
]
