"""The review reminder in Russian and Polish. Russian DATE_FORMAT ends in "г.", which closes the
sentence by itself: the native reviewer found "13 декабря 2026 г.." at the end of the body."""

from datetime import date, timedelta

import pytest
from django.core import mail

from core.models import Profile
from core.testing import flush_outbox
from standards import services
from standards.models import Standard
from standards.tests.factories import make_published_standard

pytestmark = pytest.mark.django_db

REVIEW = date(2026, 12, 15)


@pytest.mark.parametrize(
    "language, sentence",
    [
        ("ru", "нужно пересмотреть через 14 дней, 15 декабря 2026 г.\n"),
        ("pl", "trzeba przejrzeć za 14 dni, 15 grudnia 2026.\n"),
    ],
)
def test_advance_review_reminder_ends_with_one_full_stop(manager, language, sentence):
    Profile.objects.create(user=manager, language=language)
    standard = make_published_standard(title="Greeting the customer", owner=manager)
    Standard.objects.filter(pk=standard.pk).update(next_review_date=REVIEW)
    assert services.review_reminders_send(today=REVIEW - timedelta(days=14)) == 1
    flush_outbox()
    [message] = mail.outbox
    assert sentence in message.body
    assert ".." not in message.body
