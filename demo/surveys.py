"""Demo surveys, an office kiosk and a few hundred responses over 90 days; idempotent.

Extra resolved contacts (``SVDEMO-0001``...) go through sla's services like any client; their
invitations are written by the same service the signal calls, "as of" each resolution, and
marked sent at the time the outbox would have sent them (no e-mail goes out for history).
Answers go through ``response_submit``, so low scores open follow-ups as in real life.
Which invitations get answered is decided by a generator seeded with the invitation's id, so a
second run answers nothing new.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from channels_app.models import Channel
from core.models import OutboxMessage
from sla import services as sla_services
from sla.models import Contact
from surveys import services
from surveys.models import FollowUp, Invitation, Kiosk, Survey

DEMO_CODES = ("phone", "chat", "email", "facebook", "instagram", "whatsapp", "office")
EXTRA_CONTACTS = 260
DAYS = 90
CUSTOMERS = [("Alice Brown", "en"), ("Jan Kowalski", "pl"), ("Ольга Смирнова", "ru")]
COMMENTS = {
    "high": ["Quick and friendly, thank you!", "Świetna obsługa.", "Всё отлично, спасибо."],
    "low": ["I had to explain everything twice.", "Długo czekałem.", "Ответа ждал слишком долго."],
}


def _surveys(channels) -> None:
    for channel in channels:
        survey, created = Survey.objects.get_or_create(
            name=f"After-contact survey: {channel.name}",
            defaults={"ask_ces": channel.code in ("chat", "email"), "send_delay_minutes": 60},
        )
        if created:
            survey.channels.set([channel])


def _extra_contacts(channels, users, now) -> None:
    rng = random.Random(7)  # noqa: S311 - demo data, not security
    agents = [users["agent"], users["agent2"]]
    items = []
    for index in range(1, EXTRA_CONTACTS + 1):
        opened = now - timedelta(days=DAYS) + timedelta(minutes=rng.randrange(0, (DAYS - 1) * 1440))
        name, language = rng.choice(CUSTOMERS)
        items.append(
            {
                "channel": rng.choice(channels),
                "external_id": f"SVDEMO-{index:04d}",
                "opened_at": opened,
                "first_response_at": opened + timedelta(minutes=rng.randrange(1, 30)),
                "resolved_at": opened + timedelta(minutes=rng.randrange(30, 600)),
                "customer_name": name,
                "customer_email": f"survey-customer{index}@example.com",
                "customer_language": language,
                "agent": agents[index % 2],
                "subject": "Demo contact",
            }
        )
    items = [i for i in items if i["resolved_at"] < now]
    sla_services.contacts_bulk_create(items=items, now=now)


def _scores(rng: random.Random, *, agent_bias: float) -> dict:
    mood = rng.random() + agent_bias
    if mood < 0.15:
        return {"csat": rng.choice([1, 2]), "nps": rng.randrange(0, 7), "mood": "low"}
    if mood < 0.35:
        return {"csat": 3, "nps": rng.choice([6, 7, 8]), "mood": "mid"}
    return {"csat": rng.choice([4, 5, 5]), "nps": rng.choice([8, 9, 10, 10]), "mood": "high"}


def _answer(invitations, now) -> None:
    for inv in invitations:
        rng = random.Random(inv.pk)  # noqa: S311 - demo data, not security
        if rng.random() > 0.55 or inv.sent_at is None:
            continue
        at = inv.sent_at + timedelta(minutes=rng.randrange(5, 3 * 1440))
        if at >= min(now, inv.expires_at):
            continue
        scores = _scores(rng, agent_bias=0.05 if inv.agent and inv.agent.username == "agent" else 0)
        comment = rng.choice(COMMENTS["low" if scores["mood"] == "low" else "high"])
        services.response_submit(
            invitation=inv,
            csat=scores["csat"] if inv.survey.ask_csat else None,
            nps=scores["nps"] if inv.survey.ask_nps else None,
            ces=(rng.randrange(4, 8) if scores["mood"] != "low" else 2)
            if inv.survey.ask_ces
            else None,
            comment=comment if rng.random() < 0.4 and inv.survey.ask_comment else "",
            now=at,
        )


@transaction.atomic
def seed(*, users) -> None:
    """Demo data of this app; idempotent. ``users`` maps demo usernames to users."""
    channels = list(Channel.objects.with_related().filter(code__in=DEMO_CODES).order_by("code"))
    if not channels:
        return
    now = timezone.now()
    _surveys(channels)
    office = next((c for c in channels if c.code == "office"), None)
    if office is not None:
        kiosk, created = Kiosk.objects.get_or_create(
            name="Office entrance", defaults={"channel": office, "min_interval_seconds": 10}
        )
        if created:
            rng = random.Random(11)  # noqa: S311 - demo data, not security
            for day in range(DAYS, 0, -2):
                score = rng.choice([2, 3, 4, 5, 5, 5])
                at = now - timedelta(days=day, hours=rng.randrange(0, 8))
                Kiosk.objects.filter(pk=kiosk.pk).update(last_response_at=None)
                services.kiosk_submit(kiosk=kiosk, csat=score, now=at)
    _extra_contacts(channels, users, now)

    demo_contacts = Contact.objects.filter(
        status=Contact.Status.RESOLVED, external_id__regex=r"^(SV)?DEMO-"
    )
    for contact in demo_contacts.filter(survey_invitations__isnull=True).order_by("resolved_at"):
        # "As of" the resolution, so throttling and link lifetimes behave as they did then.
        # Not one sending task per contact: what is still pending below is sent by the periodic
        # outbox run, so seeding puts a constant number of messages on the broker.
        services.invitations_create_for_contacts(
            contact_ids=[contact.pk], now=contact.resolved_at, enqueue=False
        )
    pending = Invitation.objects.filter(
        contact__in=demo_contacts, status=Invitation.Status.PENDING
    ).select_related("contact", "survey")
    for inv in pending:
        sent_at = inv.contact.resolved_at + timedelta(minutes=inv.survey.send_delay_minutes)
        if sent_at < now:
            Invitation.objects.filter(pk=inv.pk).update(
                status=Invitation.Status.SENT, sent_at=sent_at, scheduled_for=sent_at
            )
    answerable = Invitation.objects.filter(
        contact__in=demo_contacts, status=Invitation.Status.SENT
    ).select_related("survey", "agent")
    _answer(list(answerable), now)
    services.invitations_expire(now=now)
    # The history's emails went out back then: only today's stay in the outbox.
    OutboxMessage.objects.filter(
        kind__in=[services.INVITATION, services.FOLLOW_UP],
        status=OutboxMessage.Status.PENDING,
        created_at__lt=now - timedelta(hours=1),
    ).update(status=OutboxMessage.Status.SENT, sent_at=F("not_before"))
    # Older follow-ups were handled; the last two weeks' are still open.
    FollowUp.objects.open().filter(due_at__lt=now - timedelta(days=14)).update(
        closed_at=now - timedelta(days=10),
        closed_by=users["manager"],
        outcome="Called the customer back and apologised; resolved.",
    )
