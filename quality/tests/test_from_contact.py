"""Evaluating a contact straight from its page: the link (managers only, put there by quality
through ``core.hooks``), the choice of standard, and the form filled in from the contact."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quality.models import Evaluation
from sla.tests.factories import make_contact
from standards.tests.factories import ChannelFactory, StandardFactory, make_evaluable_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact(evaluable_version, staff_user):
    channel = evaluable_version.standard.channels.first()
    if channel is None:
        channel = ChannelFactory(code="phone")
        evaluable_version.standard.channels.add(channel)
    return make_contact(
        channel=channel,
        opened_at=timezone.now() - timedelta(hours=3),
        agent=staff_user,
        external_id="TICKET-77",
    )


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_contact_page_links_managers_to_evaluate(contact, manager, staff_user):
    url = reverse("sla:contact-detail", args=[contact.pk])
    link = reverse("quality:evaluate-contact", args=[contact.pk])
    assert link in _client(manager).get(url).content.decode()
    assert link not in _client(staff_user).get(url).content.decode()


def test_the_choice_lists_standards_of_the_channel(contact, evaluable_version, manager):
    elsewhere = make_evaluable_version(standard=StandardFactory(slug="elsewhere"))
    elsewhere.standard.channels.add(ChannelFactory(code="mail"))
    page = _client(manager).get(reverse("quality:evaluate-contact", args=[contact.pk]))
    body = page.content.decode()
    assert 'data-standard="greeting"' in body and 'data-standard="elsewhere"' not in body


def test_the_form_is_filled_in_from_the_contact(contact, evaluable_version, manager, staff_user):
    url = reverse("quality:evaluation-create", args=["greeting"]) + f"?contact={contact.pk}"
    response = _client(manager).get(url)
    form = response.context["form"]
    assert form.initial["interaction_reference"] == "TICKET-77"
    assert form.initial["agent"] == staff_user
    assert form.initial["channel"] == contact.channel
    assert form.initial["occurred_at"] <= contact.opened_at
    assert 'value="TICKET-77"' in response.content.decode()
    # A broken or foreign id just gives the empty form.
    for bad in ("x", "0", "99999999", "%00"):
        page = _client(manager).get(
            reverse("quality:evaluation-create", args=["greeting"]), {"contact": bad}
        )
        assert page.status_code == 200
        assert "interaction_reference" not in page.context["form"].initial
    assert not Evaluation.objects.exists()
