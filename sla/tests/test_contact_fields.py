"""A contact's outside fields are declared once (``sla.contact_fields``) and every path carries
every one of them: a field added to the model but not declared, or declared but dropped by the
single create, the bulk API (both its readings) or the CSV import, fails here."""

import datetime as dt
import inspect
import io

import pytest
import time_machine

from core.fields import InstantField
from sla import contact_fields, services
from sla.api import views as api_views
from sla.api.serializers import ContactSerializer, ContactUpdateSerializer
from sla.contact_fields import CHOICE, EMAIL, RELATION, TEXT, TIME
from sla.models import Contact, ContactImport
from sla.services import contact_rows, imports
from sla.tests.conftest import warsaw

pytestmark = pytest.mark.django_db

NOW = warsaw(2026, 3, 2, 12, 0)  # a Monday noon
OPENED = NOW - dt.timedelta(hours=3)

#: The Contact model's fields the portal computes or keeps itself: never given from outside.
COMPUTED = {
    "id",
    "created_at",
    "updated_at",
    "sla_policy",
    "first_response_due_at",
    "resolution_due_at",
    "first_response_warn_at",
    "resolution_warn_at",
    "first_response_minutes",
    "resolution_minutes",
    "first_response_state",
    "resolution_state",
    "paused_at",
    "paused_business_minutes",
    "notify",
    "import_batch",
}


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_declaration_is_the_models_fields_minus_the_computed_ones():
    model = {f.name for f in Contact._meta.concrete_fields}
    assert set(contact_fields.NAMES) == model - COMPUTED
    assert len(contact_fields.NAMES) == len(set(contact_fields.NAMES))


def test_a_field_of_a_type_no_path_reads_is_refused():
    with pytest.raises(TypeError, match="BooleanField"):
        contact_fields.InputField("notify").kind  # noqa: B018


def test_new_contacts_are_written_with_every_declared_column():
    assert set(contact_fields.ATTNAMES) <= set(contact_rows.CONTACT_COLUMNS)


def test_the_api_shows_the_declared_fields_in_their_order():
    fields = ContactSerializer.Meta.fields
    assert fields[1 : 1 + len(contact_fields.NAMES)] == list(contact_fields.NAMES)
    assert set(fields) - set(contact_fields.NAMES) <= COMPUTED
    for name in contact_fields.TIMES:  # offsets required, bounds checked, as everywhere
        assert isinstance(ContactSerializer().fields[name], InstantField), name
    assert set(contact_fields.DETAILS) <= set(ContactUpdateSerializer.Meta.fields)


def test_contact_create_takes_every_declared_field():
    parameters = inspect.signature(services.contact_create).parameters
    assert set(parameters) == {*contact_fields.NAMES, "now"}
    for name in contact_fields.REQUIRED:
        assert parameters[name].default is inspect.Parameter.empty, name


def test_the_import_reads_every_declared_field():
    assert set(imports.COLUMNS) == set(contact_fields.NAMES)
    assert set(imports.REQUIRED_COLUMNS) == set(contact_fields.REQUIRED)


# -- one item with every field, through every path ------------------------------------------------


def _values(tag: str, *, resolved: bool, chat, agent) -> dict:
    """A value other than the default for every declared field, as the model holds it.

    ``resolved``: every field (status resolved, as resolved_at makes it), or every field but
    resolved_at with the status waiting (so a dropped status shows as "open").
    """
    relations = {"channel": chat, "agent": agent}
    values = {}
    clock = OPENED
    for f in contact_fields.INPUT_FIELDS:
        if f.kind == RELATION:
            values[f.name] = relations[f.name]
        elif f.kind == TIME:
            values[f.name] = clock
            clock += dt.timedelta(minutes=10)
        elif f.kind == EMAIL:
            values[f.name] = f"{tag}.{f.name}@example.com"
        elif f.kind == TEXT:
            values[f.name] = f"{tag}-{f.name}"[: f.max_length]
        elif f.kind == CHOICE:
            values[f.name] = sorted(f.choices - {f.initial})[0]
        else:  # pragma: no cover -- a new kind needs a value here
            raise AssertionError(f"no test value for {f.name} ({f.kind})")
    if resolved:
        values["status"] = Contact.Status.RESOLVED
    else:
        del values["resolved_at"]
        values["status"] = Contact.Status.WAITING
    return values


def _outside(values: dict) -> dict:
    """The values as a JSON body or a CSV row gives them."""
    out = {}
    for name, value in values.items():
        if name == "channel":
            value = value.code
        elif name == "agent":
            value = value.username
        elif isinstance(value, dt.datetime):
            value = value.isoformat()
        out[name] = str(value)
    return out


def _items(tag, chat, agent) -> list[dict]:
    return [
        _values(f"{tag}a", resolved=True, chat=chat, agent=agent),
        _values(f"{tag}b", resolved=False, chat=chat, agent=agent),
    ]


def _assert_stored(items: list[dict]) -> None:
    for values in items:
        contact = Contact.objects.get(channel=values["channel"], external_id=values["external_id"])
        stored = {name: getattr(contact, name) for name in values}
        assert stored == values


def test_every_field_arrives_through_the_single_create(manager_api, chat_policy, staff_user):
    items = _items("one", chat_policy.channel, staff_user)
    for values in items:
        response = manager_api.post("/api/v1/contacts/", _outside(values), format="json")
        assert response.status_code == 201, response.json()
    _assert_stored(items)


@pytest.mark.parametrize("reading", ["plain", "serializer"])
def test_every_field_arrives_through_the_bulk_api(
    manager_api, chat_policy, staff_user, monkeypatch, reading
):
    if reading == "serializer":  # items the fast reading leaves to the serializer
        monkeypatch.setattr(api_views, "contact_plain", lambda data, **lookups: None)
    items = _items(f"bulk-{reading}", chat_policy.channel, staff_user)
    response = manager_api.post(
        "/api/v1/contacts/bulk/", [_outside(v) for v in items], format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["created"] == len(items)
    _assert_stored(items)


def test_every_field_arrives_through_the_csv_import(chat_policy, staff_user):
    items = _items("csv", chat_policy.channel, staff_user)
    names = contact_fields.NAMES
    lines = [",".join(names)] + [
        ",".join(_outside(values).get(name, "") for name in names) for values in items
    ]
    job = services.contact_import_create(
        file=io.BytesIO(("\n".join(lines) + "\n").encode()), file_name="all.csv", run=False
    )
    while services.contact_import_advance(import_id=job.pk) == imports.PAUSED:
        pass
    services.contact_import_start(import_id=job.pk, run=False)
    while services.contact_import_advance(import_id=job.pk) == imports.PAUSED:
        pass
    job.refresh_from_db()
    assert (job.status, job.created, job.refused) == (ContactImport.Status.DONE, len(items), 0)
    _assert_stored(items)


def test_every_detail_field_is_changed_by_an_update(manager_api, chat_policy, staff_user):
    values = _values("patch", resolved=False, chat=chat_policy.channel, agent=staff_user)
    contact, _ = services.contact_create(
        channel=values["channel"], external_id="P-1", opened_at=values["opened_at"]
    )
    changes = {name: values[name] for name in contact_fields.DETAILS}
    response = manager_api.patch(
        f"/api/v1/contacts/{contact.pk}/", _outside(changes), format="json"
    )
    assert response.status_code == 200, response.json()
    contact.refresh_from_db()
    assert {name: getattr(contact, name) for name in changes} == changes
