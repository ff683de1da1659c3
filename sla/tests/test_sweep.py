"""The sweep: at-risk and breach flags, breaches recorded once, set-based, safe to interrupt."""

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command

from channels_app.tests.factories import ChannelFactory
from sla import services
from sla.models import Breach, Contact, ContactEvent, SlaNotification
from sla.services import sweep as sweep_module
from sla.tests.conftest import send_alerts, warsaw
from sla.tests.factories import SlaPolicyFactory, make_contact

pytestmark = pytest.mark.django_db

MON_10 = warsaw(2026, 3, 2, 10, 0)  # first response: warn 10:48, due 11:00


def _states(contact):
    contact.refresh_from_db()
    return contact.first_response_state, contact.resolution_state


def test_at_risk_from_the_warning_share(chat, chat_policy, staff_user):
    contact = make_contact(channel=chat, opened_at=MON_10, agent=staff_user, now=MON_10)
    assert services.sla_sweep(now=warsaw(2026, 3, 2, 10, 47))["first_response_at_risk"] == 0
    assert _states(contact) == ("pending", "pending")
    counts = services.sla_sweep(now=warsaw(2026, 3, 2, 10, 48))
    assert counts["first_response_at_risk"] == 1
    assert _states(contact) == ("at_risk", "pending")
    rows = SlaNotification.objects.filter(kind="at_risk")
    assert set(rows.values_list("recipient__username", flat=True)) == {"owner", "agent"}
    assert contact.events.filter(kind="at_risk", at=warsaw(2026, 3, 2, 10, 48)).exists()


def test_breached_only_once_the_deadline_has_passed(chat, chat_policy):
    contact = make_contact(channel=chat, opened_at=MON_10, now=MON_10)
    services.sla_sweep(now=warsaw(2026, 3, 2, 11, 0))  # due at 11:00: met until then
    assert _states(contact) == ("at_risk", "pending")
    counts = services.sla_sweep(now=warsaw(2026, 3, 2, 11, 0, 1))
    assert counts["first_response_breached"] == 1 and counts["breaches"] == 1
    assert _states(contact) == ("breached", "pending")
    breach = Breach.objects.get()
    assert breach.due_at == warsaw(2026, 3, 2, 11, 0)
    assert breach.detected_at == warsaw(2026, 3, 2, 11, 0, 1)


def test_breach_recorded_once_however_often_the_sweep_runs(chat, chat_policy, staff_user):
    contact = make_contact(channel=chat, opened_at=MON_10, agent=staff_user, now=MON_10)
    later = warsaw(2026, 3, 3, 12, 0)
    first = services.sla_sweep(now=later)
    assert (first["first_response_breached"], first["resolution_breached"]) == (1, 1)
    assert first["notifications"] == 4  # two metrics, owner and agent
    for minutes in range(1, 4):
        again = services.sla_sweep(now=later + dt.timedelta(minutes=minutes))
        assert not any(again.values())
    assert Breach.objects.filter(contact=contact).count() == 2
    assert SlaNotification.objects.count() == 4
    assert ContactEvent.objects.filter(contact=contact, kind="breached").count() == 2


def test_paused_and_decided_contacts_are_left_alone(chat, chat_policy):
    waiting = make_contact(channel=chat, opened_at=MON_10, now=MON_10)
    services.contact_pause(
        contact=waiting, at=warsaw(2026, 3, 2, 10, 10), now=warsaw(2026, 3, 2, 10, 10)
    )
    services.contact_record_first_response(
        contact=waiting, at=warsaw(2026, 3, 2, 10, 5), now=warsaw(2026, 3, 2, 10, 11)
    )
    done = make_contact(
        channel=chat,
        opened_at=MON_10,
        first_response_at=warsaw(2026, 3, 2, 10, 5),
        resolved_at=warsaw(2026, 3, 2, 11, 0),
    )
    counts = services.sla_sweep(now=warsaw(2026, 3, 10, 12, 0))
    assert not any(counts.values())
    assert _states(waiting) == ("met", "paused")
    assert _states(done) == ("met", "met")


def _overdue(channel, count, agent=None):
    services.contacts_bulk_create(
        items=[
            {"channel": channel, "external_id": f"O-{n}", "opened_at": MON_10, "agent": agent}
            for n in range(count)
        ],
        now=MON_10,
    )


@pytest.mark.parametrize("count", [5, 200])
def test_sweep_runs_a_bounded_number_of_queries(
    chat, chat_policy, staff_user, count, django_assert_max_num_queries
):
    _overdue(chat, count, agent=staff_user)
    now = warsaw(2026, 3, 3, 12, 0)
    # Same bound for 5 and 200 overdue contacts: one statement per step, never one per row.
    with django_assert_max_num_queries(12):  # measured: 12 on SQLite, 6 on PostgreSQL
        counts = services.sla_sweep(now=now)
    assert counts["first_response_breached"] == counts["resolution_breached"] == count
    assert Breach.objects.count() == 2 * count
    assert SlaNotification.objects.count() == 4 * count
    # A second run with nothing new asks one indexed question.
    with django_assert_max_num_queries(3):
        assert not any(services.sla_sweep(now=now + dt.timedelta(minutes=1)).values())


def test_notifications_skip_imported_and_unreachable_recipients(chat, chat_policy):
    silent = User.objects.create_user("silent", email="")  # no address: nothing to send to
    quiet = make_contact(channel=chat, opened_at=MON_10, agent=silent, now=MON_10)
    imported = make_contact(channel=chat, opened_at=MON_10, now=MON_10)
    Contact.objects.filter(pk=imported.pk).update(notify=False)
    services.sla_sweep(now=warsaw(2026, 3, 2, 11, 30))
    assert Breach.objects.filter(contact=imported).exists()  # judged...
    assert not SlaNotification.objects.filter(contact=imported).exists()  # ...never notified
    assert list(
        SlaNotification.objects.filter(contact=quiet).values_list("recipient__username", flat=True)
    ) == ["owner"]


def test_owner_who_is_also_the_agent_gets_one_notification(chat, chat_policy, owner):
    make_contact(channel=chat, opened_at=MON_10, agent=owner, now=MON_10)
    services.sla_sweep(now=warsaw(2026, 3, 2, 11, 30))
    assert SlaNotification.objects.filter(kind="breach").count() == 1


def test_breach_at_night_is_notified_at_the_next_opening(chat, chat_policy, staff_user):
    opened = warsaw(2026, 3, 3, 17, 0)  # Tuesday; first response due 18:00
    contact = make_contact(channel=chat, opened_at=opened, agent=staff_user, now=opened)
    night = warsaw(2026, 3, 4, 3, 0)
    services.sla_sweep(now=night)
    rows = SlaNotification.objects.filter(contact=contact)
    assert rows.count() == 2
    assert {row.not_before for row in rows} == {warsaw(2026, 3, 4, 9, 0)}
    assert send_alerts(night)["sent"] == 0
    assert mail.outbox == []
    assert send_alerts(warsaw(2026, 3, 4, 9, 0))["sent"] == 2  # one digest each
    assert len(mail.outbox) == 2


def test_scoped_sweep_touches_only_the_given_contacts(chat, chat_policy):
    a = make_contact(channel=chat, opened_at=MON_10, now=MON_10)
    b = make_contact(channel=chat, opened_at=MON_10, now=MON_10)
    services.sla_sweep(now=warsaw(2026, 3, 2, 11, 30), contact_ids=[a.pk])
    assert _states(a)[0] == "breached"
    assert _states(b)[0] == "pending"


def test_interrupted_sweep_leaves_a_consistent_state_and_the_next_completes_it(
    chat, chat_policy, staff_user, monkeypatch, transactional_db
):
    _overdue(chat, 10, agent=staff_user)
    real_step = sweep_module.run_step
    calls = []

    def dying_step(*args, **kwargs):
        if calls:
            raise SystemExit("worker killed")  # what a SIGTERM'd worker looks like to Python
        calls.append(1)
        return real_step(*args, **kwargs)

    monkeypatch.setattr(sweep_module, "run_step", dying_step)
    now = warsaw(2026, 3, 3, 12, 0)
    with pytest.raises(SystemExit):
        services.sla_sweep(now=now)
    # The first step's work was rolled back with the rest: no flag without its breach row.
    assert set(Contact.objects.values_list("first_response_state", flat=True)) == {"pending"}
    assert Breach.objects.count() == ContactEvent.objects.filter(kind="breached").count() == 0
    assert SlaNotification.objects.count() == 0

    monkeypatch.setattr(sweep_module, "run_step", real_step)
    counts = services.sla_sweep(now=now)
    assert counts["first_response_breached"] == counts["resolution_breached"] == 10
    assert Breach.objects.count() == 20
    assert SlaNotification.objects.count() == 40


def test_management_command_runs_the_sweep_and_prints_counts(chat, chat_policy, capsys):
    make_contact(channel=chat, opened_at=MON_10, now=MON_10)
    call_command("sla_sweep")
    out = capsys.readouterr().out
    assert "first_response_breached: 1" in out
    assert "resolution_breached: 1" in out
    call_command("sla_sweep")
    assert "breaches: 0" in capsys.readouterr().out


def test_channel_without_owner_or_agent_queues_nothing_but_records(db):
    channel = ChannelFactory(code="orphan", owner=None)
    SlaPolicyFactory(channel=channel)
    make_contact(channel=channel, opened_at=MON_10, now=MON_10)
    counts = services.sla_sweep(now=warsaw(2026, 3, 3, 12, 0))
    assert counts["breaches"] == 2 and counts["notifications"] == 0


def test_resolution_at_risk_then_resolved_late_is_breached_once(chat, chat_policy, staff_user):
    contact = make_contact(
        channel=chat,
        opened_at=MON_10,
        first_response_at=warsaw(2026, 3, 2, 10, 5),
        agent=staff_user,
        now=warsaw(2026, 3, 2, 10, 6),
    )
    services.sla_sweep(now=warsaw(2026, 3, 2, 16, 23))
    assert _states(contact) == ("met", "pending")
    services.sla_sweep(now=warsaw(2026, 3, 2, 16, 24))  # 80% of 480 minutes
    assert _states(contact) == ("met", "at_risk")
    late = warsaw(2026, 3, 3, 9, 30)  # due Monday 18:00, nobody swept since
    services.contact_resolve(contact=contact, at=late, now=late)
    assert _states(contact) == ("met", "breached")
    assert contact.resolution_minutes == 510
    assert Breach.objects.get().metric == "resolution"
    assert set(SlaNotification.objects.values_list("kind", flat=True)) == {"at_risk", "breach"}
    assert not any(services.sla_sweep(now=late).values())
