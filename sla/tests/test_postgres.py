"""Concurrency on PostgreSQL: what several web processes and workers do at the same moment."""

import datetime as dt
import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from sla import services
from sla.models import Breach, Contact, ContactEvent, SlaNotification
from sla.services import sweep as sweep_module
from sla.tests.conftest import postgres_only

pytestmark = [pytest.mark.postgres, postgres_only, pytest.mark.django_db(transaction=True)]


def _in_threads(count, target):
    """Run ``target(index)`` in ``count`` threads released together; re-raise their errors."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def run(index):
        try:
            barrier.wait(timeout=10)
            results[index] = target(index)
        except Exception as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def _client(user):
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_same_contact_posted_ten_times_at_once_is_one_contact(integration_user, chat, chat_policy):
    token_user = integration_user
    opened = (timezone.now() - dt.timedelta(minutes=5)).isoformat()
    body = {"channel": "chat", "external_id": "ZD-RACE", "opened_at": opened}

    def post(_index):
        response = _client(token_user).post("/api/v1/contacts/", body, format="json")
        return response.status_code, response.json()["id"]

    results = _in_threads(10, post)
    assert Contact.objects.count() == 1
    assert sorted(code for code, _ in results) == [200] * 9 + [201]
    assert {pk for _, pk in results} == {Contact.objects.get().pk}
    assert ContactEvent.objects.filter(kind="opened").count() == 1


def test_overlapping_bulk_posts_at_once_make_each_contact_once(integration_user, chat, chat_policy):
    opened = (timezone.now() - dt.timedelta(minutes=5)).isoformat()

    def post(index):
        # Thread 0 sends 0..299, thread 1 sends 150..449: 150 keys in common.
        items = [
            {"channel": "chat", "external_id": f"B-{n}", "opened_at": opened}
            for n in range(index * 150, index * 150 + 300)
        ]
        response = _client(integration_user).post("/api/v1/contacts/bulk/", items, format="json")
        assert response.status_code in (200, 201), response.json()
        return response.json()

    first, second = _in_threads(2, post)
    assert Contact.objects.count() == 450
    assert first["created"] + second["created"] == 450
    assert first["ids"][150:] == second["ids"][:150]


def test_two_sweeps_at_once_flag_and_notify_each_contact_once(
    chat, chat_policy, staff_user, monkeypatch
):
    opened = timezone.now() - dt.timedelta(days=10)
    services.contacts_bulk_create(
        items=[
            {"channel": chat, "external_id": f"S-{n}", "opened_at": opened, "agent": staff_user}
            for n in range(50)
        ],
        now=opened,
    )
    real_step = sweep_module.run_step

    def slow_step(*args, **kwargs):
        result = real_step(*args, **kwargs)
        time.sleep(0.3)  # hold the transaction open so the other sweep runs into it
        return result

    monkeypatch.setattr(sweep_module, "run_step", slow_step)
    now = timezone.now()
    results = _in_threads(2, lambda _i: services.sla_sweep(now=now))
    assert sum(r["first_response_breached"] for r in results) == 50
    assert sum(r["resolution_breached"] for r in results) == 50
    assert Breach.objects.count() == 100
    assert ContactEvent.objects.filter(kind="breached").count() == 100
    assert SlaNotification.objects.count() == 200  # 2 metrics × (owner, agent), once each
    assert sum(r["notifications"] for r in results) == 200


def test_sweep_predicates_use_the_partial_indexes(chat, chat_policy):
    now = timezone.now()
    expected = {
        ("first_response", "breach"): "sla_contact_fr_due_running",
        ("resolution", "breach"): "sla_contact_res_due_running",
        ("first_response", "at_risk"): "sla_contact_fr_warn_pending",
        ("resolution", "at_risk"): "sla_contact_res_warn_pending",
    }
    for step in sweep_module.STEPS:
        sql = sweep_module._Sql(step, now, None)
        claimed, params = sql.select_claimed()
        # SET LOCAL only lasts inside a transaction; outside one it silently does nothing.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + claimed, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert expected[(step.metric, step.kind)] in plan, plan


def test_digests_written_and_sent_once_by_two_workers(chat, chat_policy, staff_user, monkeypatch):
    from django.core import mail

    opened = timezone.now() - dt.timedelta(days=10)
    services.contacts_bulk_create(
        items=[
            {"channel": chat, "external_id": f"N-{n}", "opened_at": opened, "agent": staff_user}
            for n in range(5)
        ],
        now=opened,
    )
    services.sla_sweep()
    SlaNotification.objects.update(not_before=timezone.now())
    digests = _in_threads(2, lambda _i: services.notifications_digest())
    assert sorted(d["messages"] for d in digests) == [0, 2]  # one digest per recipient, once
    assert set(SlaNotification.objects.values_list("status", flat=True)) == {"queued"}
    from core.models import OutboxMessage
    from core.outbox import outbox_send

    # The digests' commits already asked for a sending run (eager in tests); two more senders
    # at once find nothing left to send twice.
    _in_threads(2, lambda _i: outbox_send())
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}
    assert len(mail.outbox) == 2
    assert sum(m.body.count("N-") for m in mail.outbox) == 20
