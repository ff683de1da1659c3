"""Demo data of onboarding: two tracks over the demo standards, a check on a few of them, and
staff at different stages ("agent" done, "agent2" halfway, "newhire" just started with one item
overdue). Idempotent: what exists is left alone."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from standards import services as standard_services
from standards.models import Standard, StandardVersion
from training import services
from training.models import Acknowledgement, Track

TRACKS = {
    "Chat agent onboarding": {
        "description": "What every chat agent reads in the first three weeks.",
        "items": [
            ("greeting-the-customer", 3),
            ("active-listening", 7),
            ("language-of-service", 10),
            ("response-times-per-channel", 14),
            ("the-closing-question", 21),
        ],
    },
    "Office staff onboarding": {
        "description": "For staff who meet customers in the office.",
        "items": [
            ("greeting-the-customer", 3),
            ("premises-and-appearance", 5),
            ("composure-in-a-conflict", 10),
            ("what-happens-next-and-when", 14),
        ],
    },
}

QUESTIONS = {
    "greeting-the-customer": [
        (
            "What do you do first when a customer contacts you?",
            "single",
            [("Greet them and introduce yourself", True), ("Ask for their order number", False)],
        ),
        (
            "Which of these belong in a greeting?",
            "multiple",
            [("Your first name", True), ("An offer to help", True), ("Your break times", False)],
        ),
    ],
    "the-closing-question": [
        (
            "Before closing a conversation you…",
            "single",
            [("Ask whether anything else is needed", True), ("Close it without a word", False)],
        ),
    ],
}

DEMO_IP = "192.0.2.10"
DEMO_AGENT = "Mozilla/5.0 (demo data)"


def _add_check(standard: Standard, questions, manager) -> None:
    """Questions are written with a version: a minor version that adds the check."""
    current = standard.current_version
    if current is None or current.training_questions.exists():
        return
    if standard.versions.filter(status__in=StandardVersion.OPEN_STATUSES).exists():
        return
    draft = standard_services.version_create_draft(
        standard=standard,
        user=manager,
        change_kind=StandardVersion.ChangeKind.MINOR,
        change_summary="Comprehension check added.",
    )
    for text, kind, choices in questions:
        services.question_create(version=draft, user=manager, text=text, kind=kind, choices=choices)
    standard_services.version_publish(version=draft, user=manager, allow_draft=True)


def _acknowledge(user, standard: Standard, *, days_ago: int) -> None:
    version = standard.current_version
    if version is None or Acknowledgement.objects.filter(user=user, version=version).exists():
        return
    if version.training_questions.exists():
        state = services.attempts_state(user=user, version=version)
        if not state["passed"]:
            answers = {
                str(q.pk): [str(c.pk) for c in q.choices.all() if c.is_correct]
                for q in version.training_questions.prefetch_related("choices")
            }
            services.check_attempt_submit(user=user, version=version, answers=answers)
    services.acknowledgement_create(
        user=user,
        version=version,
        full_name=user.get_full_name() or user.username,
        confirmed=True,
        ip_address=DEMO_IP,
        user_agent=DEMO_AGENT,
        at=timezone.now() - timedelta(days=days_ago),
    )


def seed(*, users):
    """Demo data of this app; idempotent. ``users`` maps demo usernames to users."""
    manager = users.get("manager")
    if manager is None:
        return
    by_slug = {s.slug: s for s in Standard.objects.all()}
    for slug, questions in QUESTIONS.items():
        if slug in by_slug:
            _add_check(by_slug[slug], questions, manager)
    tracks = {}
    for name, spec in TRACKS.items():
        items = [
            {"standard": by_slug[slug], "due_offset_days": days}
            for slug, days in spec["items"]
            if slug in by_slug and by_slug[slug].current_version is not None
        ]
        track = Track.objects.filter(name=name).first()
        if track is None:
            track = services.track_save(
                user=manager, name=name, description=spec["description"], items=items
            )
        tracks[name] = (track, [i["standard"] for i in items])
    today = timezone.localdate()
    chat, chat_standards = tracks["Chat agent onboarding"]
    office, office_standards = tracks["Office staff onboarding"]
    if agent := users.get("agent"):
        services.track_assign(
            track=chat, users=[agent], start_date=today - timedelta(days=40), by=manager
        )
        for standard in chat_standards:
            _acknowledge(agent, standard, days_ago=30)
    if agent2 := users.get("agent2"):
        services.track_assign(
            track=office, users=[agent2], start_date=today - timedelta(days=4), by=manager
        )
        for standard in office_standards[: len(office_standards) // 2]:
            _acknowledge(agent2, standard, days_ago=2)
    if newhire := users.get("newhire"):
        # Started five days ago: the 3-day item is overdue, the rest are still due.
        services.track_assign(
            track=chat, users=[newhire], start_date=today - timedelta(days=5), by=manager
        )
