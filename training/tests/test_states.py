"""Who owes what: the one rule (``selectors.assigned_pairs``, SQL) read by training's pages
(``build_rows``) and by the scorecard (``standard_states``), checked against the rule written
out in Python over a mixed dataset."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import make_user
from core.roles import STAFF
from standards.tests.factories import StandardFactory
from training import selectors, services
from training.models import Acknowledgement, Obligation, TrackItem
from training.tests.conftest import acknowledge, publish

pytestmark = pytest.mark.django_db


def reference_state(user_id, standard_id, today) -> str:
    """The rule in plain Python: an open obligation is owed (overdue past its due date), else
    an acknowledgement of any version is acknowledged, else nothing is asked yet."""
    obligation = Obligation.objects.open().filter(user_id=user_id, standard_id=standard_id).first()
    if obligation is not None:
        return "overdue" if obligation.due_date < today else "outstanding"
    acknowledged = Acknowledgement.objects.filter(
        user_id=user_id, version__standard_id=standard_id
    ).exists()
    return "acknowledged" if acknowledged else "unavailable"


@pytest.fixture
def mixed(manager):
    """Every state, a person holding a standard through two tracks, an obligation withdrawn,
    an acknowledgement of an older version after a major (owed again) and a minor (not owed)
    publication, and a standard nobody holds."""
    now = timezone.now()
    a, b, c, d, idle = (
        StandardFactory(title=f"Rule {name}", slug=f"rule-{name}") for name in "abcdx"
    )
    for standard in (a, b, c, d, idle):
        publish(standard, manager=manager, at=now - timedelta(days=30))
    first = services.track_save(
        user=manager,
        name="First",
        items=[{"standard": s, "due_offset_days": 3} for s in (a, b, c)],
    )
    second = services.track_save(
        user=manager,
        name="Second",
        items=[{"standard": s, "due_offset_days": 5} for s in (a, d)],
    )
    people = [make_user(f"rule-{n}", STAFF) for n in range(6)]
    services.track_assign(
        track=first, users=people[:5], start_date=timezone.localdate(), by=manager
    )
    services.track_assign(
        track=second, users=people[2:], start_date=timezone.localdate(), by=manager
    )
    # 0: a overdue, b and c outstanding.
    Obligation.objects.filter(user=people[0], standard=a).update(
        due_date=timezone.localdate() - timedelta(days=1)
    )
    # 1: a and b acknowledged.
    acknowledge(people[1], a.current_version)
    acknowledge(people[1], b.current_version)
    # 2 (both tracks): a acknowledged; d withdrawn without an acknowledgement.
    acknowledge(people[2], a.current_version)
    Obligation.objects.filter(user=people[2], standard=d).update(state=Obligation.State.WITHDRAWN)
    # 3, 4: c acknowledged, then a major version (owed again) of c; a minor one of b.
    for person in people[3:5]:
        acknowledge(person, c.current_version)
        acknowledge(person, b.current_version)
    publish(c, manager=manager, kind="major", at=now - timedelta(days=1))
    publish(b, manager=manager, kind="minor", at=now - timedelta(days=1))
    return {"standards": [a, b, c, d, idle], "people": people}


def test_the_sql_rule_agrees_with_the_rule_written_out(mixed):
    today = timezone.localdate()
    ids = [s.pk for s in mixed["standards"]]
    pairs = set(
        TrackItem.objects.filter(standard_id__in=ids, track__assignments__isnull=False)
        .values_list("track__assignments__user_id", "standard_id")
        .distinct()
    )
    expected = {pair: reference_state(*pair, today) for pair in pairs}
    found = {
        (user_id, standard_id): state
        for user_id, standard_id, state in selectors.assigned_pairs(
            today=today, standard_ids=ids
        ).values_list("user_id", "standard_id", "state")
    }
    assert found == expected
    # The mix holds every state.
    assert set(expected.values()) == set(selectors.STATES)

    counts = {}
    for (_user, standard_id), state in expected.items():
        counts.setdefault(standard_id, dict.fromkeys(selectors.STATES, 0))[state] += 1
    assert selectors.standard_states(ids, today=today) == counts

    rows = selectors.build_rows(mixed["people"], today=today)
    cells = {(row.user.pk, sid): cell.state for row in rows for sid, cell in row.cells.items()}
    assert cells == expected


def test_the_states_of_the_mix(mixed):
    a, b, c, d, idle = mixed["standards"]
    p = mixed["people"]
    states = selectors.standard_states([s.pk for s in mixed["standards"]])
    # a: 0 overdue; 1, 2 acknowledged; 3, 4 outstanding; 5 outstanding (second track), once.
    assert states[a.pk] == {"acknowledged": 2, "outstanding": 3, "overdue": 1, "unavailable": 0}
    # b: 1 acknowledged, 3 and 4 acknowledged the version before a minor one.
    assert states[b.pk] == {"acknowledged": 3, "outstanding": 2, "overdue": 0, "unavailable": 0}
    # c: the major version is owed again by 3 and 4.
    assert states[c.pk] == {"acknowledged": 0, "outstanding": 5, "overdue": 0, "unavailable": 0}
    # d: 2's obligation withdrawn.
    assert states[d.pk] == {"acknowledged": 0, "outstanding": 3, "overdue": 0, "unavailable": 1}
    assert idle.pk not in states
    [row] = selectors.build_rows([p[2]])
    assert row.cells[a.pk].state == "acknowledged"
    assert row.cells[d.pk].state == "unavailable"


@pytest.mark.parametrize("people", [2, 20])
def test_standard_states_is_one_query(manager, django_assert_num_queries, people):
    standard = StandardFactory(title="Counted", slug="counted")
    publish(standard, manager=manager)
    track = services.track_save(
        user=manager, name="Counted", items=[{"standard": standard, "due_offset_days": 3}]
    )
    users = [make_user(f"counted-{n}", STAFF) for n in range(people)]
    services.track_assign(track=track, users=users, by=manager)
    with django_assert_num_queries(1):
        states = selectors.standard_states([standard.pk])
    assert states[standard.pk]["outstanding"] == people
