"""Customer and staff survey texts as Russian and Polish readers see them: the expiry date of
the invitation email (genitive month, one full stop after the Russian "г."), scale labels that
do not assume the customer is a man, and the customer's comment in the language's own quotes."""

import pytest
from django.core import mail
from django.utils import timezone, translation
from django.utils.formats import date_format

from core.models import Profile
from core.testing import flush_outbox
from surveys import services
from surveys.models import Invitation
from surveys.tests.conftest import resolve

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "language, sentence",
    [("ru", "Ссылка действует до {date}\n"), ("pl", "Link jest ważny do {date}.\n")],
)
def test_invitation_email_gives_the_expiry_date_once_and_right(survey, chat, language, sentence):
    resolve(chat, email="client@example.com", language=language)
    flush_outbox()  # past the survey's send delay
    [message] = mail.outbox
    invitation = Invitation.objects.get()
    with translation.override(language):
        expires = date_format(timezone.localtime(invitation.expires_at), "DATE_FORMAT")
    assert expires.endswith("г." if language == "ru" else str(invitation.expires_at.year))
    assert sentence.format(date=expires) in message.body
    assert "г.." not in message.body


@pytest.mark.parametrize(
    "language, labels, wrong",
    [
        ("ru", ["Очень недовольны", "Очень довольны", "Точно порекомендую"], "Крайне вероятно"),
        ("pl", ["Bardzo źle", "Bardzo dobrze"], "Bardzo zadowolony"),
    ],
)
def test_scale_labels_do_not_assume_a_gender(client, survey, chat, language, labels, wrong):
    resolve(chat, language=language)
    html = client.get(f"/s/{Invitation.objects.get().token}/").content.decode()
    assert all(label in html for label in labels)
    assert wrong not in html


@pytest.mark.parametrize("language, quoted", [("ru", "«Спасибо!»"), ("pl", "„Dziękuję!”")])
def test_staff_card_quotes_the_comment_in_the_readers_language(
    client, survey, chat, staff_user, language, quoted
):
    resolve(chat, agent=staff_user)
    text = quoted[1:-1]
    services.response_submit(invitation=Invitation.objects.get(), csat=5, comment=text)
    Profile.objects.create(user=staff_user, language=language)
    client.force_login(staff_user)
    card = client.get("/").content.decode()
    card = card[card.index('id="satisfaction-card"') :]
    assert quoted in card and f"“{text}”" not in card
