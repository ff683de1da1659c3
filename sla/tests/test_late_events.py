"""Late events: a contact's states, deadlines, minutes and breaches depend on when its events
happened, never on when or in which order they arrived (docs/api.md: PATCH and ``event_at``)."""

import datetime as dt
from dataclasses import dataclass

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sla import services
from sla.models import Breach, Contact, SlaNotification
from sla.services.common import alert_history_window
from sla.tests.conftest import warsaw
from sla.tests.factories import make_contact

pytestmark = pytest.mark.django_db

MON_10 = warsaw(2026, 3, 2, 10, 0)  # chat: first response due 11:00, resolution due 18:00
TUE_930 = warsaw(2026, 3, 3, 9, 30)
NOON_WED = warsaw(2026, 3, 4, 12, 0)

COMPARED = (
    "status",
    "sla_policy_id",
    "first_response_at",
    "resolved_at",
    "paused_at",
    "paused_business_minutes",
    "first_response_due_at",
    "first_response_warn_at",
    "resolution_due_at",
    "resolution_warn_at",
    "first_response_state",
    "resolution_state",
    "first_response_minutes",
    "resolution_minutes",
)


def _outcome(contact: Contact) -> dict:
    """What must not depend on arrival: the derived fields, the breaches and pending alerts."""
    fresh = Contact.objects.get(pk=contact.pk)
    result = {name: getattr(fresh, name) for name in COMPARED}
    result["breaches"] = set(fresh.breaches.values_list("metric", "due_at"))
    return result


def _alerted(contact: Contact) -> set[str]:
    return set(
        SlaNotification.objects.filter(contact=contact, kind="breach").values_list(
            "metric", flat=True
        )
    )


def _kinds(contact: Contact) -> list[str]:
    return list(contact.events.order_by("at", "id").values_list("kind", flat=True))


# -- the property ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    kind: str  # first_response, waiting, open, resolved
    at: dt.datetime
    by_status: bool = False  # a resolution sent as status "resolved" with event_at

    def apply(self, contact: Contact, now: dt.datetime) -> None:
        if self.kind == "first_response":
            services.contact_update(contact=contact, first_response_at=self.at, now=now)
        elif self.kind == "resolved" and not self.by_status:
            services.contact_update(contact=contact, resolved_at=self.at, now=now)
        else:
            services.contact_update(contact=contact, status=self.kind, event_at=self.at, now=now)


@st.composite
def stories(draw):
    """A valid life of a contact (events in time order) and a late, shuffled arrival of it."""
    channel = draw(st.sampled_from(["chat", "always"]))
    opened = MON_10 + dt.timedelta(minutes=draw(st.integers(-120, 4 * 1440)))
    kinds = ["waiting", "open"] * draw(st.integers(0, 3))
    if kinds and draw(st.booleans()):
        kinds.pop()  # still waiting at the end (or when resolved)
    if draw(st.booleans()):
        kinds.insert(draw(st.integers(0, len(kinds))), "first_response")
    if draw(st.booleans()):
        kinds.append("resolved")
    gaps = draw(st.lists(st.integers(1, 900), min_size=len(kinds), max_size=len(kinds)))
    events, at = [], opened
    for kind, gap in zip(kinds, gaps, strict=True):
        at += dt.timedelta(minutes=gap)
        events.append(Event(kind, at, by_status=kind == "resolved" and draw(st.booleans())))
    order = draw(st.permutations(range(len(events))))
    replays = draw(st.lists(st.sampled_from(range(len(events))), max_size=2)) if events else []
    delays = draw(
        st.lists(st.integers(0, 1500), min_size=len(order) + len(replays), max_size=len(order) + 5)
    )
    # Pushed soon after opening, or only once its whole story is over.
    created = max([opened, *(e.at for e in events)]) if draw(st.booleans()) else opened
    created += dt.timedelta(minutes=draw(st.integers(0, 2000)))
    # The contact may be pushed with what was known by then: its response, even its resolution.
    known = {}
    for event in events:
        if (
            event.kind in ("first_response", "resolved")
            and event.at <= created
            and draw(st.booleans())
        ):
            known[f"{event.kind}_at"] = event.at
    # Arrival instants increase with the order of arrival and never precede the event.
    arrivals, now = [], created
    for index, delay in zip([*order, *replays], delays, strict=False):
        now = max(now, events[index].at) + dt.timedelta(minutes=delay)
        arrivals.append((now, events[index]))
    end = max([created, *(e.at for e in events), *(a for a, _ in arrivals)])
    span = int((end - opened).total_seconds() // 60)
    sweeps = [
        opened + dt.timedelta(minutes=m)
        for m in draw(st.lists(st.integers(0, span), max_size=4, unique=True))
    ]
    final = end + dt.timedelta(minutes=draw(st.integers(1, 600)))
    return channel, opened, events, created, known, arrivals, sweeps, final


def _run(channel, external_id, opened, created, arrivals, sweeps, final, **known) -> Contact:
    """Create the contact at ``created`` (with the ``known`` times), then events and sweeps in
    the order of their instants (an event before a sweep at the same instant), then a last sweep
    at ``final``."""
    contact = make_contact(
        channel=channel, opened_at=opened, external_id=external_id, now=created, **known
    )
    steps = [(now, 0, event) for now, event in arrivals]
    steps += [(at, 1, None) for at in sweeps if at >= created]
    for now, _, event in sorted(steps, key=lambda s: (s[0], s[1])):
        if event is None:
            services.sla_sweep(now=now, contact_ids=[contact.pk])
        else:
            event.apply(contact, now)
    services.sla_sweep(now=final, contact_ids=[contact.pk])
    return contact


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(story=stories())
def test_any_order_of_arrival_gives_the_live_contact(
    story, chat, chat_policy, always, always_policy, staff_user
):
    name, opened, events, created, known, arrivals, sweeps, final = story
    channel = {"chat": chat, "always": always}[name]
    with transaction.atomic():
        live = _run(channel, "LIVE", opened, opened, [(e.at, e) for e in events], sweeps, final)
        late = _run(channel, "LATE", opened, created, arrivals, sweeps, final, **known)
        expected = _outcome(live)
        assert _outcome(late) == expected
        # Every breach left has its alert waiting, a withdrawn one has none left; a contact
        # pushed already resolved is history: judged, never alerted about.
        breached = {metric for metric, _ in expected["breaches"]}
        assert _alerted(live) == breached
        # A deadline that had passed more than the history window before the portal learned of
        # the contact is history too: recorded, not alerted.
        history = alert_history_window()
        current = {metric for metric, due in expected["breaches"] if due >= created - history}
        assert _alerted(late) == (set() if "resolved_at" in known else current)
        transaction.set_rollback(True)


# -- regressions, one per divergence found ---------------------------------------------------


def _contact(chat, staff_user, **extra):
    return make_contact(channel=chat, opened_at=MON_10, agent=staff_user, now=MON_10, **extra)


def test_late_wait_before_the_deadline_withdraws_a_provisional_breach(
    chat, chat_policy, staff_user
):
    contact = _contact(chat, staff_user)
    services.sla_sweep(now=TUE_930)  # nothing known: both targets missed, alerts queued
    assert set(Breach.objects.values_list("metric", flat=True)) == {
        "first_response",
        "resolution",
    }
    # The helpdesk replays: waiting on the customer since Monday 11:00, before the 18:00 due.
    services.contact_pause(contact=contact, at=warsaw(2026, 3, 2, 11, 0), now=TUE_930)
    contact.refresh_from_db()
    assert (contact.status, contact.resolution_state) == ("waiting", "paused")
    assert contact.resolution_due_at == warsaw(2026, 3, 2, 18, 0)  # moves when the wait ends
    assert list(Breach.objects.values_list("metric", flat=True)) == ["first_response"]
    assert _alerted(contact) == {"first_response"}
    assert _kinds(contact).count("breach_withdrawn") == 1
    # The sweep does not flag it again while the clock is stopped.
    assert services.sla_sweep(now=warsaw(2026, 3, 3, 12, 0))["resolution_breached"] == 0
    services.contact_resume(
        contact=contact, at=warsaw(2026, 3, 3, 10, 0), now=warsaw(2026, 3, 3, 12, 5)
    )
    contact.refresh_from_db()
    assert contact.paused_business_minutes == 480
    assert (contact.resolution_state, contact.resolution_due_at) == (
        "pending",
        warsaw(2026, 3, 3, 17, 0),
    )


def test_late_wait_whose_moved_deadline_passed_too_keeps_the_breach_at_the_new_deadline(
    chat, chat_policy, staff_user
):
    contact = _contact(chat, staff_user)
    services.sla_sweep(now=warsaw(2026, 3, 4, 12, 0))
    services.contact_pause(contact=contact, at=warsaw(2026, 3, 2, 17, 0), now=NOON_WED)
    services.contact_resume(contact=contact, at=warsaw(2026, 3, 3, 9, 30), now=NOON_WED)
    contact.refresh_from_db()
    # 90 business minutes waited: due Tuesday 10:30, long past on Wednesday noon.
    assert contact.resolution_state == "breached"
    breach = Breach.objects.get(metric="resolution")
    assert breach.due_at == contact.resolution_due_at == warsaw(2026, 3, 3, 10, 30)
    assert _alerted(contact) == {"first_response", "resolution"}
    assert SlaNotification.objects.filter(kind="breach").count() == 4  # owner and agent, once


def test_a_wait_that_began_after_the_deadline_is_still_a_breach(chat, chat_policy):
    contact = make_contact(channel=chat, opened_at=MON_10, now=MON_10)
    services.sla_sweep(now=TUE_930)
    services.contact_pause(contact=contact, at=warsaw(2026, 3, 3, 9, 15), now=TUE_930)
    contact.refresh_from_db()
    assert (contact.status, contact.resolution_state) == ("waiting", "breached")
    assert Breach.objects.filter(metric="resolution").count() == 1
    assert "breach_withdrawn" not in _kinds(contact)


def test_late_first_response_replaces_the_one_inferred_from_the_resolution(chat, chat_policy):
    contact = make_contact(channel=chat, opened_at=MON_10, now=MON_10)
    resolved = warsaw(2026, 3, 2, 15, 0)
    services.contact_resolve(contact=contact, at=resolved, now=resolved)
    contact.refresh_from_db()
    assert (contact.first_response_at, contact.first_response_state) == (resolved, "breached")
    services.contact_record_first_response(
        contact=contact, at=warsaw(2026, 3, 2, 10, 30), now=warsaw(2026, 3, 2, 15, 5)
    )
    contact.refresh_from_db()
    assert contact.first_response_at == warsaw(2026, 3, 2, 10, 30)
    assert (contact.first_response_state, contact.first_response_minutes) == ("met", 30)
    assert not Breach.objects.exists()
    # The inferred response leaves the timeline; the reported one and the withdrawal stay.
    assert _kinds(contact) == [
        "opened",
        "first_response",
        "breached",
        "resolved",
        "breach_withdrawn",
    ]
    # A reported first response is a fact: it is not replaced again.
    with pytest.raises(ValidationError):
        services.contact_record_first_response(
            contact=contact, at=warsaw(2026, 3, 2, 10, 20), now=warsaw(2026, 3, 2, 15, 6)
        )


def test_resolution_arriving_before_its_waits_is_judged_again_with_them(chat, chat_policy):
    contact = make_contact(channel=chat, opened_at=MON_10, now=MON_10)
    now = warsaw(2026, 3, 3, 16, 30)
    services.contact_resolve(contact=contact, at=warsaw(2026, 3, 3, 16, 0), now=now)
    contact.refresh_from_db()
    assert (contact.resolution_state, contact.resolution_minutes) == ("breached", 900)
    services.contact_resume(contact=contact, at=warsaw(2026, 3, 3, 10, 0), now=now)
    services.contact_pause(contact=contact, at=warsaw(2026, 3, 2, 11, 0), now=now)
    contact.refresh_from_db()
    # As live: waited 480 business minutes, due Tuesday 17:00, resolved at 16:00 in 420.
    assert (contact.status, contact.resolution_state) == ("resolved", "met")
    assert (contact.resolution_minutes, contact.paused_business_minutes) == (420, 480)
    assert contact.resolution_due_at == warsaw(2026, 3, 3, 17, 0)
    assert list(Breach.objects.values_list("metric", flat=True)) == ["first_response"]
    # A status change after the resolution is still refused: a resolved contact stays resolved.
    with pytest.raises(ValidationError) as caught:
        services.contact_pause(contact=contact, at=warsaw(2026, 3, 3, 16, 10), now=now)
    assert "status" in caught.value.message_dict


def test_duplicate_events_change_nothing(chat, chat_policy):
    contact = make_contact(channel=chat, opened_at=MON_10, now=MON_10)
    pause, resume = warsaw(2026, 3, 2, 11, 0), warsaw(2026, 3, 2, 12, 0)
    for _ in range(2):
        services.contact_pause(contact=contact, at=pause, now=TUE_930)
        services.contact_resume(contact=contact, at=resume, now=TUE_930)
        services.contact_record_first_response(contact=contact, at=pause, now=TUE_930)
    contact.refresh_from_db()
    assert _kinds(contact).count("paused") == _kinds(contact).count("resumed") == 1
    assert _kinds(contact).count("first_response") == 1
    assert (contact.status, contact.paused_business_minutes) == ("open", 60)
    assert contact.resolution_due_at == warsaw(2026, 3, 3, 10, 0)


def test_resume_arriving_before_its_wait_ends_it(chat, chat_policy):
    contact = make_contact(channel=chat, opened_at=MON_10, now=MON_10)
    now = warsaw(2026, 3, 2, 12, 30)
    services.contact_resume(contact=contact, at=warsaw(2026, 3, 2, 12, 0), now=now)
    services.contact_pause(contact=contact, at=warsaw(2026, 3, 2, 11, 0), now=now)
    contact.refresh_from_db()
    assert (contact.status, contact.paused_at, contact.resolution_state) == (
        "open",
        None,
        "pending",
    )
    assert contact.paused_business_minutes == 60
    assert contact.resolution_due_at == warsaw(2026, 3, 3, 10, 0)


@time_machine.travel(TUE_930, tick=False)
def test_api_replays_a_wait_late_in_reverse_order(integration_api, chat, chat_policy):
    contact = make_contact(channel=chat, opened_at=MON_10, now=MON_10)
    services.sla_sweep(now=TUE_930)
    url = f"/api/v1/contacts/{contact.pk}/"
    resumed = integration_api.patch(
        url, {"status": "open", "event_at": "2026-03-02T17:00:00+01:00"}, format="json"
    )
    assert resumed.status_code == 200, resumed.json()
    assert resumed.json()["resolution_state"] == "breached"  # no wait known yet
    paused = integration_api.patch(
        url, {"status": "waiting", "event_at": "2026-03-02T16:00:00+01:00"}, format="json"
    )
    assert paused.status_code == 200, paused.json()
    data = paused.json()
    # Due Tuesday 10:00 (an hour waited); 80% of it has passed, so at risk, no longer breached.
    assert (data["status"], data["resolution_state"]) == ("open", "at_risk")
    assert data["resolution_due_at"] == "2026-03-03T10:00:00+01:00"
    breaches = integration_api.get("/api/v1/breaches/").json()
    rows = breaches["results"] if isinstance(breaches, dict) else breaches
    assert [row["metric"] for row in rows] == ["first_response"]


def test_withdrawal_cancels_every_alert_not_sent_and_keeps_the_sent_ones(
    chat, chat_policy, staff_user
):
    contact = _contact(chat, staff_user)
    services.sla_sweep(now=warsaw(2026, 3, 2, 11, 5))
    rows = SlaNotification.objects.filter(contact=contact, kind="breach")
    assert rows.count() == 2  # the channel's owner and the agent
    rows.filter(recipient__username="owner").update(status="sent")
    rows.filter(recipient__username="agent").update(status="failed", attempts=5)
    services.contact_record_first_response(
        contact=contact, at=warsaw(2026, 3, 2, 10, 50), now=warsaw(2026, 3, 2, 11, 10)
    )
    assert not Breach.objects.exists()
    assert list(rows.values_list("recipient__username", "status")) == [("owner", "sent")]


def test_contact_pushed_resolved_takes_its_first_response_late(chat, chat_policy):
    contact = make_contact(
        channel=chat, opened_at=MON_10, resolved_at=warsaw(2026, 3, 2, 15, 0), now=TUE_930
    )
    assert contact.first_response_state == "breached"  # inferred from the resolution
    services.contact_record_first_response(
        contact=contact, at=warsaw(2026, 3, 2, 10, 40), now=TUE_930
    )
    contact.refresh_from_db()
    assert (contact.first_response_state, contact.first_response_minutes) == ("met", 40)
    assert list(Breach.objects.values_list("metric", flat=True)) == []
    assert _kinds(contact).count("first_response") == 1
