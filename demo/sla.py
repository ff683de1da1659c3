"""Demo SLA policies and ~300 contacts of the last 30 days; ``seed_demo`` calls :func:`seed`.

Everything goes through the services, like any client. Idempotent: policies are created only
where a channel has none for that priority, contacts are keyed by ``DEMO-0001``... and a contact
already there is left as it is.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from channels_app.models import Channel
from sla import services
from sla.models import Contact, SlaPolicy
from sla.services.deadlines import clock_calendar, policies_for_channels, policy_pick

CONTACT_COUNT = 300
DAYS = 30

# code: (first response, resolution) in business minutes, then the same for urgent contacts.
TARGETS = {
    "phone": ((1, 30), (1, 15)),
    "chat": ((2, 60), (1, 30)),
    "email": ((240, 1440), (60, 480)),
    "social": ((60, 480), (30, 240)),
    "messenger": ((15, 240), (5, 120)),
    "office": ((10, 60), (5, 30)),
    # The channel codes the channels_app demo actually uses for social and messenger.
    "facebook": ((60, 480), (30, 240)),
    "instagram": ((60, 480), (30, 240)),
    "whatsapp": ((15, 240), (5, 120)),
}

CUSTOMERS = [
    ("Alice Brown", "en"),
    ("Jan Kowalski", "pl"),
    ("Ольга Смирнова", "ru"),
    ("Tom Evans", "en"),
    ("Zofia Wiśniewska", "pl"),
    ("Дмитрий Орлов", "ru"),
]
SUBJECTS = [
    "Order has not arrived",
    "Refund request",
    "Cannot log in",
    "Invoice correction",
    "Change of delivery address",
    "Product question",
]
PRIORITIES = [
    *[Contact.Priority.NORMAL] * 15,
    *[Contact.Priority.LOW] * 2,
    *[Contact.Priority.HIGH] * 2,
    Contact.Priority.URGENT,
]


def _policies(channels: list[Channel]) -> None:
    existing = set(SlaPolicy.objects.active().values_list("channel_id", "priority"))
    for channel in channels:
        (first, resolve), (urgent_first, urgent_resolve) = TARGETS[channel.code]
        for priority, label, first_minutes, resolution_minutes in (
            (None, "standard", first, resolve),
            (Contact.Priority.URGENT, "urgent", urgent_first, urgent_resolve),
        ):
            if (channel.pk, priority) in existing:
                continue
            services.sla_policy_create(
                name=f"{channel.name}: {label}",
                channel=channel,
                priority=priority,
                first_response_minutes=first_minutes,
                resolution_minutes=resolution_minutes,
            )


def _contact(index: int, channels, policies, users, now) -> dict:
    """A plausible contact: most answered in time, some late, some still open or waiting."""
    rng = random.Random(index)  # noqa: S311 - demo data, the same contact on every run
    channel = channels[index % len(channels)]
    priority = rng.choice(PRIORITIES)
    policy = policy_pick(policies, channel.pk, priority)
    calendar = clock_calendar(policy, channel)
    start = now - timedelta(days=DAYS) + timedelta(minutes=rng.randrange(DAYS * 24 * 60))
    try:
        opened = calendar.next_opening(start) + timedelta(minutes=rng.randrange(0, 90))
    except ValueError:
        opened = start
    opened = min(opened, now - timedelta(minutes=5))
    name, language = rng.choice(CUSTOMERS)
    item = {
        "channel": channel,
        "external_id": f"DEMO-{index:04d}",
        "opened_at": opened,
        "priority": priority,
        "subject": rng.choice(SUBJECTS),
        "customer_name": name,
        "customer_email": f"customer{index}@example.com",
        "customer_language": language,
        "agent": users["agent"] if index % 2 else users["agent2"],
    }
    first_target = policy.first_response_minutes if policy else 60
    resolution_target = policy.resolution_minutes if policy else 480
    # 0.2–1.0 of the target mostly; one in five runs late.
    late = rng.random() < 0.2
    share = rng.uniform(1.05, 2.0) if late else rng.uniform(0.2, 0.95)
    responded = calendar.add_minutes(opened, first_target * share)
    if responded <= now:
        item["first_response_at"] = responded
    outcome = rng.random()
    settled = outcome < 0.7 or opened < now - timedelta(days=2)  # old ones are mostly done
    if settled and outcome < 0.95 and "first_response_at" in item:
        late = rng.random() < 0.15
        share = rng.uniform(1.05, 1.8) if late else rng.uniform(0.3, 0.95)
        resolved = calendar.add_minutes(opened, resolution_target * share)
        resolved = max(resolved, responded)
        if resolved <= now:
            item["resolved_at"] = resolved
    elif (outcome < 0.85 or outcome >= 0.97) and "first_response_at" in item:
        # Recent ones wait, and a few old ones that the customer never answered: on a weekend
        # no recent contact of an office channel has been answered yet.
        item["status"] = Contact.Status.WAITING
    return item


@transaction.atomic
def seed(*, users) -> None:
    """Policies for the demo channels, 300 contacts through the services, then one sweep."""
    channels = list(Channel.objects.with_related().filter(code__in=TARGETS).order_by("code"))
    if not channels:
        return
    _policies(channels)
    policies = policies_for_channels(c.pk for c in channels)
    now = timezone.now()
    items = [
        _contact(index, channels, policies, users, now) for index in range(1, CONTACT_COUNT + 1)
    ]
    services.contacts_bulk_create(items=items, now=now)
    services.sla_sweep(now=now)
