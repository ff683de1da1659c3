"""Serializers of the SLA API: shape only (types, choices, known channel and agent).

The bulk endpoint reads each item with :func:`contact_plain` first, a plain function that
accepts what ``ContactSerializer`` accepts in its common form and gives the same result; any
other item (an error, a number for a text, an unusual address) goes through the serializer,
which decides and words the error. DRF's per-field machinery was a quarter of a bulk
request's time.
"""

from __future__ import annotations

from django.core import exceptions as django_exceptions
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    extend_schema_serializer,
)
from rest_framework import serializers

from channels_app.models import Channel
from core import parse
from core.fields import InstantField
from core.parse import storable
from sla import contact_fields, selectors
from sla.models import MAX_TARGET_MINUTES, Breach, Contact, SlaPolicy
from sla.services.contact_input import PLAIN_EMAIL as _PLAIN_EMAIL

CONTACT_READ_ONLY = [
    "id",
    "sla_policy",
    "first_response_due_at",
    "resolution_due_at",
    "first_response_minutes",
    "resolution_minutes",
    "first_response_state",
    "resolution_state",
]
#: A contact in the API: its id, what a helpdesk gives (``sla.contact_fields``), what the portal
#: computes.
CONTACT_FIELDS = ["id", *contact_fields.NAMES, *CONTACT_READ_ONLY[1:]]


# -- fields --------------------------------------------------------------------------------------


class _CachedSlugField(serializers.SlugRelatedField):
    """A slug lookup that uses rows preloaded in the context (bulk: two queries, not 2,000)."""

    cache_key = ""
    default_error_messages = {
        "unstorable": _("This contains a NUL character or a lone surrogate, which no name has."),
    }

    def to_internal_value(self, data):
        # Neither the lookup nor an error message that echoes the value may see such text.
        if isinstance(data, str) and not storable(data):
            self.fail("unstorable")
        cache = self.context.get(self.cache_key)
        if cache is None:
            return super().to_internal_value(data)
        if not isinstance(data, str):
            self.fail("invalid")
        try:
            return cache[data]
        except KeyError:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data)


class ChannelCodeField(_CachedSlugField):
    cache_key = "channels"
    default_error_messages = {
        "does_not_exist": _("There is no channel with the code “{value}”."),
        "invalid": _("Give the channel's code."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("The channel's code, e.g. “chat”."))
        super().__init__(slug_field="code", queryset=Channel.objects.with_related(), **kwargs)


class AgentUsernameField(_CachedSlugField):
    cache_key = "agents"
    default_error_messages = {
        "does_not_exist": _(
            "“{value}” is not an active staff member or manager; only they can be a contact's "
            "agent."
        ),
        "invalid": _("Give the agent's username."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("The agent's username, or null."))
        kwargs.setdefault("allow_null", True)
        super().__init__(slug_field="username", queryset=selectors.contact_agents(), **kwargs)


class ContactStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=Contact.Status.choices, **kwargs)


# -- serializers ---------------------------------------------------------------------------------


class SlaPolicySerializer(serializers.ModelSerializer):
    channel = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Channel.objects.all(),
        help_text=_("The channel's code."),
        error_messages={"does_not_exist": _("There is no channel with the code “{value}”.")},
    )
    priority = serializers.ChoiceField(
        choices=SlaPolicy.Priority.choices,
        allow_null=True,
        required=False,
        default=None,
        help_text=_("Null: any priority without a policy of its own."),
    )

    class Meta:
        model = SlaPolicy
        fields = [
            "id",
            "name",
            "channel",
            "priority",
            "first_response_minutes",
            "resolution_minutes",
            "warning_percent",
            "business_hours",
            "is_active",
        ]
        extra_kwargs = {
            "first_response_minutes": {"min_value": 1, "max_value": MAX_TARGET_MINUTES},
            "resolution_minutes": {"min_value": 1, "max_value": MAX_TARGET_MINUTES},
            "warning_percent": {"min_value": 1, "max_value": 99},
        }
        # One active policy per (channel, priority) is the service's decision, with its message.
        validators = []


class ContactSerializer(serializers.ModelSerializer):
    """A contact as the API shows it; also the body of a create (read-only fields ignored)."""

    channel = ChannelCodeField()
    agent = AgentUsernameField(required=False)
    opened_at = InstantField()
    first_response_at = InstantField(required=False, allow_null=True)
    resolved_at = InstantField(required=False, allow_null=True)
    status = ContactStatusField(
        required=False, help_text=_("Default open, or resolved when resolved_at is given.")
    )

    class Meta:
        model = Contact
        fields = CONTACT_FIELDS
        read_only_fields = CONTACT_READ_ONLY
        extra_kwargs = {
            "first_response_minutes": {"help_text": _("Business minutes taken, once known.")},
            "resolution_minutes": {
                "help_text": _("Business minutes taken, time spent waiting excluded, once known.")
            },
        }
        # Create is idempotent on (channel, external_id): a repeat is not an error.
        validators = []


# Responses always carry every field, but DRF marks optional input fields as not required, which
# the schema would repeat for responses. These read-only twins describe responses exactly; they
# are used for the schema only.
@extend_schema_serializer(component_name="Contact")
class ContactResponseSerializer(ContactSerializer):
    channel = serializers.CharField(read_only=True, help_text=_("The channel's code."))
    agent = serializers.CharField(
        read_only=True, allow_null=True, help_text=_("The agent's username, or null.")
    )
    opened_at = serializers.DateTimeField(read_only=True)
    first_response_at = serializers.DateTimeField(read_only=True, allow_null=True)
    resolved_at = serializers.DateTimeField(read_only=True, allow_null=True)
    status = ContactStatusField(read_only=True)

    class Meta(ContactSerializer.Meta):
        read_only_fields = CONTACT_FIELDS


# Named like the contact so the PATCH body is "PatchedContactRequest" and the schema's enums of
# a contact's fields get one name each (ContactStatusEnum) however many bodies use them.
@extend_schema_serializer(component_name="Contact")
class ContactUpdateSerializer(serializers.ModelSerializer):
    agent = AgentUsernameField(required=False)
    status = ContactStatusField(
        required=False, help_text=_("waiting pauses the resolution clock, open resumes it.")
    )
    first_response_at = InstantField(required=False, allow_null=True)
    resolved_at = InstantField(required=False, allow_null=True)
    event_at = InstantField(
        required=False,
        write_only=True,
        help_text=_(
            "When the status change happened (default now); not before opened_at, "
            "not in the future."
        ),
    )

    class Meta:
        model = Contact
        fields = [
            "priority",
            "agent",
            "status",
            "first_response_at",
            "resolved_at",
            "event_at",
            *contact_fields.DETAILS,
        ]


@extend_schema_serializer(component_name="SlaPolicy")
class SlaPolicyResponseSerializer(SlaPolicySerializer):
    channel = serializers.CharField(read_only=True, help_text=_("The channel's code."))
    priority = serializers.ChoiceField(
        choices=SlaPolicy.Priority.choices, read_only=True, allow_null=True
    )

    class Meta(SlaPolicySerializer.Meta):
        read_only_fields = SlaPolicySerializer.Meta.fields


class BulkResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    existing = serializers.IntegerField()
    ids = serializers.ListField(
        child=serializers.IntegerField(), help_text=_("Contact ids in input order.")
    )


class BreachSerializer(serializers.ModelSerializer):
    contact = serializers.IntegerField(source="contact_id", read_only=True)
    external_id = serializers.CharField(source="contact.external_id", read_only=True)
    channel = serializers.CharField(source="contact.channel.code", read_only=True)
    agent = serializers.CharField(source="contact.agent.username", read_only=True, allow_null=True)

    class Meta:
        model = Breach
        fields = [
            "id",
            "contact",
            "external_id",
            "channel",
            "agent",
            "metric",
            "due_at",
            "detected_at",
        ]
        read_only_fields = fields


# -- the bulk endpoint's fast reading ------------------------------------------------------------

_TEXT_LIMITS = contact_fields.MAX_LENGTHS
_CHOICES = contact_fields.CHOICES
_INSTANTS = contact_fields.TIMES
_REQUIRED = contact_fields.REQUIRED
_EMAILS = frozenset(contact_fields.EMAILS)
# A declared field this function has no reading for (a new kind of field) is the serializer's.
_UNREAD = frozenset(contact_fields.NAMES) - {
    "channel", "agent", *_TEXT_LIMITS, *_CHOICES, *_INSTANTS
}  # fmt: skip


def contact_plain(data, *, channels: dict, agents: dict) -> dict | None:
    """``ContactSerializer(context=...).run_validation(data)`` for an item in the common form,
    or None when the serializer must decide (it may accept, convert or refuse).

    ``channels`` and ``agents`` are the preloaded lookups by code and username. Read-only and
    unknown keys are ignored, as the serializer ignores them; texts are stripped as its
    ``CharField`` strips them.
    """
    if type(data) is not dict:
        return None
    for name in _REQUIRED:
        if name not in data:
            return None
    if _UNREAD and not _UNREAD.isdisjoint(data):
        return None
    item = {}
    channel = data["channel"]
    if type(channel) is not str or channel not in channels:
        return None
    item["channel"] = channels[channel]
    for name, limit in _TEXT_LIMITS.items():
        if name not in data:
            continue
        value = data[name]
        if type(value) is not str or not storable(value):
            return None
        value = value.strip()
        if len(value) > limit:
            return None
        if name in _EMAILS:
            if value and not _PLAIN_EMAIL.match(value):
                return None
        elif name in _REQUIRED and not value:
            return None
        item[name] = value
    for name, allowed in _CHOICES.items():
        if name in data:
            value = data[name]
            if type(value) is not str or value not in allowed:
                return None
            item[name] = value
    if "agent" in data:
        agent = data["agent"]
        if agent is None:
            item["agent"] = None
        elif type(agent) is str and agent in agents:
            item["agent"] = agents[agent]
        else:
            return None
    for name in _INSTANTS:
        if name not in data:
            continue
        value = data[name]
        if value is None and name not in _REQUIRED:
            item[name] = None
            continue
        if type(value) is not str:
            return None
        try:
            item[name] = parse.parse_instant(value)
        except django_exceptions.ValidationError:
            return None
    return item
