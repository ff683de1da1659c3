import datetime as dt

from django.utils import timezone

from channels_app.tests.factories import ChannelFactory
from conftest import make_user
from core.roles import STAFF
from quality.tests.factories import make_evaluation
from sla.tests.factories import SlaPolicyFactory, make_contact
from standards.tests.factories import StandardFactory
from surveys.models import Response
from training import services as training_services
from training.tests.conftest import acknowledge, publish


def build_world(manager, *, standards: int = 1, people: int = 3, prefix: str = "s"):
    """``standards`` published standards on one chat channel, in one track assigned to
    ``people`` staff; the first person acknowledged every standard; each standard has two
    evaluations (100 and a critical 0), the channel two contacts (one breached first
    response) and two answers (CSAT 5 and 1)."""
    now = timezone.now()
    channel = ChannelFactory(code=f"{prefix}-chat", name=f"{prefix} chat")
    SlaPolicyFactory(channel=channel, first_response_minutes=10, business_hours=False)
    made = []
    for i in range(standards):
        standard = StandardFactory(title=f"{prefix} standard {i:02d}", slug=f"{prefix}-std-{i:02d}")
        standard.channels.add(channel)
        version = publish(standard, manager=manager, at=now - dt.timedelta(days=10))
        made.append((standard, version))
    track = training_services.track_save(
        user=manager,
        name=f"{prefix} track",
        items=[{"standard": s, "due_offset_days": 3} for s, _v in made],
    )
    users = [
        make_user(f"{prefix}-agent{n}", STAFF, first_name=f"Agent{n}", last_name=prefix)
        for n in range(people)
    ]
    training_services.track_assign(
        track=track, users=users, start_date=timezone.localdate(), by=manager
    )
    for _standard, version in made:
        acknowledge(users[0], version)
        make_evaluation(version=version, agent=users[0], evaluator=manager, results="MM")
        make_evaluation(version=version, agent=users[-1], evaluator=manager, results="NN")
    opened = now - dt.timedelta(hours=5)
    make_contact(
        channel=channel, opened_at=opened, first_response_at=opened + dt.timedelta(minutes=5)
    )
    make_contact(
        channel=channel, opened_at=opened, first_response_at=opened + dt.timedelta(minutes=50)
    )
    Response.objects.create(channel=channel, csat=5, nps=10, created_at=now - dt.timedelta(hours=1))
    Response.objects.create(channel=channel, csat=1, nps=3, created_at=now - dt.timedelta(hours=1))
    return {"channel": channel, "standards": made, "users": users, "track": track}
