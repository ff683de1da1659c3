"""The contacts list's tools: time to breach in words (en, ru, pl with real plurals), sorting by
a whitelist, the CSV of the filtered list, the import's check step and its landing page, the
dashboard's agent filter and the "breaches in the last 24 hours" card."""

import csv
import datetime as dt
import io
import itertools
import re
from contextlib import contextmanager
from xml.etree import ElementTree as ET

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real

from core.reports import charts
from core.reports.period import slot_ticks
from sla import contact_fields, durations, selectors, services
from sla.models import Breach, Contact, ContactImport
from sla.tests.conftest import warsaw
from sla.tests.factories import make_contact

pytestmark = pytest.mark.django_db

NOW = warsaw(2026, 3, 2, 12, 0)  # a Monday noon
LIST = reverse("sla:contact-list")
EXPORT = reverse("sla:contact-export")
IMPORT = reverse("sla:contact-import")
DASHBOARD = reverse("sla:report-dashboard")
CONTEXT = "time to breach"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


# -- time to breach in words ---------------------------------------------------------------------


def time_to_breach_text(seconds) -> str:
    """The words with plain spaces (a number and its unit are joined by a no-break space)."""
    return durations.time_to_breach_text(seconds).replace(durations.NBSP, " ")


def duration_text(seconds) -> str:
    return durations.duration_text(seconds).replace(durations.NBSP, " ")


def countdown_words() -> dict:
    words = durations.countdown_words()
    for unit, forms in words["units"].items():
        words["units"][unit] = {n: form.replace(durations.NBSP, " ") for n, form in forms.items()}
    return words


def test_a_number_and_its_unit_stay_on_one_line():
    with translation.override("en"):
        assert durations.time_to_breach_text(-100800) == "overdue by 1\u00a0d 4\u00a0h"
        assert durations.countdown_words()["units"]["h"]["2"] == "{n}\u00a0h"


@contextmanager
def catalogue(language: str, singular: dict[str, str], plural: dict[str, list[str]]):
    """Translations as the lead will add them (the catalogues are translated at the end), put in
    the loaded catalogue of ``language`` for the test, with that language's plural rule."""
    found = trans_real.translation(language)._catalog._catalogs[0]
    entries = dict(singular)
    for msgid, forms in plural.items():
        entries.update({(f"{CONTEXT}\x04{msgid}", i): form for i, form in enumerate(forms)})
    saved = {key: found[key] for key in entries if key in found}
    found.update(entries)
    try:
        with translation.override(language):
            yield
    finally:
        for key in entries:
            found.pop(key, None)
        found.update(saved)


RU = {
    "singular": {
        "%(duration)s left": "осталось %(duration)s",
        "overdue by %(duration)s": "просрочено на %(duration)s",
        "less than a minute": "меньше минуты",
    },
    "plural": {
        "%(count)s d": ["%(count)s день", "%(count)s дня", "%(count)s дней"],
        "%(count)s h": ["%(count)s ч", "%(count)s ч", "%(count)s ч"],
        "%(count)s min": ["%(count)s мин", "%(count)s мин", "%(count)s мин"],
    },
}
PL = {
    "singular": {
        "%(duration)s left": "zostało %(duration)s",
        "overdue by %(duration)s": "po terminie o %(duration)s",
        "less than a minute": "mniej niż minuta",
    },
    "plural": {
        "%(count)s d": ["%(count)s dzień", "%(count)s dni", "%(count)s dni"],
        "%(count)s h": ["%(count)s godz.", "%(count)s godz.", "%(count)s godz."],
        "%(count)s min": ["%(count)s min", "%(count)s min", "%(count)s min"],
    },
}


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (7500, "2 h 05 min left"),
        (7559, "2 h 05 min left"),  # seconds are dropped, never rounded up
        (600, "10 min left"),
        (59, "less than a minute left"),
        (-30, "overdue by less than a minute"),
        (-61, "overdue by 1 min"),
        (-100800, "overdue by 1 d 4 h"),
        (-86400 * 3, "overdue by 3 d"),
        (-(40 * 3600 + 45 * 60 + 7), "overdue by 1 d 16 h"),  # the old "-40:45:07"
    ],
)
def test_time_to_breach_in_english(seconds, text):
    with translation.override("en"):
        assert time_to_breach_text(seconds) == text


def test_russian_words_follow_the_russian_plural_rule():
    with catalogue("ru", **RU):
        assert time_to_breach_text(7500) == "осталось 2 ч 05 мин"
        assert time_to_breach_text(-100800) == "просрочено на 1 день 4 ч"
        assert duration_text(2 * 86400) == "2 дня"
        assert duration_text(5 * 86400) == "5 дней"
        assert duration_text(21 * 86400) == "21 день"
        assert duration_text(22 * 86400) == "22 дня"
        assert duration_text(11 * 86400) == "11 дней"
        assert time_to_breach_text(-10) == "просрочено на меньше минуты"
        words = countdown_words()
    # The script gets each unit for 1, 2, 5 and 0, one sample per plural category.
    assert words["units"]["d"] == {
        "1": "{n} день",
        "2": "{n} дня",
        "5": "{n} дней",
        "0": "{n} дней",
    }
    assert words["left"] == "осталось {duration}"
    assert words["overdue"] == "просрочено на {duration}"


def test_polish_words_follow_the_polish_plural_rule():
    with catalogue("pl", **PL):
        assert time_to_breach_text(7500) == "zostało 2 godz. 05 min"
        assert time_to_breach_text(-86400) == "po terminie o 1 dzień"
        assert duration_text(2 * 86400) == "2 dni"
        assert duration_text(22 * 86400 + 3600) == "22 dni 1 godz."
        words = countdown_words()
    assert words["units"]["d"] == {"1": "{n} dzień", "2": "{n} dni", "5": "{n} dni", "0": "{n} dni"}


def test_the_list_and_the_contact_page_say_it_in_words(manager_client, chat_policy):
    late = make_contact(
        channel=chat_policy.channel, external_id="LATE", opened_at=NOW - dt.timedelta(minutes=65)
    )
    for url in (LIST, reverse("sla:contact-detail", args=[late.pk])):
        html = manager_client.get(url).content.decode()
        assert re.search(r"data-sla-countdown[^>]*>overdue by 5\xa0min</time>", html), url
        assert 'id="sla-countdown-words"' in html
        assert "&quot;overdue by {duration}&quot;" in html  # the script's words, as JSON


# -- sorting -------------------------------------------------------------------------------------


@pytest.fixture
def spread(chat_policy, always_policy, staff_user, agent2):
    """Five contacts whose columns sort differently."""
    chat, always = chat_policy.channel, always_policy.channel
    rows = [
        ("C-3", chat, "low", staff_user, 50),
        ("A-1", always, "urgent", agent2, 40),
        ("E-5", chat, "high", None, 30),
        ("B-2", always, "normal", staff_user, 20),
        ("D-4", chat, "urgent", agent2, 10),
    ]
    return {
        external_id: make_contact(
            channel=channel,
            external_id=external_id,
            priority=priority,
            agent=agent,
            opened_at=NOW - dt.timedelta(minutes=minutes),
            now=NOW,
        )
        for external_id, channel, priority, agent, minutes in rows
    }


def _order(response) -> list[str]:
    return [c.external_id for c in response.context["contacts"]]


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        (None, ["D-4", "B-2", "E-5", "A-1", "C-3"]),  # newest first
        ("opened", ["C-3", "A-1", "E-5", "B-2", "D-4"]),
        ("external_id", ["A-1", "B-2", "C-3", "D-4", "E-5"]),
        ("-external_id", ["E-5", "D-4", "C-3", "B-2", "A-1"]),
        ("priority", ["C-3", "B-2", "E-5", "A-1", "D-4"]),  # low … urgent, ties by id
        ("-priority", ["D-4", "A-1", "E-5", "B-2", "C-3"]),
        ("agent", ["E-5", "C-3", "B-2", "A-1", "D-4"]),  # no agent first, then agent, agent2
        ("channel", ["A-1", "B-2", "C-3", "E-5", "D-4"]),  # "Around the clock" before "Chat"
        ("bogus", ["D-4", "B-2", "E-5", "A-1", "C-3"]),  # unknown: ignored, not a 500
        ("-", ["D-4", "B-2", "E-5", "A-1", "C-3"]),
        ("subject", ["D-4", "B-2", "E-5", "A-1", "C-3"]),  # a real field, but not sortable
    ],
)
def test_sort_whitelist(manager_client, spread, sort, order):
    response = manager_client.get(LIST, {"sort": sort} if sort else {})
    assert response.status_code == 200
    assert _order(response) == order


def test_sort_links_keep_filters_and_turn_the_order_round(manager_client, spread, chat_policy):
    response = manager_client.get(
        LIST, {"channel": chat_policy.channel.pk, "sort": "external_id", "page": "1"}
    )
    assert _order(response) == ["C-3", "D-4", "E-5"]
    links = response.context["sort_links"]
    assert links["external_id"]["order"] == "ascending"
    assert links["external_id"]["url"] == f"?channel={chat_policy.channel.pk}&sort=-external_id"
    assert links["opened"]["url"] == f"?channel={chat_policy.channel.pk}&sort=opened"
    assert links["opened"]["order"] == ""
    html = response.content.decode()
    assert 'aria-sort="ascending"' in html
    # The filter form keeps the order, the CSV link the filters and the order.
    assert '<input type="hidden" name="sort" value="external_id">' in html
    assert f'href="{EXPORT}?channel={chat_policy.channel.pk}&amp;sort=external_id"' in html


def test_pagination_keeps_sort_and_filters(manager_client, chat_policy):
    for n in range(55):
        make_contact(
            channel=chat_policy.channel,
            external_id=f"P-{n:02d}",
            opened_at=NOW - dt.timedelta(minutes=n + 1),
            now=NOW,
        )
    response = manager_client.get(LIST, {"sort": "-external_id", "q": "P-"})
    assert _order(response)[:2] == ["P-54", "P-53"]
    html = response.content.decode()
    assert 'href="?sort=-external_id&amp;q=P-&amp;page=2"' in html
    second = manager_client.get(LIST, {"sort": "-external_id", "q": "P-", "page": 2})
    assert _order(second) == ["P-04", "P-03", "P-02", "P-01", "P-00"]


def _many(chat, count, start=0):
    for n in range(start, start + count):
        make_contact(
            channel=chat, external_id=f"M-{n:03d}", opened_at=NOW - dt.timedelta(minutes=n + 1)
        )


@pytest.mark.parametrize("sort", ["-opened", "agent", "priority", "channel"])
def test_list_queries_do_not_grow_with_rows(
    manager_client, chat_policy, staff_user, sort, django_assert_num_queries
):
    _many(chat_policy.channel, 3)
    with django_assert_num_queries(7) as few:
        manager_client.get(LIST, {"sort": sort})
    _many(chat_policy.channel, 60, start=3)
    with django_assert_num_queries(len(few.captured_queries)):
        response = manager_client.get(LIST, {"sort": sort})
    assert len(response.context["contacts"]) == 50


# -- CSV export ----------------------------------------------------------------------------------


def _csv(response) -> list[list[str]]:
    assert response.streaming
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_export_has_the_filtered_sorted_list_and_neutralises_formulas(
    manager_client, spread, chat_policy
):
    make_contact(
        channel=chat_policy.channel,
        external_id="-1",
        subject='=HYPERLINK("http://evil.example","click")',
        opened_at=NOW - dt.timedelta(minutes=5),
        now=NOW,
    )
    response = manager_client.get(
        EXPORT, {"channel": chat_policy.channel.pk, "sort": "-external_id"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="contacts-')
    lines = _csv(response)
    assert lines[0][:4] == ["external_id", "channel", "priority", "subject"]
    assert [line[0] for line in lines[1:]] == ["E-5", "D-4", "C-3", "'-1"]
    formula = lines[-1]
    assert formula[3] == '\'=HYPERLINK("http://evil.example","click")'
    d4 = dict(zip(lines[0], lines[2], strict=True))
    assert d4["channel"] == "chat" and d4["priority"] == "urgent" and d4["agent"] == "agent2"
    assert dt.datetime.fromisoformat(d4["opened_at"]) == NOW - dt.timedelta(minutes=10)


def test_an_export_imports_again_as_it_was(
    manager_client, chat_policy, staff_user, settings, tmp_path
):
    """The export carries every outside field (``sla.contact_fields``): imported again, the
    contacts come back with the same values (the computed columns are ignored)."""
    settings.PORTAL_MEDIA_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path
    opened = NOW - dt.timedelta(hours=30)
    given = {
        "priority": "high",
        "subject": 'Parcel, late; "again"',
        "customer_name": "Zofia Żółć",
        "customer_email": "zofia@example.com",
        "customer_language": "pl",
        "agent": staff_user,
        "first_response_at": opened + dt.timedelta(hours=1),
        "resolved_at": opened + dt.timedelta(hours=2),
    }
    make_contact(channel=chat_policy.channel, external_id="X-1", opened_at=opened, now=NOW, **given)
    make_contact(
        channel=chat_policy.channel,
        external_id="X-2",
        opened_at=opened,
        status="waiting",
        now=NOW,
    )
    header = _csv(manager_client.get(EXPORT))[0]
    assert set(contact_fields.NAMES) <= set(header)
    exported = b"".join(manager_client.get(EXPORT).streaming_content)
    before = {c.external_id: c for c in Contact.objects.all()}
    Contact.objects.all().delete()
    job = services.contact_import_create(
        file=io.BytesIO(exported), file_name="contacts.csv", user=None, run=False
    )
    while services.contact_import_advance(import_id=job.pk) == "paused":
        pass
    services.contact_import_start(import_id=job.pk, run=False)
    while services.contact_import_advance(import_id=job.pk) == "paused":
        pass
    after = {c.external_id: c for c in Contact.objects.all()}
    assert after.keys() == before.keys() == {"X-1", "X-2"}
    for key, contact in after.items():
        for name in contact_fields.NAMES:
            assert getattr(contact, name) == getattr(before[key], name), (key, name)


def test_staff_export_only_their_own_contacts(staff_client, spread):
    lines = _csv(staff_client.get(EXPORT, {"sort": "external_id"}))
    assert [line[0] for line in lines[1:]] == ["B-2", "C-3"]


def test_export_queries_do_not_grow_with_rows(
    manager_client, chat_policy, django_assert_num_queries
):
    _many(chat_policy.channel, 3)
    with django_assert_num_queries(4) as few:
        lines = _csv(manager_client.get(EXPORT))
    assert len(lines) == 4
    _many(chat_policy.channel, 200, start=3)
    with django_assert_num_queries(len(few.captured_queries)):
        lines = _csv(manager_client.get(EXPORT))
    assert len(lines) == 204


def test_export_with_a_bad_filter_ignores_it(manager_client, spread):
    response = manager_client.get(EXPORT, {"channel": "nope", "opened_from": "yesterday"})
    assert response.status_code == 200
    assert len(_csv(response)) == 6


# -- import: the list shows exactly the rows an import created ---------------------------------


def test_imported_rows_are_listed_by_their_import(
    manager_client, chat_policy, staff_user, settings, tmp_path, django_capture_on_commit_callbacks
):
    """The job itself is tested in test_import.py; here the list's "this import" filter."""
    settings.MEDIA_ROOT = tmp_path
    make_contact(channel=chat_policy.channel, external_id="OLD-1", opened_at=NOW, now=NOW)
    data = (
        b"channel,external_id,opened_at,agent,subject\n"
        b"chat,NEW-1,2026-03-02T09:00:00+01:00,agent,Printer\n"
        b"chat,OLD-1,2026-03-02T11:00:00+01:00,,\n"
        b"chat,NEW-2,2026-03-02T11:30:00+01:00,,\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(
            IMPORT, {"file": SimpleUploadedFile("helpdesk.csv", data, content_type="text/csv")}
        )
    upload = ContactImport.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(reverse("sla:contact-import-start", args=[upload.pk]))
    upload.refresh_from_db()
    assert (upload.rows, upload.created, upload.existing) == (3, 2, 1)
    landing = manager_client.get(LIST, {"import_batch": upload.pk})
    assert sorted(_order(landing)) == ["NEW-1", "NEW-2"]  # not OLD-1, which was already there
    html = landing.content.decode()
    assert 'id="import-batch"' in html and "helpdesk.csv" in html


def test_unknown_import_batch_in_the_list_is_ignored(manager_client, spread):
    for value in ("abc", "0", "99999999999999999999999"):
        response = manager_client.get(LIST, {"import_batch": value})
        assert response.status_code == 200
    assert not manager_client.get(LIST, {"import_batch": "424242"}).context["contacts"]


# -- dashboard: agent filter and the 24-hour card ------------------------------------------------


def test_dashboard_filtered_by_agent(manager_client, always_policy, staff_user, agent2):
    always = always_policy.channel
    for n, agent in enumerate([staff_user, staff_user, agent2]):
        opened = NOW - dt.timedelta(days=1, minutes=n)
        make_contact(
            channel=always,
            external_id=f"AG-{n}",
            agent=agent,
            opened_at=opened,
            first_response_at=opened + dt.timedelta(minutes=90 if agent == agent2 else 10),
        )
    everyone = manager_client.get(DASHBOARD).context["report"]
    assert everyone["total"]["contacts"] == 3
    response = manager_client.get(DASHBOARD, {"period": "30", "agent": agent2.pk})
    report = response.context["report"]
    assert report["agent"] == agent2
    assert report["total"]["contacts"] == 1
    assert report["total"]["first_response_breached"] == 1
    (section,) = report["sections"]
    assert section.links["all"].endswith(f"agent={agent2.pk}")
    html = response.content.decode()
    assert 'id="report-agent"' in html
    assert f"agent={agent2.get_username()}" in response.context["period_query"]
    csv_response = manager_client.get(
        reverse("sla:report-dashboard-csv") + "?" + response.context["csv_query"]
    )
    total = next(line for line in _csv(csv_response) if line[0] == "total")
    assert total[3] == "1"
    # An agent that does not exist: a form error on the page, a 400 for the CSV.
    bad = manager_client.get(DASHBOARD, {"agent": "999999"})
    assert bad.status_code == 200 and bad.context["report"] is None
    assert "is-invalid" in bad.content.decode()
    assert (
        manager_client.get(reverse("sla:report-dashboard-csv"), {"agent": "x"}).status_code == 400
    )


def test_breaches_in_the_last_24_hours_count_by_due_time(manager, always_policy):
    always = always_policy.channel
    # Live: due an hour ago (opened 2 h ago, 60-minute target), flagged by the sweep.
    make_contact(channel=always, external_id="LIVE", opened_at=NOW - dt.timedelta(hours=2))
    # History imported now: due five days ago, detected now.
    make_contact(
        channel=always,
        external_id="HISTORY",
        opened_at=NOW - dt.timedelta(days=5),
        first_response_at=NOW - dt.timedelta(days=5) + dt.timedelta(hours=3),
        resolved_at=NOW - dt.timedelta(days=5) + dt.timedelta(hours=4),
        now=NOW,
    )
    services.sla_sweep(now=NOW)
    detected_today = Breach.objects.filter(detected_at__gte=NOW - dt.timedelta(hours=24))
    assert {b.contact.external_id for b in detected_today} == {"LIVE", "HISTORY"}
    figures = selectors.sla_figures(user=manager, now=NOW)
    assert figures["breached_24h"] == 1  # LIVE's first response only


# -- charts: titles, axis names, ticks that fit ---------------------------------------------------


def test_charts_show_title_axis_names_and_ticks_that_do_not_touch():
    days = [(dt.date(2026, 3, 1) + dt.timedelta(days=n)).isoformat() for n in range(31)]
    with translation.override("pl"):
        ticks = slot_ticks(days, "day")
    svg = charts.bar_chart(
        chart_id="b",
        title="Breaches: Chat",
        desc="d",
        labels=days,
        series=[("x", [1] * 31)],
        ticks=ticks,
        x_label="Day opened",
        y_label="Breaches",
    )
    root = ET.fromstring(str(svg))  # noqa: S314 -- our own markup
    ns = "{http://www.w3.org/2000/svg}"
    texts = {t.get("class"): t for t in root.iter(f"{ns}text")}
    assert texts["sla-chart__title"].text == "Breaches: Chat"
    names = [t.text for t in root.iter(f"{ns}text") if t.get("class") == "sla-chart__axis-label"]
    assert names == ["Day opened", "Breaches"]
    shown = [
        (float(t.get("x")), t.text)
        for t in root.iter(f"{ns}text")
        if t.get("class") == "sla-chart__tick" and t.get("text-anchor") == "middle"
    ]
    assert shown[0][1] == ticks[0] and ticks[0].startswith("1 ")
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(shown)]
    widest = max(len(text) for _, text in shown) * charts.TICK_CHAR_WIDTH
    assert min(gaps) >= widest  # labels never run into each other
    # The tooltips still name the slot by its date.
    assert root.find(f"{ns}rect/{ns}title").text == "2026-03-01: 1"
