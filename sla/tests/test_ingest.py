"""The lean ingestion path (plain reading, drafts, COPY on PostgreSQL, late contacts flagged at
once) gives exactly what the old path gave: the contacts, their timelines, breaches and alerts.

Runs on SQLite and on PostgreSQL (``DATABASE_URL``): the same expectations hold on both.
"""

import datetime as dt
import json

import pytest
from django.db import connection
from rest_framework.exceptions import ValidationError as DRFValidationError

from channels_app.tests.factories import ChannelFactory
from sla import services
from sla.api.serializers import ContactSerializer, contact_plain
from sla.api.views import _preload
from sla.models import Breach, Contact, ContactEvent, SlaNotification
from sla.services import contact_input, contact_rows, contact_writes
from sla.tests.conftest import postgres_only, warsaw
from sla.tests.factories import SlaPolicyFactory

pytestmark = pytest.mark.django_db

NOW = warsaw(2026, 3, 20, 12, 0)  # a Friday, the office open
MON_10 = warsaw(2026, 3, 2, 10, 0)  # history: long before the portal learned of it
URL = "/api/v1/contacts/bulk/"


def _mixed(channel, agent) -> list[dict]:
    """New and open, at risk, late (recent and history), resolved (late, in time, without a
    response), waiting (in time and after its deadline), text that COPY must escape, and a
    key given twice."""
    h = dt.timedelta(hours=1)
    return [
        {"channel": channel, "external_id": "fresh", "opened_at": NOW - h / 2},
        {"channel": channel, "external_id": "at-risk", "opened_at": warsaw(2026, 3, 20, 11, 10)},
        {
            "channel": channel,
            "external_id": "late-recent",
            "opened_at": warsaw(2026, 3, 19, 17, 0),
            "agent": agent,
        },
        {"channel": channel, "external_id": "late-history", "opened_at": MON_10, "agent": agent},
        {
            "channel": channel,
            "external_id": "resolved-late",
            "opened_at": MON_10,
            "first_response_at": MON_10 + 2 * h,
            "resolved_at": MON_10 + 30 * h,
            "agent": agent,
        },
        {
            "channel": channel,
            "external_id": "resolved-in-time",
            "opened_at": MON_10,
            "first_response_at": MON_10 + h / 4,
            "resolved_at": MON_10 + 2 * h,
        },
        {
            "channel": channel,
            "external_id": "resolved-no-response",
            "opened_at": MON_10,
            "resolved_at": MON_10 + 3 * h,
        },
        {
            "channel": channel,
            "external_id": "waiting",
            "opened_at": MON_10,
            "first_response_at": MON_10 + h / 2,
            "status": "waiting",
        },
        {
            "channel": channel,
            "external_id": "waiting-after-deadline",
            "opened_at": MON_10,
            "first_response_at": MON_10 + 26 * h,
            "status": "waiting",
        },
        {
            "channel": channel,
            "external_id": "tabs\tand\\slashes",
            "opened_at": NOW - h / 4,
            "subject": "Line one\nline\ttwo \\N not null\r",
            "customer_name": "O'Brien \\",
            "customer_email": "o.brien@example.com",
            "customer_language": "pl",
            "priority": "urgent",
        },
        {"channel": channel, "external_id": "fresh", "opened_at": NOW - h / 3},
    ]


_SKIP = {"id", "channel", "updated_at", "sla_policy"}


def _snapshot(channel) -> dict:
    """Everything ingestion wrote for a channel's contacts, keyed by external id."""
    fields = [f.attname for f in Contact._meta.concrete_fields if f.name not in _SKIP]
    out = {}
    for contact in Contact.objects.filter(channel=channel):
        out[contact.external_id] = {
            "row": {name: getattr(contact, name) for name in fields},
            "policy": contact.sla_policy.first_response_minutes if contact.sla_policy else None,
            "events": sorted(
                (e.kind, e.metric, e.at, json.dumps(e.detail, sort_keys=True), e.recorded_at)
                for e in ContactEvent.objects.filter(contact=contact)
            ),
            "breaches": sorted(
                Breach.objects.filter(contact=contact).values_list(
                    "metric", "due_at", "detected_at"
                )
            ),
            "alerts": sorted(
                SlaNotification.objects.filter(contact=contact).values_list(
                    "recipient_id", "metric", "kind", "status", "created_at", "not_before"
                )
            ),
        }
    return out


@pytest.fixture
def twin(chat, chat_policy):
    """A second channel like ``chat``: same calendar, owner and targets."""
    channel = ChannelFactory(code="twin", name="Twin", calendar=chat.calendar, owner=chat.owner)
    SlaPolicyFactory(channel=channel, first_response_minutes=60, resolution_minutes=480)
    return channel


def test_lean_path_writes_what_the_old_path_wrote(chat, twin, staff_user, monkeypatch):
    """The old path inserted late contacts as running and let the sweep flag them; the lean one
    flags them as it writes. Same batch, twin channels: identical rows, timelines, alerts."""
    from sla.models import Contact as C

    C.objects.create(channel=chat, external_id="existing", opened_at=MON_10, created_at=MON_10)
    C.objects.create(channel=twin, external_id="existing", opened_at=MON_10, created_at=MON_10)
    batch = [
        *_mixed(chat, staff_user),
        {"channel": chat, "external_id": "existing", "opened_at": NOW},
    ]
    lean = services.contacts_bulk_create(items=batch, now=NOW)

    # The old path: nothing flagged at creation, then a sweep of the late contacts.
    monkeypatch.setattr(contact_rows, "_flag_late", lambda contact, now: [])
    twin_batch = [{**item, "channel": twin} for item in batch]
    old = services.contacts_bulk_create(items=twin_batch, now=NOW)
    late = [
        c.pk for c in Contact.objects.filter(channel=twin) if services.deadlines.needs_sweep(c, NOW)
    ]
    assert late, "the batch has late contacts"
    services.sla_sweep(now=NOW, contact_ids=late)

    assert (lean.created, lean.existing) == (old.created, old.existing) == (10, 2)
    assert lean.created_flags == old.created_flags
    assert _snapshot(chat) == _snapshot(twin)

    # And the sweep, run now, finds nothing the ingestion left undone.
    counts = services.sla_sweep(now=NOW, contact_ids=[c.pk for c in Contact.objects.all()])
    assert counts["breaches"] == counts["notifications"] == 0
    assert sum(counts.values()) == 0


def test_mixed_batch_outcomes(chat, chat_policy, staff_user, owner):
    result = services.contacts_bulk_create(items=_mixed(chat, staff_user), now=NOW)
    assert (result.created, result.existing) == (10, 1)
    assert result.ids[0] == result.ids[-1] and result.created_flags[-1] is False
    by_id = {c.external_id: c for c in Contact.objects.filter(channel=chat)}
    assert [by_id[item["external_id"]].pk for item in _mixed(chat, staff_user)] == result.ids

    assert by_id["fresh"].first_response_state == "pending"
    assert by_id["at-risk"].first_response_state == "at_risk"
    assert by_id["late-recent"].first_response_state == "breached"
    history = by_id["late-history"]
    assert (history.first_response_state, history.resolution_state) == ("breached", "breached")
    assert by_id["resolved-late"].resolution_state == "breached"
    assert by_id["resolved-in-time"].resolution_state == "met"
    inferred = by_id["resolved-no-response"]
    assert inferred.first_response_at == inferred.resolved_at
    assert inferred.events.get(kind="first_response").detail == {"implied": True}
    assert by_id["waiting"].resolution_state == "paused"
    assert by_id["waiting-after-deadline"].resolution_state == "breached"
    odd = by_id["tabs\tand\\slashes"]
    assert odd.subject == "Line one\nline\ttwo \\N not null\r"
    assert odd.customer_name == "O'Brien \\"
    assert (odd.priority, odd.customer_language) == ("urgent", "pl")

    # Alerts: the recent breach and the warning go to owner and agent (the warning to the
    # owner only: no agent); history, resolved-at-creation and waiting contacts alert nobody.
    alerts = set(
        SlaNotification.objects.values_list("contact__external_id", "kind", "recipient_id")
    )
    assert alerts == {
        ("late-recent", "breach", owner.pk),
        ("late-recent", "breach", staff_user.pk),
        ("at-risk", "at_risk", owner.pk),
    }
    assert Breach.objects.filter(contact=history).count() == 2
    assert history.events.filter(kind="breached").count() == 2


def test_all_or_nothing_when_an_item_is_invalid(chat, chat_policy):
    items = _mixed(chat, None)
    items[3] = {**items[3], "opened_at": NOW + dt.timedelta(hours=1)}
    items[5] = {**items[5], "customer_email": "not an address"}
    with pytest.raises(services.BulkValidationError) as caught:
        services.contacts_bulk_create(items=items, now=NOW)
    assert set(caught.value.errors) == {3, 5}
    assert "opened_at" in caught.value.errors[3]
    assert "customer_email" in caught.value.errors[5]
    assert not Contact.objects.exists()


def test_all_or_nothing_when_writing_fails_half_way(chat, chat_policy, monkeypatch):
    """The contacts and events are written when the alerts fail: all of it goes."""

    def fail(*args, **kwargs):
        raise RuntimeError("the outbox is on fire")

    monkeypatch.setattr(contact_rows, "breach_notifications", fail)
    with pytest.raises(RuntimeError):
        services.contacts_bulk_create(items=_mixed(chat, None), now=NOW)
    assert not Contact.objects.exists()
    assert not ContactEvent.objects.exists()
    assert not Breach.objects.exists()
    # And the connection is fine for the next request.
    monkeypatch.undo()
    assert services.contacts_bulk_create(items=_mixed(chat, None)[:1], now=NOW).created == 1


# -- the API's plain reading -------------------------------------------------------------------


def _body(**extra):
    return {
        "channel": "chat",
        "external_id": "  ZD-1 ",
        "opened_at": "2026-03-02T10:00:00+01:00",
        **extra,
    }


COMMON = [
    _body(),
    _body(agent="agent", priority="high", customer_language="ru", subject=" Hi "),
    _body(agent=None, first_response_at=None, resolved_at="2026-03-02T12:00:00Z"),
    _body(customer_email="a.b+c@mail.example.org", customer_name="", status="waiting"),
    _body(id=5, sla_policy=3, first_response_state="met", unknown="ignored"),
]
UNUSUAL = [
    _body(external_id=12345),  # the serializer turns a number into text
    _body(customer_email="user@[127.0.0.1]"),
    _body(channel="nope"),
    _body(agent="nobody"),
    _body(external_id="   "),
    _body(external_id="x" * 101),
    _body(priority="soon"),
    _body(status=None),
    _body(subject=None),
    _body(opened_at="2026-03-02T10:00:00"),
    _body(opened_at="yesterday"),
    _body(opened_at=None),
    _body(opened_at=17),
    _body(customer_email="a..b@example.com"),
    {"external_id": "X", "opened_at": "2026-03-02T10:00:00Z"},
    ["not", "an", "object"],
]


@pytest.mark.parametrize("data", COMMON + UNUSUAL)
def test_plain_reading_matches_the_serializer(chat, staff_user, data):
    """Whatever the plain function accepts, the serializer accepts with the same result; what
    it leaves to the serializer is the unusual (and every error)."""
    lookups = _preload([data])
    plain = contact_plain(data, **lookups)
    serializer = ContactSerializer(context=lookups)
    try:
        expected = serializer.run_validation(data)
    except DRFValidationError:
        expected = None
    if plain is not None:
        assert plain == dict(expected)
    if data in COMMON:
        assert plain is not None, "the common form takes the fast path"
    else:
        assert plain is None


def test_bulk_api_errors_keyed_by_item_and_nothing_written(manager_api, chat, chat_policy):
    good = [_body(external_id="A"), _body(external_id=7)]  # the serializer converts the 7
    # Shape errors first (the serializer's words), then the service's rules.
    response = manager_api.post(URL, [good[0], _body(channel="nope"), good[1]], format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"1"}
    assert "channel" in response.json()["1"]
    future = _body(external_id="D", opened_at="2099-01-01T00:00:00Z")
    response = manager_api.post(URL, [*good, future], format="json")
    assert response.status_code == 400
    assert response.json() == {"2": {"opened_at": ["This time is in the future."]}}
    assert not Contact.objects.exists()

    response = manager_api.post(URL, good, format="json")
    assert response.status_code == 201
    assert response.json()["created"] == 2
    assert set(Contact.objects.values_list("external_id", flat=True)) == {"A", "7"}


def test_bulk_api_queries_do_not_grow_with_items(
    manager_api, chat, chat_policy, staff_user, django_assert_max_num_queries
):
    def body(n):
        return [
            _body(
                external_id=f"Q-{i}",
                agent="agent",
                opened_at=(MON_10 + dt.timedelta(minutes=i)).isoformat(),
                resolved_at=(MON_10 + dt.timedelta(hours=30)).isoformat(),
            )
            for i in range(n)
        ]

    with django_assert_max_num_queries(30):
        assert manager_api.post(URL, body(3), format="json").status_code == 201
    with django_assert_max_num_queries(30):
        assert manager_api.post(URL, body(400)[3:], format="json").status_code == 201
    assert Contact.objects.count() == 400
    assert Breach.objects.count() == 800  # both targets missed


def test_postgres_writes_with_copy_and_sqlite_with_inserts(chat, chat_policy):
    """The two writers behind one entry point (the tests above hold on both)."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        services.contacts_bulk_create(items=_mixed(chat, None), now=NOW)
    copies = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("COPY")]
    if connection.vendor == "postgresql":
        assert len(copies) == 3  # contacts, events, breaches
    else:
        assert copies == []


def test_copy_lines_by_column_match_the_generic_formatter(chat, chat_policy, staff_user):
    """The contact writer formats by column; every value reads as the generic formatter's
    (escapes, nulls, stamps, booleans), on the batch with text COPY must escape."""
    items = [contact_input.normalise(item) for item in _mixed(chat, staff_user)]
    policy = contact_rows.dl.policy_pick(
        contact_rows.dl.policies_for_channels([chat.pk]), chat.pk, "normal"
    )
    written = NOW + dt.timedelta(seconds=1)
    built = [contact_rows.build(item, policy, NOW, written) for item in items]
    generic = "".join(
        "\t".join(map(contact_writes._copy_value, draft.row())) + "\n" for draft in built
    )
    assert contact_writes._contact_lines(built) == generic
    assert "tabs\\tand\\\\slashes" in generic and "\\N" in generic


def test_a_key_stored_meanwhile_is_read_again_and_nothing_is_written_twice(
    chat, chat_policy, staff_user, monkeypatch
):
    """A concurrent request stores one of the keys between the check and the write: on
    PostgreSQL the unique index refuses the straight ``COPY`` (its savepoint takes back every
    row of it), the next attempt reads the key as existing and writes the rest; on SQLite the
    insert fails and is tried again the same way."""
    first = services.contacts_bulk_create(items=_mixed(chat, staff_user)[:1], now=NOW)
    assert first.created == 1
    real = services.contacts.existing_ids
    calls = []

    def blind_first(keys):
        calls.append(len(keys))
        return {} if len(calls) == 1 else real(keys)

    monkeypatch.setattr(services.contacts, "existing_ids", blind_first)
    items = _mixed(chat, staff_user)
    result = services.contacts_bulk_create(items=items, now=NOW)
    monkeypatch.setattr(services.contacts, "existing_ids", real)

    assert len(calls) >= 2  # the write was refused once, then the keys read again
    assert result.existing == 2  # "fresh" from before, and the key the batch gives twice
    assert result.created == len(items) - 2
    assert result.ids[0] == first.ids[0]
    keys = {item["external_id"] for item in items}
    assert Contact.objects.filter(channel=chat).count() == len(keys)
    # Every contact's timeline once: the refused write left no event, breach or alert behind.
    opened = ContactEvent.objects.filter(contact__channel=chat, kind=ContactEvent.Kind.OPENED)
    assert opened.count() == len(keys)
    breaches = Breach.objects.filter(contact__channel=chat)
    assert breaches.count() == breaches.values("contact", "metric").distinct().count() > 0


def test_an_error_while_building_rows_is_raised_as_itself_and_nothing_is_written(
    chat, chat_policy, staff_user, monkeypatch
):
    """On PostgreSQL the rows are built while ``COPY`` reads them, and the driver reports an
    error there only as a failed ``COPY``: the service raises the error itself, as on SQLite,
    and the call leaves nothing behind."""
    real = services.contacts.build
    built = []

    def failing(item, *args, **kwargs):
        built.append(item["external_id"])
        if len(built) == 3:
            raise ZeroDivisionError("a bug in the deadline arithmetic")
        return real(item, *args, **kwargs)

    monkeypatch.setattr(services.contacts, "build", failing)
    with pytest.raises(ZeroDivisionError, match="deadline arithmetic"):
        services.contacts_bulk_create(items=_mixed(chat, staff_user), now=NOW)
    assert not Contact.objects.filter(channel=chat).exists()
    assert not ContactEvent.objects.filter(contact__channel=chat).exists()


def test_a_replay_answers_the_same_ids_and_writes_nothing(chat, chat_policy, staff_user):
    """A batch whose keys are all stored is answered from one lookup: the same ids, and no
    second timeline, breach or alert."""
    from django.test.utils import CaptureQueriesContext

    items = _mixed(chat, staff_user)
    first = services.contacts_bulk_create(items=items, now=NOW)
    rows = (ContactEvent.objects.count(), Breach.objects.count(), SlaNotification.objects.count())

    with CaptureQueriesContext(connection) as queries:
        again = services.contacts_bulk_create(items=items, now=NOW)
    assert not [q for q in queries.captured_queries if q["sql"].startswith("COPY")]
    assert (again.created, again.existing) == (0, len(items))
    assert again.ids == first.ids
    after = (ContactEvent.objects.count(), Breach.objects.count(), SlaNotification.objects.count())
    assert after == rows


@postgres_only
def test_the_key_lookup_probes_the_index_whatever_the_statistics_say(chat, chat_policy):
    """Statistics taken while the table held only deleted rows ("empty, on many pages") made
    a join of the keys with the table scan it once per key; the lookup probes the unique
    index whatever the planner believes."""
    from django.test.utils import CaptureQueriesContext

    def batch(prefix, n):
        return [
            {"channel": chat, "external_id": f"{prefix}-{i}", "opened_at": MON_10} for i in range(n)
        ]

    services.contacts_bulk_create(items=batch("gone", 1000), now=NOW)
    with connection.cursor() as cursor:
        for table in ("sla_breach", "sla_contactevent", "sla_slanotification", "sla_contact"):
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 -- constants
        cursor.execute("ANALYZE sla_contact")
        cursor.execute("SELECT relpages > 0, reltuples FROM pg_class WHERE relname = 'sla_contact'")
        assert cursor.fetchone() == (True, 0)  # the statistics of the trap
    kept = services.contacts_bulk_create(items=batch("kept", 50), now=NOW)

    keys = [(chat.pk, f"kept-{i}") for i in range(0, 60, 2)]
    try:
        with CaptureQueriesContext(connection) as queries:
            found = services.contacts.existing_ids(keys)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE sla_contact")  # statistics outlive the test's rollback
    assert found == {(chat.pk, f"kept-{i}"): kept.ids[i] for i in range(0, 50, 2)}
    (sql,) = [q["sql"] for q in queries.captured_queries if "JOIN LATERAL" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Join Filter" not in plan, plan
    assert "k.external_id" in plan and "Index Cond" in plan, plan


def test_deleting_a_contact_deletes_its_timeline_and_breaches(chat, chat_policy, staff_user):
    """The timeline and breaches have no database foreign key (its checks were a quarter of a
    backfill's time): the ORM's cascade removes them with their contact."""
    services.contacts_bulk_create(items=_mixed(chat, staff_user), now=NOW)
    contact = Contact.objects.get(external_id="resolved-late")
    assert contact.events.exists() and contact.breaches.exists()
    others = (ContactEvent.objects.count(), Breach.objects.count())
    events, breaches = contact.events.count(), contact.breaches.count()

    contact.delete()
    assert not ContactEvent.objects.filter(contact_id=contact.pk).exists()
    assert not Breach.objects.filter(contact_id=contact.pk).exists()
    assert (ContactEvent.objects.count(), Breach.objects.count()) == (
        others[0] - events,
        others[1] - breaches,
    )
