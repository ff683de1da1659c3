"""The onboarding matrix CSV neutralises cells a spreadsheet would run as a formula (names and
usernames come from imports and the admin), while the progress stays a number."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from core.roles import STAFF
from training import services
from training.tests.conftest import acknowledge

pytestmark = pytest.mark.django_db


def test_matrix_csv_quotes_hostile_names_and_keeps_progress(
    manager_client, manager, track, standard_a
):
    people = [
        make_user("+1", STAFF, first_name='=HYPERLINK("http://x")'),
        make_user("-1+2", STAFF, first_name="@SUM(1)"),
        make_user("plain", STAFF, first_name="-2", last_name="Minus"),
    ]
    services.track_assign(track=track, users=people, start_date=timezone.localdate(), by=manager)
    acknowledge(people[0], standard_a.current_version)

    response = manager_client.get(reverse("training:matrix"), {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="onboarding-matrix.csv"'
    lines = list(csv.reader(io.StringIO(response.getvalue().decode())))
    assert lines[0][:3] == ["Username", "Name", "Progress (%)"]
    rows = {line[0]: line for line in lines[1:]}
    assert rows["'+1"][1:3] == ['\'=HYPERLINK("http://x")', "50"]  # one of two acknowledged
    assert rows["'-1+2"][1:3] == ["'@SUM(1)", "0"]
    # A name that looks like a number is text, quoted; the progress beside it is a number.
    assert rows["plain"][1:3] == ["'-2 Minus", "0"]


def test_matrix_csv_speaks_the_readers_language(client, manager, track, standard_a):
    """States and dates follow the manager's language, as the headers do."""
    from core.preferences import set_preferred_language

    person = make_user("ola", STAFF, first_name="Ola")
    start = timezone.localdate()
    services.track_assign(track=track, users=[person], start_date=start, by=manager)
    set_preferred_language(manager, "pl")
    client.force_login(manager)

    response = client.get(reverse("training:matrix"), {"format": "csv"})
    lines = list(csv.reader(io.StringIO(response.getvalue().decode())))
    assert lines[0][:2] == ["Nazwa użytkownika", "Imię i nazwisko"]
    row = {line[0]: line for line in lines[1:]}["ola"]
    dues = [start + timezone.timedelta(days=d) for d in (3, 7)]
    assert sorted(row[3:5]) == sorted(f"do zrobienia, w. 1, termin {d:%d.%m.%Y}" for d in dues)
