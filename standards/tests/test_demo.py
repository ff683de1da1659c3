"""The demo standards book: 13 standards, criteria and situations, some with several versions."""

import pytest

from demo import standards as demo
from standards.models import Standard, StandardVersion
from standards.tests.factories import ChannelFactory

pytestmark = pytest.mark.django_db
Status = StandardVersion.Status


@pytest.fixture
def demo_channels():
    from channels_app.models import Channel

    return [
        ChannelFactory(code="phone", kind=Channel.Kind.PHONE),
        ChannelFactory(code="chat", kind=Channel.Kind.CHAT),
        ChannelFactory(code="email", kind=Channel.Kind.EMAIL),
        ChannelFactory(code="facebook", kind=Channel.Kind.SOCIAL),
        ChannelFactory(code="whatsapp", kind=Channel.Kind.MESSENGER),
        ChannelFactory(code="office", kind=Channel.Kind.OFFICE),
    ]


def test_seed_builds_the_book_and_is_idempotent(manager, demo_channels):
    created = demo.seed(users={"manager": manager})
    assert len(created) == 13
    assert Standard.objects.count() == 13
    assert demo.seed(users={"manager": manager}) == []
    assert Standard.objects.count() == 13

    for standard in Standard.objects.all():
        published = standard.versions.get(status=Status.PUBLISHED)
        assert published.body_html
        assert published.change_summary
        assert published.criteria.count() >= 3 or standard.slug == "the-closing-question"
        assert published.situations.exists()
        assert standard.owner == manager
        assert standard.next_review_date is not None
        assert standard.channels.exists()

    greeting = Standard.objects.get(slug="greeting-the-customer")
    assert list(greeting.versions.order_by("number").values_list("status", flat=True)) == [
        "archived",
        "archived",
        "published",
    ]
    assert greeting.channels.count() == 6  # "social" and "messenger" found by kind
    assert StandardVersion.objects.filter(status=Status.IN_REVIEW).count() == 1
    assert Standard.objects.filter(versions__number=2).count() >= 4
    # Review dates differ: some overdue, one due soon, which the dashboard and reminders show.
    from django.utils import timezone

    today = timezone.localdate()
    assert Standard.objects.filter(next_review_date__lt=today).count() == 2
    assert Standard.objects.filter(
        next_review_date__gte=today, next_review_date__lte=today + timezone.timedelta(days=14)
    ).exists()


def test_seed_skips_missing_channels(manager):
    demo.seed(users={"manager": manager})
    assert Standard.objects.count() == 13
    assert not Standard.objects.filter(channels__isnull=False).exists()


def test_greeting_criteria_are_measurable(manager, demo_channels):
    demo.seed(users={"manager": manager})
    texts = list(
        Standard.objects.get(slug="greeting-the-customer")
        .versions.get(status=Status.PUBLISHED)
        .criteria.values_list("text", flat=True)
    )
    assert "Greets within the first 5 seconds of the call, using the company greeting" in texts
