"""Demo data that fills every standard's scorecard; idempotent (``seed_demo`` runs it last).

The other apps' demo data already gives the standards' channels contacts and survey answers,
and a few tracks and evaluations. What the scorecard still lacks is added here: a refresher
track holding the standards no track holds yet (assigned to two colleagues of the demo
agents, some of it acknowledged, some overdue), and QA evaluations of every published version
over the last 60 days, so "known" and "followed" have figures for every standard.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from core.roles import STAFF
from quality.scorecard.sources import Evaluation, evaluation_create
from standards.models import Standard
from training import services as training_services
from training.models import Acknowledgement, Track, TrackItem

REFRESHER = "Service standards refresher"
# Two more colleagues (no login: their password is unusable) take the refresher, so the demo
# agents' onboarding stays as training's demo tells it.
COLLEAGUES = (("olga", "Olga", "Sidorova"), ("jan", "Jan", "Wiśniewski"))
AGENTS = ("agent", "agent2", "newhire")
EVALUATIONS_PER_STANDARD = 6
RESULT_WEIGHTS = (("met", 0.78), ("not_met", 0.17), ("na", 0.05))


def _colleagues() -> list:
    staff = Group.objects.get(name=STAFF)
    people = []
    for username, first, last in COLLEAGUES:
        user, created = get_user_model().objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@demo.example.com",
            },
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        user.groups.add(staff)
        people.append(user)
    return people


def _refresher(users, manager) -> None:
    held = set(TrackItem.objects.values_list("standard_id", flat=True))
    loose = [
        s
        for s in Standard.objects.published().with_current_version(criteria=False)
        if s.pk not in held
    ]
    if not loose or Track.objects.filter(name=REFRESHER).exists():
        return
    track = training_services.track_save(
        user=manager,
        name=REFRESHER,
        description="Standards every agent reads again once a year.",
        items=[{"standard": s, "due_offset_days": 14} for s in loose],
    )
    today = timezone.localdate()
    people = _colleagues()
    training_services.track_assign(
        track=track, users=people, start_date=today - timedelta(days=20), by=manager
    )
    # The first agent acknowledged every other one (those without a check); the rest is
    # overdue: the scorecard's "known" shows both.
    if people:
        for standard in loose[::2]:
            version = standard.current_version
            if version.training_questions.exists():
                continue
            if Acknowledgement.objects.filter(user=people[0], version=version).exists():
                continue
            training_services.acknowledgement_create(
                user=people[0],
                version=version,
                full_name=people[0].get_full_name() or people[0].username,
                confirmed=True,
                at=timezone.now() - timedelta(days=10),
            )


def _evaluations(users, manager) -> None:
    agents = [users[name] for name in AGENTS if name in users]
    if not agents:
        return
    now = timezone.now()
    existing = set(
        Evaluation.objects.filter(interaction_reference__startswith="QA-").values_list(
            "agent_id", "interaction_reference"
        )
    )
    for standard in Standard.objects.published().with_current_version(criteria=True):
        version = standard.current_version
        criteria = list(version.criteria.all())
        if not criteria:
            continue
        channels = list(standard.channels.all())
        rng = random.Random(standard.slug)  # noqa: S311 -- demo data, reproducible
        for n in range(EVALUATIONS_PER_STANDARD):
            agent = agents[n % len(agents)]
            reference = f"QA-{standard.pk}-{version.number}-{n + 1}"
            if (agent.pk, reference) in existing:
                continue
            results = rng.choices(
                [r for r, _w in RESULT_WEIGHTS], [w for _r, w in RESULT_WEIGHTS], k=len(criteria)
            )
            occurred = now - timedelta(days=2 + n * 9, hours=rng.randint(0, 6))
            if occurred <= version.published_at:  # a recent version: spread since it came out
                share = (n + 1) / (EVALUATIONS_PER_STANDARD + 1)
                occurred = version.published_at + (now - version.published_at) * share
            evaluation_create(
                evaluator=manager,
                agent=agent,
                version=version,
                answers=[
                    {"criterion": criterion, "result": result, "note": ""}
                    for criterion, result in zip(criteria, results, strict=True)
                ],
                interaction_reference=reference,
                occurred_at=occurred,
                channel=channels[n % len(channels)] if channels else None,
            )


def seed(*, users) -> None:
    """Demo data of this app. ``users`` maps demo usernames to users."""
    manager = users.get("manager")
    if manager is None:
        return
    _refresher(users, manager)
    _evaluations(users, manager)
