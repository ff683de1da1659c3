"""Concurrent bulk posts of the same contacts in different orders (PostgreSQL only).

Each client inserts its batch under the (channel, external_id) unique index; two clients taking
those index entries in opposite orders deadlocked, and the loser got a 500 (2 runs in 28 with
several web processes). A multi-row INSERT takes a few milliseconds, so threads whose Python
work the GIL serialises rarely overlap by chance: a test-only trigger makes each inserted row
take a millisecond, so the clients' inserts overlap every round, as busy servers' do.
"""

import datetime as dt
import random
import threading

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from sla.models import Contact, ContactEvent
from sla.tests.conftest import postgres_only

pytestmark = [pytest.mark.postgres, postgres_only, pytest.mark.django_db(transaction=True)]

CLIENTS = 4
CONTACTS = 150
ROUNDS = 6


@pytest.fixture
def slow_contact_inserts(db):
    table = Contact._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION test_slow_row() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN PERFORM pg_sleep(0.001); RETURN NEW; END $$"
        )
        cursor.execute(
            f'CREATE TRIGGER test_slow_row BEFORE INSERT ON "{table}" '
            "FOR EACH ROW EXECUTE FUNCTION test_slow_row()"
        )
    yield
    with connection.cursor() as cursor:
        cursor.execute(f'DROP TRIGGER test_slow_row ON "{table}"')
        cursor.execute("DROP FUNCTION test_slow_row()")


def _deadlocks() -> int:
    """Deadlocks PostgreSQL detected in this database (the client threads' sessions report
    theirs when they end)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


def test_same_contacts_in_shuffled_orders_never_deadlock(
    integration_user, chat, chat_policy, slow_contact_inserts
):
    token, _ = Token.objects.get_or_create(user=integration_user)
    deadlocks_before = _deadlocks()
    opened = (timezone.now() - dt.timedelta(minutes=5)).isoformat()
    for round_ in range(ROUNDS):
        items = [
            {"channel": "chat", "external_id": f"R{round_}-{n}", "opened_at": opened}
            for n in range(CONTACTS)
        ]
        shuffle = random.Random(round_)
        orders = [shuffle.sample(items, len(items)) for _ in range(CLIENTS)]
        answers = [None] * CLIENTS
        barrier = threading.Barrier(CLIENTS)

        def post(index, orders=orders, answers=answers, barrier=barrier):
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
            client.raise_request_exception = False  # a deadlock shows as the 500 clients saw
            try:
                barrier.wait(timeout=10)
                response = client.post("/api/v1/contacts/bulk/", orders[index], format="json")
                body = response.json() if response.status_code < 500 else response.content
                answers[index] = (response.status_code, body)
            finally:
                connection.close()

        threads = [threading.Thread(target=post, args=(i,)) for i in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        assert None not in answers
        assert all(code in (200, 201) for code, _ in answers), (round_, answers)
        rows = Contact.objects.filter(external_id__startswith=f"R{round_}-")
        assert rows.count() == CONTACTS
        # Exactly one client created each contact; every answer maps its items to the same rows.
        assert sum(body["created"] for _, body in answers) == CONTACTS
        pk_of = dict(rows.values_list("external_id", "pk"))
        for (_, body), order in zip(answers, orders, strict=True):
            assert body["ids"] == [pk_of[item["external_id"]] for item in order]
    # Taken in one order, the inserts wait for each other and never form a cycle: the test
    # passes on the ordering, not on the retry that would hide a deadlock.
    assert _deadlocks() == deadlocks_before
    assert Contact.objects.count() == CONTACTS * ROUNDS
    assert ContactEvent.objects.filter(kind="opened").count() == CONTACTS * ROUNDS
