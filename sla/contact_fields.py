"""A contact's outside fields, declared once: what a helpdesk gives when it pushes a contact.

Every path that takes contacts from outside (the API's create and bulk create, the CSV import)
and every list they keep (the API's fields, the defaults, the checks, the import's columns)
derive from :data:`INPUT_FIELDS`, so a field added here reaches all of them, and a field added
to the model but not here is caught by a test (``sla/tests/test_contact_fields.py``). Types,
lengths, choices and defaults come from the model field of the same name; only what the model
cannot say is declared here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from sla.models import Contact

#: How a field is read from outside; one per model field type the paths know how to read.
RELATION, TEXT, EMAIL, CHOICE, TIME = "relation", "text", "email", "choice", "time"
_FROM_MODEL = object()


@dataclass(frozen=True)
class InputField:
    name: str
    #: A contact cannot be created without it.
    required: bool = False
    #: Describes the contact without changing its clocks: an update sets it as given.
    detail: bool = False
    #: The value when not given; by default the model field's (None for a relation or a time).
    default: object = _FROM_MODEL

    @property
    def model_field(self) -> models.Field:
        return Contact._meta.get_field(self.name)

    @property
    def kind(self) -> str:
        field = self.model_field
        if isinstance(field, models.ForeignKey):
            return RELATION
        if isinstance(field, models.DateTimeField):
            return TIME
        if field.choices:
            return CHOICE
        if isinstance(field, models.EmailField):
            return EMAIL
        if isinstance(field, models.CharField):
            return TEXT
        raise TypeError(f"No path reads a contact's {type(field).__name__} ({self.name}) yet.")

    @property
    def max_length(self) -> int | None:
        return self.model_field.max_length if self.kind in (TEXT, EMAIL) else None

    @property
    def choices(self) -> frozenset[str]:
        return frozenset(value for value, _label in self.model_field.flatchoices)

    @property
    def initial(self):
        """What a contact gets when the field is not given (required fields have none)."""
        if self.default is not _FROM_MODEL:
            return self.default
        if self.kind in (RELATION, TIME):
            return None
        return self.model_field.get_default()


#: In the API's order (its schema, its responses, docs/api.md).
INPUT_FIELDS = (
    InputField("channel", required=True),
    InputField("external_id", required=True),
    InputField("priority"),
    InputField("subject", detail=True),
    InputField("customer_name", detail=True),
    InputField("customer_email", detail=True),
    InputField("customer_language", detail=True),
    InputField("agent"),
    InputField("opened_at", required=True),
    InputField("first_response_at"),
    InputField("resolved_at"),
    # Not given: open, or resolved when resolved_at is given (the service decides).
    InputField("status", default=None),
)

NAMES = tuple(f.name for f in INPUT_FIELDS)
#: The database columns, in the same order (``channel_id`` for ``channel``).
ATTNAMES = tuple(f.model_field.attname for f in INPUT_FIELDS)
REQUIRED = tuple(f.name for f in INPUT_FIELDS if f.required)
OPTIONAL = tuple(f.name for f in INPUT_FIELDS if not f.required)
# Every field's kind is read here: a model field type no path reads stops start-up.
TIMES = tuple(f.name for f in INPUT_FIELDS if f.kind == TIME)
#: Detail fields: set as given by an update, nothing recomputed.
DETAILS = tuple(f.name for f in INPUT_FIELDS if f.detail)
#: Name -> allowed values (cells of these are compared in lower case by the import).
CHOICES = {f.name: f.choices for f in INPUT_FIELDS if f.kind == CHOICE}
#: Name -> the model's max length, texts and email addresses.
MAX_LENGTHS = {f.name: f.max_length for f in INPUT_FIELDS if f.kind in (TEXT, EMAIL)}
EMAILS = tuple(f.name for f in INPUT_FIELDS if f.kind == EMAIL)
#: Name -> the value of an optional field not given.
DEFAULTS = {f.name: f.initial for f in INPUT_FIELDS if not f.required}
