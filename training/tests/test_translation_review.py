"""The onboarding pages as a Russian or Polish reader sees them (the native reviewer's findings):
percentages with a no-break space, a real plural for a track item's days, the result of a failed
check (not "Error"), a person's name in the matrix CSV, the acknowledgement date in one sentence."""

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from core.models import Profile
from training import services
from training.tests.conftest import acknowledge, wrong_answers

pytestmark = pytest.mark.django_db

NBSP = "\N{NO-BREAK SPACE}"


def _speaks(user, language):
    Profile.objects.update_or_create(user=user, defaults={"language": language})


def _signed_in(client, user, language):
    """The session takes the person's language at sign-in, so choose it first."""
    _speaks(user, language)
    client.force_login(user)
    return client


def _ack_url(standard):
    return reverse(
        "training:acknowledge",
        kwargs={"slug": standard.slug, "number": standard.current_version.number},
    )


@pytest.mark.parametrize(
    "language, needs, half",
    [
        ("ru", f"нужно набрать 80{NBSP}%, у вас осталось 3 попытки", f"Результат 50{NBSP}% ниже"),
        ("pl", f"potrzebujesz 80{NBSP}% i masz jeszcze 3 próby", f"Wynik 0{NBSP}% jest poniżej"),
    ],
)
def test_check_percentages_keep_a_no_break_space(
    client, assigned, standard_b, language, needs, half
):
    _speaks(assigned, language)
    client.force_login(assigned)
    page = client.get(_ack_url(standard_b)).content.decode()
    assert needs in page
    version = standard_b.current_version
    wrong = {f"q{k}": v[0] for k, v in wrong_answers(version).items()}
    if language == "ru":  # one right answer of two: 50 %
        first = next(iter(wrong))
        right = version.training_questions.get(pk=first[1:]).choices.get(is_correct=True)
        wrong[first] = str(right.pk)
    followed = client.post(_ack_url(standard_b), {**wrong, "check": "1"}, follow=True)
    assert half in followed.content.decode()


@pytest.mark.parametrize(
    "language, failed, days",
    [("ru", "Не пройдено", ["3 дня", "7 дней"]), ("pl", "Nie zaliczono", ["3 dni", "7 dni"])],
)
def test_manager_pages_say_failed_and_count_days(
    client, manager, assigned, standard_b, language, failed, days
):
    manager_client = _signed_in(client, manager, language)
    services.check_attempt_submit(
        user=assigned,
        version=standard_b.current_version,
        answers=wrong_answers(standard_b.current_version),
    )
    person = manager_client.get(reverse("training:person", args=["agent"])).content.decode()
    assert f"<td>0{NBSP}%</td>" in person
    assert failed in person and "Ошибка" not in person and "Niepowodzenie" not in person
    tracks = manager_client.get(reverse("training:tracks")).content.decode()
    for text in days:
        assert f"· {text}</li>" in tracks
    assert "дн." not in tracks and "dni: " not in tracks


@pytest.mark.parametrize(
    "language, header", [("ru", "Имя пользователя,Имя,"), ("pl", ",Imię i nazwisko,")]
)
def test_matrix_csv_names_the_persons_name(client, manager, assigned, language, header):
    response = _signed_in(client, manager, language).get(
        reverse("training:matrix"), {"format": "csv"}
    )
    body = b"".join(response.streaming_content)
    first_line = body.decode("utf-8-sig").splitlines()[0]
    assert header in first_line
    assert "Название" not in first_line and "Nazwa," not in first_line


@pytest.mark.parametrize(
    "language, sentence",
    [
        ("ru", "Вы подтвердили ознакомление с этой версией {date}."),
        ("pl", "Zapoznanie się z tą wersją potwierdzono {date}."),
    ],
)
def test_acknowledged_on_is_one_sentence(client, assigned, standard_a, language, sentence):
    record, _created = acknowledge(assigned, standard_a.current_version)
    _speaks(assigned, language)
    client.force_login(assigned)
    page = client.get(_ack_url(standard_a)).content.decode()
    with translation.override(language):
        when = date_format(timezone.localtime(record.acknowledged_at), "SHORT_DATETIME_FORMAT")
    assert sentence.format(date=when) in page
