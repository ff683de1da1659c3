"""Two managers at once, on PostgreSQL (real row locks between connections)."""

import threading
import time

import pytest
from django.db import connection

from standards import services
from standards.models import StandardVersion
from standards.services import standards as standard_services
from standards.tests.factories import (
    make_published_standard,
)
from standards.tests.services.helpers import _new_standard

pytestmark = pytest.mark.django_db
Status = StandardVersion.Status


# -- two managers at once (PostgreSQL: real row locks between connections) ----------------------


def _run_concurrently(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = ("ok", call())
        except Exception as exc:
            outcomes[index] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_managers_publishing_at_once_end_with_one_published_version(
    manager, second_manager, monkeypatch
):
    standard, version = _new_standard(manager)
    services.version_submit_for_review(version=version, user=manager)
    # Hold the winner's transaction open a moment so that the other really waits on the lock.
    original = standard_services.set_reviewed

    def slow_set_reviewed(*args, **kwargs):
        time.sleep(0.3)
        return original(*args, **kwargs)

    monkeypatch.setattr("standards.services.versions.set_reviewed", slow_set_reviewed)
    outcomes = _run_concurrently(
        lambda: services.version_publish(version=version, user=manager, change_summary="Mine"),
        lambda: services.version_publish(
            version=version, user=second_manager, change_summary="Theirs"
        ),
    )
    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["error", "ok"], outcomes
    error = next(value for kind, value in outcomes if kind == "error")
    assert isinstance(error, services.VersionStateError)
    assert "already published by" in error.messages[0]
    assert standard.versions.filter(status=Status.PUBLISHED).count() == 1
    winner = next(value for kind, value in outcomes if kind == "ok")
    assert StandardVersion.objects.get(pk=version.pk).change_summary == winner.change_summary


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_new_drafts_at_once_end_with_one(manager, second_manager):
    standard = make_published_standard()
    outcomes = _run_concurrently(
        lambda: services.version_create_draft(standard=standard, user=manager),
        lambda: services.version_create_draft(standard=standard, user=second_manager),
    )
    assert sorted(kind for kind, _ in outcomes) == ["error", "ok"], outcomes
    error = next(value for kind, value in outcomes if kind == "error")
    assert isinstance(error, services.VersionStateError)
    assert standard.versions.open().count() == 1
