"""Demo QA evaluations for ``seed_demo``: a handful of interactions of the demo staff members,
judged by the demo manager against the published demo standards.

Written through the service, like a manager would. Results are given per criterion in the
order of the published version: ``M`` met, ``N`` not met, ``A`` not applicable (a missing
position counts as met). One evaluation misses a critical criterion (score 0) and one is older
than the 90 days "My service" looks at. The agent accepted one and disputes another (waiting
for the manager to resolve it). Idempotent: an evaluation whose agent and reference
exist already is left alone; agents missing from ``users`` are skipped.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from channels_app.models import Channel
from quality import services
from quality.models import Evaluation, EvaluationItem
from standards.models import StandardVersion

Result = EvaluationItem.Result

#: The agents' answers: one accepted, one disputed (waiting for the manager to resolve it).
ANSWERS = {
    "CALL-20417": ("accept", ""),
    "CHAT-88213": (
        "dispute",
        "I did summarise the request: it is my second message in the chat, before the solution.",
    ),
}
CODES = {"M": Result.MET, "N": Result.NOT_MET, "A": Result.NOT_APPLICABLE}

# reference, agent, standard slug, channel code, days ago, local time, results, comment, notes
EVALUATIONS = [
    (
        "CALL-20417",
        "agent",
        "greeting-the-customer",
        "phone",
        3,
        (10, 12),
        "MMAMM",
        "A warm, quick greeting with the company phrase. Nothing to add.",
        {},
    ),
    (
        "CHAT-88213",
        "agent",
        "active-listening",
        "chat",
        12,
        (14, 40),
        "MMNMM",
        "Good questions; summarise the request in your own words before you answer.",
        {3: "Went straight to the solution without a summary."},
    ),
    (
        "MAIL-5521",
        "agent",
        "what-happens-next-and-when",
        "email",
        45,
        (9, 5),
        "MMNN",
        "The next step is clear, but the customer was not told by when.",
        {3: "No date for the callback.", 4: "No case number given."},
    ),
    (
        "CALL-19002",
        "agent",
        "response-times-per-channel",
        "phone",
        120,
        (16, 20),
        "MNM",
        "",
        {},
    ),
    (
        "CALL-20611",
        "agent2",
        "greeting-the-customer",
        "phone",
        5,
        (11, 30),
        "NMAMM",
        "The call started without the company greeting, so the evaluation fails. "
        "The rest of the call was friendly and clear.",
        {1: "Started with “Yes?”."},
    ),
    (
        "CHAT-88400",
        "agent2",
        "empathy",
        "chat",
        20,
        (13, 15),
        "MMM",
        "Acknowledged the frustration first, then solved it. Well done.",
        {},
    ),
    (
        "CALL-20702",
        "agent2",
        "the-closing-question",
        "phone",
        60,
        (15, 45),
        "MNM",
        "",
        {2: "Ended the call without asking whether anything else was needed."},
    ),
    (
        "CHAT-88502",
        "newhire",
        "greeting-the-customer",
        "chat",
        2,
        (12, 0),
        "MMAMN",
        "A good start for the first week. Keep an eye on the response time.",
        {},
    ),
]


def _occurred_at(days_ago: int, hour_minute: tuple[int, int]):
    day = timezone.localtime() - timedelta(days=days_ago)
    hour, minute = hour_minute
    return day.replace(hour=hour, minute=minute, second=0, microsecond=0)


def seed(*, users) -> list[Evaluation]:
    """The demo evaluations that did not exist yet (none when ``users`` has no manager)."""
    manager = users.get("manager")
    if manager is None:
        return []
    wanted = [spec for spec in EVALUATIONS if spec[1] in users]
    existing = set(
        Evaluation.objects.filter(
            interaction_reference__in=[spec[0] for spec in wanted]
        ).values_list("agent__username", "interaction_reference")
    )
    versions = {
        v.standard.slug: v
        for v in StandardVersion.objects.filter(
            status=StandardVersion.Status.PUBLISHED,
            standard__slug__in={spec[2] for spec in wanted},
        ).select_related("standard")
    }
    channels = {c.code: c for c in Channel.objects.filter(code__in={s[3] for s in wanted})}
    created = []
    for reference, username, slug, code, days_ago, at, results, comment, notes in wanted:
        version = versions.get(slug)
        if version is None or (username, reference) in existing:
            continue
        criteria = list(version.criteria.order_by("order", "id"))
        answers = [
            {
                "criterion": criterion,
                "result": CODES[results[n - 1]] if n <= len(results) else Result.MET,
                "note": notes.get(n, ""),
            }
            for n, criterion in enumerate(criteria, start=1)
        ]
        channel = channels.get(code)
        if channel is not None and not version.standard.channels.filter(pk=channel.pk).exists():
            channel = None
        evaluation = services.evaluation_create(
            evaluator=manager,
            agent=users[username],
            version=version,
            answers=answers,
            interaction_reference=reference,
            occurred_at=_occurred_at(days_ago, at),
            channel=channel,
            comment=comment,
        )
        if reference in ANSWERS:
            action, text = ANSWERS[reference]
            answer = (
                services.evaluation_accept if action == "accept" else services.evaluation_dispute
            )
            answer(evaluation=evaluation, user=users[username], comment=text)
        created.append(evaluation)
    return created
