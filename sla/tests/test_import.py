"""The CSV import page: every rule, every error path, all or nothing."""

import datetime as dt

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sla import services
from sla.models import Breach, Contact, ContactImport
from sla.services import imports
from sla.tests.conftest import warsaw
from sla.tests.factories import make_contact
from sla.views import IMPORT_FAILED

pytestmark = pytest.mark.django_db

NOW = warsaw(2026, 3, 2, 12, 0)  # a Monday noon
URL = reverse("sla:contact-import")
HEADER = (
    "channel,external_id,priority,subject,customer_name,customer_email,customer_language,"
    "agent,opened_at,first_response_at,resolved_at,status"
)


@pytest.fixture(autouse=True)
def _agent(staff_user):
    """The rows name the agent "agent" (the staff_user fixture)."""
    return staff_user


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _row(external_id, *, opened="2026-03-02T10:00:00+01:00", response="", resolved="", **kw):
    cells = {
        "channel": "chat",
        "external_id": external_id,
        "priority": "normal",
        "subject": "Printer",
        "customer_name": "Jan Kowalski",
        "customer_email": "jan@example.com",
        "customer_language": "pl",
        "agent": "agent",
        "opened_at": opened,
        "first_response_at": response,
        "resolved_at": resolved,
        "status": "",
    }
    cells.update(kw)
    return ",".join(cells[name] for name in HEADER.split(","))


def _csv(*rows, header=HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def _check(client, data: bytes, name="export.csv"):
    """Step 1 only: upload and check."""
    return client.post(URL, {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


def _post(client, data: bytes, name="export.csv"):
    """Both steps, as a manager clicks through them: check, then import if the check allows."""
    response = _check(client, data, name)
    if response.status_code == 200 and response.context.get("upload"):
        return client.post(URL, {"upload": response.context["upload"].pk})
    return response


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def _errors(response) -> list[tuple]:
    """File-level problems, or the check's refused lines as (line, column, message)."""
    if response.context.get("import_errors"):
        return response.context["import_errors"]
    return [
        (line.line, column, message)
        for line in response.context["check"].of(imports.REFUSED)
        for column, message in line.problems
    ]


# -- success -----------------------------------------------------------------------------------


def test_page_documents_the_rules(manager_client):
    html = manager_client.get(URL).content.decode()
    assert 'enctype="multipart/form-data"' in html
    rules = html.split('id="import-rules"', 1)[1]
    assert "UTC offset" in rules
    assert "the header is line 1" in rules
    assert "10000" in rules


def test_import_creates_contacts_with_deadlines(manager_client, chat_policy, staff_user):
    data = _csv(
        _row("ZD-1"),
        _row("ZD-2", response="2026-03-02T10:10:00+01:00", resolved="2026-03-02T11:00:00+01:00"),
        _row("ZD-3", agent="", priority="High", status="waiting", response="2026-03-02T09:20:00Z"),
    )
    response = _post(manager_client, data)
    assert response.status_code == 302
    batch = ContactImport.objects.get()
    assert response.url == f"{reverse('sla:contact-list')}?import_batch={batch.pk}"
    assert _messages(response) == ["Imported 3 rows. New contacts: 3; already in the portal: 0."]
    contacts = {c.external_id: c for c in Contact.objects.all()}
    assert set(contacts) == {"ZD-1", "ZD-2", "ZD-3"}
    one = contacts["ZD-1"]
    assert one.agent == staff_user
    assert one.customer_language == "pl"
    assert one.sla_policy == chat_policy
    assert one.first_response_due_at == warsaw(2026, 3, 2, 11, 0)
    assert contacts["ZD-2"].status == "resolved"
    assert contacts["ZD-2"].first_response_minutes == 10
    assert not contacts["ZD-2"].notify  # imported resolved: judged, never notified
    assert contacts["ZD-3"].priority == "high"
    assert contacts["ZD-3"].resolution_state == "paused"
    assert contacts["ZD-3"].agent is None


def test_import_is_idempotent_and_counts_existing(manager_client, chat_policy):
    make_contact(channel=chat_policy.channel, external_id="ZD-1", opened_at=NOW, now=NOW)
    response = _post(manager_client, _csv(_row("ZD-1"), _row("ZD-2")))
    assert _messages(response) == ["Imported 2 rows. New contacts: 1; already in the portal: 1."]
    assert Contact.objects.count() == 2


def test_bom_semicolons_extra_columns_and_any_order(manager_client, chat_policy):
    text = (
        "\ufeffNotes;Opened_At;External_ID;Channel\n"
        "whatever;2026-03-02T09:00:00Z;SEMI-1;chat\n"
        "\n"
        'with ""quotes"";2026-03-02T09:30:00Z;SEMI-2;chat\n'
    )
    response = _post(manager_client, text.encode())
    assert _messages(response) == ["Imported 2 rows. New contacts: 2; already in the portal: 0."]
    assert set(Contact.objects.values_list("external_id", flat=True)) == {"SEMI-1", "SEMI-2"}


def test_offsets_beyond_what_postgresql_takes_are_stored_in_utc(manager_client, chat_policy):
    """ISO 8601 allows -18:02; PostgreSQL refuses offsets beyond ±15:59."""
    response = _post(manager_client, _csv(_row("FAR", opened="2026-03-01T15:58:00-18:02")))
    assert _messages(response) == ["Imported 1 row. New contacts: 1; already in the portal: 0."]
    assert Contact.objects.get().opened_at == dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


def test_a_nul_character_is_a_line_error_not_a_crash(manager_client, chat_policy):
    data = _csv(_row("OK-1"), _row("NUL-1", customer_name="Ann\x00a"), _row("OK-2"))
    response = _post(manager_client, data)
    assert response.status_code == 200
    assert "which cannot be stored" in response.content.decode()
    assert not Contact.objects.exists()


def test_late_imported_contact_is_breached_at_once(manager_client, chat_policy):
    _post(manager_client, _csv(_row("LATE", opened="2026-02-27T09:00:00+01:00")))
    contact = Contact.objects.get()
    assert contact.first_response_state == "breached"
    assert Breach.objects.filter(contact=contact).exists()


def test_large_file_goes_through_in_chunks(manager_client, chat_policy, monkeypatch):
    calls = []
    real = imports.contacts_bulk_create

    def spy(*, items, now):
        calls.append(len(items))
        return real(items=items, now=now)

    monkeypatch.setattr(imports, "contacts_bulk_create", spy)
    response = _post(manager_client, _csv(*[_row(f"BIG-{n}") for n in range(2100)]))
    assert _messages(response) == [
        "Imported 2100 rows. New contacts: 2100; already in the portal: 0."
    ]
    assert calls == [1000, 1000, 100] * 2  # the check, then the import: the same path
    assert Contact.objects.count() == 2100


# -- every row's errors, nothing written -------------------------------------------------------


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_imported(
    manager_client, chat_policy
):
    data = _csv(
        _row("OK-1"),  # line 2
        _row("BAD-1", channel="fax"),  # 3
        _row("BAD-2", opened="2026-03-02 10:00"),  # 4: naive
        _row("BAD-3", opened="yesterday"),  # 5
        _row("BAD-4", agent="ghost"),  # 6
        _row("BAD-5", priority="asap"),  # 7
        _row("BAD-6", response="2026-03-02T09:00:00+01:00"),  # 8: before opened
        _row("BAD-7", opened="2026-03-03T10:00:00+01:00"),  # 9: future
        _row("BAD-8", customer_email="not-an-email"),  # 10
        _row("", channel=""),  # 11: both required
        _row("OK-1"),  # 12: repeats line 2
        _row("BAD-9", status="resolved"),  # 13: resolved without resolved_at
    )
    response = _post(manager_client, data)
    assert response.status_code == 200
    assert _messages(response) == [str(IMPORT_FAILED)]
    errors = _errors(response)
    by_line = {}
    for line, column, message in errors:
        by_line.setdefault(line, []).append((column, message))
    assert sorted(by_line) == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]
    assert by_line[3] == [("channel", "There is no channel with the code “fax”.")]
    assert by_line[4][0][0] == "opened_at" and "no UTC offset" in by_line[4][0][1]
    assert by_line[5][0][0] == "opened_at" and "is not a date and time" in by_line[5][0][1]
    assert by_line[6] == [
        (
            "agent",
            "“ghost” is not an active staff member or manager; only they can be a contact's agent.",
        )
    ]
    assert by_line[7] == [("priority", "“asap” is not a valid choice.")]
    assert by_line[8] == [
        ("first_response_at", "This time is before the contact was opened (opened_at).")
    ]
    assert by_line[9] == [("opened_at", "This time is in the future.")]
    assert by_line[10][0][0] == "customer_email"
    assert {column for column, _ in by_line[11]} == {"channel", "external_id"}
    assert by_line[12] == [("external_id", "The same channel and external id as line 2.")]
    assert by_line[13] == [("resolved_at", "Give resolved_at for a resolved contact.")]
    html = response.content.decode()
    assert 'id="import-refused"' in html
    assert "There is no channel with the code “fax”." in html
    assert not Contact.objects.exists()


def test_error_in_a_late_chunk_rolls_back_the_earlier_chunks(manager_client, chat_policy):
    rows = [_row(f"C-{n}") for n in range(1500)]
    rows[1200] = _row("C-1200", opened="2026-03-09T10:00:00+01:00")  # future: line 1202
    response = _post(manager_client, _csv(*rows))
    assert [(line, column) for line, column, _ in _errors(response)] == [(1202, "opened_at")]
    assert not Contact.objects.exists()


def test_multiline_cell_keeps_spreadsheet_line_numbers(manager_client, chat_policy):
    data = _csv(
        _row("M-1", subject='"two\nlines"'),  # lines 2-3
        _row("M-2", channel="fax"),  # line 4
    )
    response = _post(manager_client, data)
    assert [line for line, _, _ in _errors(response)] == [4]


# -- the file as a whole -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The submitted file is empty."),
        (b"   \n\n", "The file is empty."),
        (HEADER.encode() + b"\n", "The file has a header row but no contacts."),
        (
            b"channel,subject\nchat,x\n",
            "The header row lacks the required column(s): external_id, opened_at.",
        ),
        (
            b"channel,external_id,opened_at,channel\nchat,1,2026-03-02T09:00:00Z,chat\n",
            "The header row names the column “channel” twice.",
        ),
        ("channel,external_id,opened_at\nczat,ąę,x\n".encode("cp1250"), "not UTF-8 text"),
    ],
)
def test_file_level_errors(manager_client, chat_policy, data, message):
    response = _post(manager_client, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Contact.objects.exists()


def test_too_many_rows(manager_client, chat_policy, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 3)
    response = _post(manager_client, _csv(*[_row(f"R-{n}") for n in range(4)]))
    assert _errors(response) == [
        (None, "", "The file has 4 rows; import at most 3 rows at a time.")
    ]
    assert not Contact.objects.exists()


def test_too_big_a_file_is_refused_before_reading(manager_client, chat_policy, monkeypatch):
    monkeypatch.setattr("sla.forms.MAX_BYTES", 2**20)
    response = _post(manager_client, _csv(_row("X-1"), _row("X-2")) + b" " * 2**20)
    assert response.status_code == 200
    assert "The file is larger than 1 MB" in response.content.decode()
    assert not Contact.objects.exists()


def test_service_refuses_too_big_data(chat_policy):
    with pytest.raises(services.ContactImportError) as exc:
        services.contacts_import_csv(data=b"x" * (imports.MAX_BYTES + 1))
    assert "larger than 5 MB" in exc.value.errors[0][2]


def test_no_file_is_a_form_error(manager_client):
    response = manager_client.post(URL, {})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]


def test_staff_cannot_import(staff_client, chat_policy):
    response = _post(staff_client, _csv(_row("S-1")))
    assert response.status_code == 403
    assert not Contact.objects.exists()


@pytest.mark.parametrize("rows", [3, 300])
def test_import_queries_do_not_grow_with_rows(
    manager_client, chat_policy, rows, django_assert_max_num_queries
):
    data = _csv(*[_row(f"Q-{n}") for n in range(rows)])
    with django_assert_max_num_queries(40):
        checked = _check(manager_client, data)
    with django_assert_max_num_queries(40):
        manager_client.post(URL, {"upload": checked.context["upload"].pk})
    assert Contact.objects.count() == rows
    assert dt.timedelta(0) < NOW - Contact.objects.first().opened_at
