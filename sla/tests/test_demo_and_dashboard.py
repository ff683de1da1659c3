"""Demo data through the services (idempotent), and the dashboard card."""

import pytest
from django.db.models import Count

from demo import channels as channels_demo
from demo import sla as demo
from demo import users as portal_demo
from sla import services
from sla.models import Breach, Contact, SlaPolicy
from sla.tests.conftest import warsaw
from sla.tests.factories import make_contact

pytestmark = pytest.mark.django_db


def test_demo_seed_is_idempotent_and_varied():
    users = portal_demo.seed_users()
    channels_demo.seed(owner=users["manager"])
    demo.seed(users=users)
    counts = (Contact.objects.count(), SlaPolicy.objects.count(), Breach.objects.count())
    assert counts[0] == demo.CONTACT_COUNT
    demo.seed(users=users)
    assert (Contact.objects.count(), SlaPolicy.objects.count(), Breach.objects.count()) == counts
    chat = SlaPolicy.objects.get(channel__code="chat", priority=None)
    assert (chat.first_response_minutes, chat.resolution_minutes) == (2, 60)
    assert (
        SlaPolicy.objects.get(channel__code="chat", priority="urgent").first_response_minutes == 1
    )
    email = SlaPolicy.objects.get(channel__code="email", priority=None)
    assert (email.first_response_minutes, email.resolution_minutes) == (240, 1440)
    states = dict(
        Contact.objects.values_list("first_response_state").annotate(n=Count("id")).order_by()
    )
    assert states.get("met", 0) > states.get("breached", 0) > 0
    statuses = set(Contact.objects.values_list("status", flat=True))
    assert statuses == {"open", "waiting", "resolved"}
    assert set(Contact.objects.values_list("agent__username", flat=True)) == {"agent", "agent2"}
    assert Contact.objects.filter(external_id="DEMO-0001").exists()


def test_demo_seed_without_channels_does_nothing():
    demo.seed(users=portal_demo.seed_users())
    assert not Contact.objects.exists()


def test_dashboard_card_counts_what_the_user_may_see(
    client, manager, staff_user, agent2, chat, chat_policy
):
    make_contact(channel=chat, opened_at=warsaw(2026, 3, 2, 10, 0), agent=staff_user)
    make_contact(channel=chat, opened_at=warsaw(2026, 3, 2, 10, 0), agent=agent2)
    services.sla_sweep()
    client.force_login(manager)
    page = client.get("/").content.decode()
    assert 'id="sla-card"' in page
    assert 'id="sla-open">2<' in page
    client.force_login(staff_user)
    page = client.get("/").content.decode()
    assert 'id="sla-open">1<' in page


@pytest.mark.parametrize("model", ["slapolicy", "contact", "breach", "slanotification"])
def test_admin_shows_but_never_changes(admin_client, chat, chat_policy, model):
    make_contact(channel=chat, opened_at=warsaw(2026, 3, 2, 10, 0))
    services.sla_sweep()
    assert admin_client.get(f"/admin/sla/{model}/").status_code == 200
    assert admin_client.get(f"/admin/sla/{model}/add/").status_code == 403
