"""The CSV import as a background job: upload, check, import in chunks, resume, result."""

import csv
import datetime as dt
import gzip
import io
import os
import socket
from io import StringIO

import psycopg2
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.urls import reverse
from django.utils import translation

from conftest import make_user
from core.models import OutboxMessage
from core.roles import MANAGER
from sla import selectors, services
from sla.models import (
    Breach,
    Contact,
    ContactEvent,
    ContactImport,
    ContactImportLock,
    ContactImportProblem,
    ContactImportRange,
)
from sla.services import imports
from sla.tests.conftest import warsaw
from sla.tests.factories import make_contact

pytestmark = pytest.mark.django_db

NOW = warsaw(2026, 3, 2, 12, 0)  # a Monday noon
URL = reverse("sla:contact-import")
HEADER = (
    "channel,external_id,priority,subject,customer_name,customer_email,customer_language,"
    "agent,opened_at,first_response_at,resolved_at,status"
)
Status = ContactImport.Status


@pytest.fixture(autouse=True)
def _agent(staff_user):
    """The rows name the agent "agent" (the staff_user fixture)."""
    return staff_user


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


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


def _job(data: bytes, *, name="export.csv", user=None) -> ContactImport:
    """A checked job (the check run in-process, as the worker would)."""
    job = services.contact_import_create(
        file=io.BytesIO(data), file_name=name, user=user, run=False
    )
    _finish(job.pk)
    return ContactImport.objects.get(pk=job.pk)


def _finish(pk: int) -> None:
    while services.contact_import_advance(import_id=pk) == imports.PAUSED:
        pass


def _import(job: ContactImport) -> ContactImport:
    services.contact_import_start(import_id=job.pk, run=False)
    _finish(job.pk)
    return ContactImport.objects.get(pk=job.pk)


def check_errors(data: bytes) -> list[tuple[int, str, str]]:
    """The check's refused lines as (line, column, message), in line order."""
    job = _job(data)
    return [
        (line, column, message)
        for line, reasons in sorted(_problems(job, "check").items())
        for column, message in reasons
    ]


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Contact, ContactEvent, Breach, OutboxMessage)
    }


def _problems(job, phase) -> dict[int, list[tuple[str, str]]]:
    return {
        p.line: [tuple(r) for r in p.reasons]
        for p in ContactImportProblem.objects.filter(contact_import=job, phase=phase)
    }


def _snapshot() -> list[tuple]:
    """Every contact with its deadlines and timeline, independent of ids and of the job."""
    fields = (
        "channel__code",
        "external_id",
        "priority",
        "status",
        "agent__username",
        "opened_at",
        "first_response_at",
        "resolved_at",
        "first_response_due_at",
        "resolution_due_at",
        "first_response_state",
        "resolution_state",
        "notify",
        "created_at",
    )
    contacts = sorted(Contact.objects.values_list(*fields))
    events = sorted(ContactEvent.objects.values_list("contact__external_id", "kind", "at"))
    breaches = sorted(Breach.objects.values_list("contact__external_id", "metric"))
    return [contacts, events, breaches]


# -- the check: problems by line, nothing written ------------------------------------------------

BAD_FILE = (
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
    _row("OK-2", subject='"two\nlines"'),  # 14-15
    _row("BAD-10", channel="fax"),  # 16
)


def test_check_reports_problems_by_line_and_writes_nothing(chat_policy):
    make_contact(channel=chat_policy.channel, external_id="OK-2", opened_at=NOW, now=NOW)
    before = _counts()
    job = _job(_csv(*BAD_FILE))
    assert _counts() == before  # no contact, event, breach or email
    assert job.status == Status.CHECKED
    assert (job.rows, job.check_create, job.check_existing, job.check_refused) == (14, 1, 1, 12)
    assert job.channel_ids == [chat_policy.channel.pk]
    by_line = _problems(job, "check")
    assert sorted(by_line) == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 16]
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
    # The job's file is still there, for the import.
    assert job.file and job.file.storage.exists(job.file.name)


def test_check_keeps_the_first_problems_and_counts_all(chat_policy, settings):
    settings.CONTACT_IMPORT_PROBLEMS_KEPT = 3
    job = _job(_csv(*[_row(f"F-{n}", channel="fax") for n in range(10)]))
    assert job.check_refused == 10
    assert sorted(_problems(job, "check")) == [2, 3, 4]


@pytest.mark.parametrize(
    ("data", "message"),
    [
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
        (
            "channel,external_id,opened_at\nczat,ąę,x\n".encode("cp1250"),
            "Line 2 is not UTF-8 text",
        ),
        (b'channel,external_id,opened_at\nchat,"x' + b"y" * 140_000 + b'"\n', "not valid CSV"),
    ],
)
def test_file_level_problems_reject_the_upload(chat_policy, data, message):
    job = _job(data)
    assert job.status == Status.REJECTED
    assert message in job.error
    assert not job.file  # the file is dropped
    with pytest.raises(services.ContactImportError):
        services.contact_import_start(import_id=job.pk, run=False)


def test_a_line_without_end_is_refused_without_reading_it_whole(chat_policy, monkeypatch):
    monkeypatch.setattr(imports.reading, "MAX_LINE_BYTES", 1024)
    job = _job(_csv(_row("OK")) + b"x" * 5000)
    assert job.status == Status.REJECTED and "Line 3 is longer" in job.error


# -- the import: chunks, resume, one per channel -------------------------------------------------


def test_import_creates_valid_rows_and_lists_refused_ones(chat_policy, staff_user):
    make_contact(channel=chat_policy.channel, external_id="OK-2", opened_at=NOW, now=NOW)
    job = _import(_job(_csv(*BAD_FILE)))
    assert job.status == Status.DONE and job.imported_at == NOW
    assert (job.rows_done, job.created, job.existing, job.refused) == (14, 1, 1, 12)
    assert set(Contact.objects.values_list("external_id", flat=True)) == {"OK-1", "OK-2"}
    created = Contact.objects.get(external_id="OK-1")
    assert created.agent == staff_user
    assert list(selectors.contacts_of_import(Contact.objects.all(), job.pk)) == [created]
    assert sorted(_problems(job, "import")) == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 16]
    assert not ContactImportLock.objects.exists()
    assert not job.file  # the contacts are the record now


def test_a_refused_row_keeps_its_reasons_at_import(chat_policy, always_policy):
    """The only row naming a channel is refused for its time: the import must list the same
    reason, not also "no channel" (the job's channels used to be those of valid rows only)."""
    code = always_policy.channel.code
    job = _job(_csv(_row("OK-1"), _row("BAD-1", channel=code, opened="2026-03-02 10:00")))
    assert sorted(job.channel_ids) == sorted([chat_policy.channel.pk, always_policy.channel.pk])
    job = _import(job)
    assert job.created == 1 and job.refused == 1
    assert [column for column, _ in _problems(job, "import")[3]] == ["opened_at"]
    assert _problems(job, "import") == _problems(job, "check")


def test_import_of_history_does_not_alert(chat_policy):
    """A contact long overdue when imported is breached at once but never alerted."""
    job = _import(_job(_csv(_row("OLD", opened="2026-02-20T09:00:00+01:00"))))
    contact = Contact.objects.get()
    assert job.created == 1 and contact.first_response_state == "breached"
    assert Breach.objects.filter(contact=contact).exists()
    assert not OutboxMessage.objects.exists()


def test_chunked_import_equals_a_one_shot_import(chat_policy, settings):
    rows = [
        _row(f"C-{n:03d}", opened=f"2026-03-0{1 + n % 2}T09:{n % 60:02d}:00Z") for n in range(60)
    ]
    rows[17] = _row("C-017", channel="fax")
    rows[40] = rows[3]  # a repeat in another chunk: refused by the import
    data = _csv(*rows)
    settings.CONTACT_IMPORT_CHUNK_ROWS = 1000
    one = _import(_job(data))
    one_shot = _snapshot()
    Contact.objects.all().delete()
    settings.CONTACT_IMPORT_CHUNK_ROWS = 7
    chunked = _import(_job(data))
    assert _snapshot() == one_shot
    assert (
        (chunked.created, chunked.existing, chunked.refused)
        == (
            one.created,
            one.existing,
            one.refused,
        )
        == (58, 0, 2)
    )
    assert _problems(chunked, "import")[42] == [
        ("external_id", "The same channel and external id as an earlier line of this file.")
    ]


def test_a_job_interrupted_after_chunk_k_resumes_with_exactly_the_same_rows(
    chat_policy, monkeypatch, settings
):
    rows = [_row(f"R-{n:03d}", resolved="2026-03-02T10:30:00+01:00") for n in range(50)]
    rows[23] = _row("R-023", opened="soon")
    data = _csv(*rows)
    settings.CONTACT_IMPORT_CHUNK_ROWS = 10
    job = _job(data)
    services.contact_import_start(import_id=job.pk, run=False)
    # Two chunks commit; the third dies after its contacts were written (a killed worker).
    assert services.contact_import_advance(import_id=job.pk, max_chunks=2) == imports.PAUSED
    real = imports.passes.contacts_bulk_create

    def dies(**kwargs):
        real(**kwargs)
        raise SystemExit("worker killed")

    monkeypatch.setattr(imports.passes, "contacts_bulk_create", dies)
    with pytest.raises(SystemExit):
        services.contact_import_advance(import_id=job.pk)
    monkeypatch.setattr(imports.passes, "contacts_bulk_create", real)
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.created) == (Status.IMPORTING, 20, 20)
    assert Contact.objects.count() == 20  # the third chunk rolled back with its progress
    # Another worker finds the job held, until the lease runs out ("restart").
    assert services.contact_import_advance(import_id=job.pk) == imports.BUSY
    later = NOW + imports.LEASE + dt.timedelta(seconds=1)
    assert imports.contact_imports_stalled(now=later) == [job.pk]
    with time_machine.travel(later, tick=False):
        _finish(job.pk)
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.created, job.refused) == (Status.DONE, 50, 49, 1)
    resumed = _snapshot()
    # The same file imported in one go, from scratch, gives the same rows.
    Contact.objects.all().delete()
    with time_machine.travel(later, tick=False):
        again = _import(_job(data))
    assert again.created == 49
    assert [sorted((c[1], c[5:12]) for c in resumed[0])] == [
        sorted((c[1], c[5:12]) for c in _snapshot()[0])
    ]
    assert resumed[1:] == _snapshot()[1:]


def test_a_lease_of_a_dead_process_on_this_host_is_taken_over_at_once(chat_policy):
    job = _job(_csv(_row("D-1")))
    services.contact_import_start(import_id=job.pk, run=False)
    host = socket.gethostname()
    ContactImport.objects.filter(pk=job.pk).update(
        leased_by=f"{host}:999999999:dead", leased_until=NOW + imports.LEASE
    )
    assert imports.contact_imports_stalled() == [job.pk]
    _finish(job.pk)
    assert ContactImport.objects.get(pk=job.pk).status == Status.DONE


def test_one_import_at_a_time_per_channel(chat_policy, always_policy):
    first = _job(_csv(_row("A-1")))
    services.contact_import_start(import_id=first.pk, run=False)
    second = _job(_csv(_row("B-1"), _row("B-2", channel=always_policy.channel.code)))
    with pytest.raises(services.ContactImportError) as exc:
        services.contact_import_start(import_id=second.pk, run=False)
    assert "An import for the channel “chat” is running (“export.csv”)" in exc.value.message
    assert ContactImport.objects.get(pk=second.pk).status == Status.CHECKED
    other = _job(_csv(_row("O-1", channel=always_policy.channel.code)))
    services.contact_import_start(import_id=other.pk, run=False)  # another channel: fine
    _finish(first.pk)
    _finish(other.pk)
    assert _import(second).created == 2


def test_gzip_upload_is_read_like_the_plain_file(chat_policy):
    rows = [_row(f"G-{n}") for n in range(30)]
    job = _import(_job(gzip.compress(_csv(*rows)), name="export.csv.gz"))
    assert (job.rows, job.created) == (30, 30)


def test_gzip_import_resumes_from_its_offset(chat_policy, settings):
    settings.CONTACT_IMPORT_CHUNK_ROWS = 4
    job = _job(gzip.compress(_csv(*[_row(f"Z-{n}") for n in range(10)])))
    services.contact_import_start(import_id=job.pk, run=False)
    assert services.contact_import_advance(import_id=job.pk, max_chunks=1) == imports.PAUSED
    assert ContactImport.objects.get(pk=job.pk).offset > 0
    _finish(job.pk)
    assert sorted(Contact.objects.values_list("external_id", flat=True)) == sorted(
        f"Z-{n}" for n in range(10)
    )


def test_cancel_stops_the_import_and_frees_the_channel(chat_policy, settings):
    settings.CONTACT_IMPORT_CHUNK_ROWS = 2
    job = _job(_csv(*[_row(f"X-{n}") for n in range(6)]))
    services.contact_import_start(import_id=job.pk, run=False)
    services.contact_import_advance(import_id=job.pk, max_chunks=1)
    services.contact_import_cancel(import_id=job.pk)
    assert services.contact_import_advance(import_id=job.pk) == imports.BUSY
    assert Contact.objects.count() == 2
    assert not ContactImportLock.objects.exists()


# -- the pages ----------------------------------------------------------------------------------


def _upload(client, data: bytes, name="export.csv", capture=None):
    with capture(execute=True):
        return client.post(URL, {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


def test_pages_upload_check_import_result(
    manager_client, chat_policy, django_capture_on_commit_callbacks
):
    make_contact(channel=chat_policy.channel, external_id="OK-2", opened_at=NOW, now=NOW)
    before = _counts()
    response = _upload(manager_client, _csv(*BAD_FILE), capture=django_capture_on_commit_callbacks)
    job = ContactImport.objects.get()
    assert response.status_code == 302 and response.url == f"{URL}{job.pk}/"
    assert _counts() == before
    page = manager_client.get(response.url).content.decode()
    assert 'id="import-confirm"' in page and 'id="import-progress"' not in page
    assert "12 refused" in page and "There is no channel with the code “fax”." in page
    with django_capture_on_commit_callbacks(execute=True):
        started = manager_client.post(reverse("sla:contact-import-start", args=[job.pk]))
    assert started.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.created, job.existing, job.refused) == (Status.DONE, 1, 1, 12)
    page = manager_client.get(started.url).content.decode()
    assert 'id="import-result"' in page and "1 created" in page
    assert f"?import_batch={job.pk}" in page
    assert 'id="import-download"' in page
    listed = manager_client.get(reverse("sla:contact-list"), {"import_batch": job.pk})
    assert [c.external_id for c in listed.context["contacts"]] == ["OK-1"]
    assert URL in manager_client.get(URL).content.decode()  # listed under recent imports


def test_a_file_with_nothing_new_offers_no_import(
    manager_client, chat_policy, django_capture_on_commit_callbacks
):
    """Every valid row already stored: the page says so instead of offering to "import" them."""
    make_contact(channel=chat_policy.channel, external_id="OLD-1", opened_at=NOW, now=NOW)
    data = _csv(_row("OLD-1"), _row("BAD", opened="yesterday"))
    response = _upload(manager_client, data, capture=django_capture_on_commit_callbacks)
    job = ContactImport.objects.get()
    assert (job.check_create, job.check_existing, job.check_refused) == (0, 1, 1)
    page = manager_client.get(response.url).content.decode()
    assert 'id="import-confirm"' not in page
    assert 'id="import-nothing-new"' in page and "nothing new to import" in page
    assert 'id="import-refused-note"' not in page  # "the others are imported": there are none


def test_a_file_of_refused_rows_only_says_so(
    manager_client, chat_policy, django_capture_on_commit_callbacks
):
    """Nothing valid (rows of a known channel, all refused): no import, and not the claim that
    the valid rows are stored already."""
    data = _csv(_row("BAD-1", opened="yesterday"), _row("BAD-2", opened="tomorrow"))
    response = _upload(manager_client, data, capture=django_capture_on_commit_callbacks)
    job = ContactImport.objects.get()
    assert (job.check_create, job.check_existing, job.check_refused) == (0, 0, 2)
    page = manager_client.get(response.url).content.decode()
    assert 'id="import-confirm"' not in page and 'id="import-nothing-new"' not in page
    assert 'id="import-nothing-valid"' in page and "No row of this file can be imported." in page
    # On a phone the channel and the id head the reasons (their own columns are hidden).
    assert '<div class="d-md-none small text-body-secondary text-break">chat · BAD-1</div>' in page
    assert "Import</a>" in page  # the breadcrumb names the page (a noun)


def test_running_job_page_has_a_bar_that_works_without_script(manager_client, chat_policy):
    job = services.contact_import_create(
        file=io.BytesIO(_csv(_row("P-1"))),
        file_name="p.csv",
        user=ContactImport.objects.model._meta.apps.get_model("auth", "User").objects.get(
            username="manager"
        ),
        run=False,
    )
    page = manager_client.get(reverse("sla:contact-import-job", args=[job.pk])).content.decode()
    assert '<progress class="w-100" id="import-bar"' in page
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in page
    assert "sla/import_progress.js" in page and "<script>" not in page
    data = manager_client.get(reverse("sla:contact-import-progress", args=[job.pk])).json()
    assert data["running"] is True and data["status"] == "checking"
    assert {"value", "max", "percent", "rows", "rate", "seconds_left", "text"} <= set(data)


def test_another_manager_sees_none_of_my_imports(client, manager_client, chat_policy):
    _upload_job = services.contact_import_create(
        file=io.BytesIO(_csv(_row("M-1"))), file_name="m.csv", user=None, run=False
    )
    client.force_login(make_user("other-manager", MANAGER))
    for name in ("job", "progress", "refused"):
        response = client.get(reverse(f"sla:contact-import-{name}", args=[_upload_job.pk]))
        assert response.status_code == 404
    response = client.post(reverse("sla:contact-import-start", args=[_upload_job.pk]))
    assert response.status_code == 404


def test_staff_cannot_import(staff_client, chat_policy):
    response = staff_client.post(URL, {"file": SimpleUploadedFile("x.csv", _csv(_row("S-1")))})
    assert response.status_code == 403
    assert not ContactImport.objects.exists()


def test_too_big_a_file_is_a_form_error(manager_client, chat_policy, settings):
    settings.CONTACT_IMPORT_MAX_MB = 1
    response = manager_client.post(
        URL, {"file": SimpleUploadedFile("big.csv", _csv(_row("X")) + b" " * 2**20)}
    )
    assert response.status_code == 200
    assert "The file is larger than 1 MB" in response.content.decode()
    assert not ContactImport.objects.exists()


def test_refused_lines_download_defuses_hostile_cells(
    manager_client, chat_policy, django_capture_on_commit_callbacks
):
    data = _csv(
        _row('=HYPERLINK("http://evil.example")', channel="fax"),
        _row("+1", agent="@ghost"),
        _row("OK-1"),
    )
    _upload(manager_client, data, capture=django_capture_on_commit_callbacks)
    job = ContactImport.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(reverse("sla:contact-import-start", args=[job.pk]))
    response = manager_client.get(
        reverse("sla:contact-import-refused", args=[job.pk]), {"phase": "import"}
    )
    assert response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(StringIO(b"".join(response.streaming_content).decode())))
    assert lines[0][:3] == ["line", "reasons", "channel"]
    assert [line[0] for line in lines[1:]] == ["2", "3"]
    cells = dict(zip(lines[0], lines[1], strict=True))
    assert cells["external_id"] == '\'=HYPERLINK("http://evil.example")'
    assert cells["reasons"].startswith("channel: There is no channel")
    cells = dict(zip(lines[0], lines[2], strict=True))
    assert cells["external_id"] == "'+1" and cells["agent"] == "'@ghost"


@pytest.mark.parametrize("rows", [3, 300])
def test_job_page_queries_do_not_grow_with_rows(
    manager_client, chat_policy, rows, django_assert_max_num_queries
):
    job = ContactImport.objects.get(
        pk=_job(_csv(*[_row(f"Q-{n}", channel="fax") for n in range(rows)])).pk
    )
    ContactImport.objects.filter(pk=job.pk).update(
        created_by=ContactImport.objects.model._meta.apps.get_model("auth", "User").objects.get(
            username="manager"
        )
    )
    with django_assert_max_num_queries(12):
        response = manager_client.get(reverse("sla:contact-import-job", args=[job.pk]))
    assert response.status_code == 200


# -- the command ---------------------------------------------------------------------------------


def test_command_checks_only_without_writing(chat_policy, tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(_csv(_row("K-1"), _row("K-2", channel="fax")))
    out = StringIO()
    call_command("import_contacts", str(path), "--check-only", "--no-progress", stdout=out)
    assert "Checked 2 rows: 1 would be created, 0 already in the portal, 1 refused." in (
        out.getvalue()
    )
    assert "line 3: channel: There is no channel" in out.getvalue()
    assert not Contact.objects.exists()
    assert ContactImport.objects.get().status == Status.CANCELLED


def test_command_imports_with_a_progress_bar(chat_policy, tmp_path, capsys):
    path = tmp_path / "export.csv.gz"
    path.write_bytes(gzip.compress(_csv(*[_row(f"K-{n}") for n in range(12)])))
    out = StringIO()
    call_command("import_contacts", str(path), stdout=out)
    assert "Imported 12 rows: 12 created, 0 already in the portal, 0 refused" in out.getvalue()
    assert "100%" in capsys.readouterr().err
    assert Contact.objects.count() == 12


def test_command_refuses_a_bad_file_and_a_busy_channel(chat_policy, tmp_path, settings):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"channel,subject\nchat,x\n")
    with pytest.raises(CommandError, match="lacks the required column"):
        call_command("import_contacts", str(path), "--no-progress", stdout=StringIO())
    running = _job(_csv(_row("W-1")))
    services.contact_import_start(import_id=running.pk, run=False)
    path.write_bytes(_csv(_row("W-2")))
    with pytest.raises(CommandError, match="An import for the channel “chat” is running"):
        call_command("import_contacts", str(path), "--no-progress", stdout=StringIO())
    settings.CONTACT_IMPORT_MAX_MB = 1
    path.write_bytes(_csv(_row("W-3")) + b" " * 2**20)
    stored = set((tmp_path / "media").rglob("*"))
    with pytest.raises(CommandError, match="The file is larger than 1 MB"):
        call_command("import_contacts", str(path), "--no-progress", stdout=StringIO())
    assert set((tmp_path / "media").rglob("*")) == stored  # nothing left in storage
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_contacts", str(tmp_path / "missing.csv"), stdout=StringIO())


def test_a_zombie_holder_counts_as_gone():
    """A killed worker whose parent died too stays a zombie until reaped (a container's init may
    never reap it): its lease must still count as abandoned, or no restarted worker resumes."""
    import subprocess
    import time

    from sla.services.imports.lease import holder_gone

    child = subprocess.Popen(["true"])
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with open(f"/proc/{child.pid}/stat", "rb") as stat:
                if stat.read().rpartition(b")")[2].split()[0] == b"Z":
                    break
            time.sleep(0.01)
        assert holder_gone(f"{socket.gethostname()}:{child.pid}:abc")
    finally:
        child.wait()
    assert not holder_gone(f"{socket.gethostname()}:{os.getpid()}:abc")


def test_the_import_reads_ahead_in_the_uploaders_language_and_records_its_own_position(
    chat_policy, settings
):
    """The import reads the next chunk in a thread while one is written: the reasons it writes
    there are in the job's language, and a pause records where the chunk written ends, not
    how far the thread read."""
    settings.CONTACT_IMPORT_CHUNK_ROWS = 3
    rows = [_row(f"L-{n}") for n in range(9)]
    rows[4] = _row("L-4", opened="2026-03-02T10:00:00")  # no offset: refused at the import
    job = services.contact_import_create(
        file=io.BytesIO(_csv(*rows)), file_name="export.csv", language="pl", run=False
    )
    _finish(job.pk)
    services.contact_import_start(import_id=job.pk, run=False)
    assert services.contact_import_advance(import_id=job.pk, max_chunks=1) == imports.PAUSED
    job.refresh_from_db()
    assert (job.rows_done, job.line) == (3, 4)  # the header and three rows: line 5 is next
    _finish(job.pk)
    job = ContactImport.objects.get(pk=job.pk)
    assert (job.created, job.refused) == (8, 1)
    [(column, reason)] = _problems(job, "import")[6]
    naive = {"value": "2026-03-02T10:00:00"}
    with translation.override("pl"):
        polish = str(imports.rows.MSG_NAIVE % naive)
    with translation.override("en"):
        english = str(imports.rows.MSG_NAIVE % naive)
    assert column == "opened_at"
    assert reason == polish != english


def test_a_job_released_between_slices_is_not_stalled_until_a_lease_has_passed(
    chat_policy, settings
):
    """Between two slices the job is released and its next message queued: the sweep must not
    send a second one (each copy would send itself again after every slice, for good). Only a
    job nobody took up for a lease's time is stalled (its message was lost)."""
    settings.CONTACT_IMPORT_CHUNK_ROWS = 2
    job = _job(_csv(*(_row(f"S-{n}") for n in range(6))))
    services.contact_import_start(import_id=job.pk, run=False)
    assert services.contact_import_advance(import_id=job.pk, max_chunks=1) == imports.PAUSED
    assert imports.contact_imports_stalled() == []
    later = NOW + imports.LEASE + dt.timedelta(seconds=1)
    assert imports.contact_imports_stalled(now=later) == [job.pk]


@pytest.mark.django_db(transaction=True)
def test_a_chunk_run_again_after_a_deadlock_records_each_reason_once(
    chat_policy, monkeypatch, settings
):
    """``retry_transient`` runs a chunk's transaction again after a deadlock: the reasons the
    first run found (a row the service refuses, a repeat of an earlier chunk's line) are
    recorded once, not once per run."""
    settings.CONTACT_IMPORT_CHUNK_ROWS = 3
    rows = [_row(f"D-{n}") for n in range(5)]
    rows[1] = _row("D-1", response="2026-03-02T09:00:00+01:00")  # before it was opened
    rows[4] = rows[0]  # a repeat of chunk 1's line, in chunk 2
    job = _job(_csv(*rows))
    services.contact_import_start(import_id=job.pk, run=False)
    real = imports.passes.contacts_bulk_create
    calls = []

    def deadlocks_once_a_chunk(**kwargs):
        result = real(**kwargs)  # raises BulkValidationError for the refused row first
        calls.append(len(kwargs["items"]))
        if len(calls) in (1, 3):
            error = OperationalError("deadlock detected")
            error.__cause__ = psycopg2.errors.DeadlockDetected("deadlock detected")
            raise error
        return result

    monkeypatch.setattr(imports.passes, "contacts_bulk_create", deadlocks_once_a_chunk)
    _finish(job.pk)
    job = ContactImport.objects.get(pk=job.pk)
    assert len(calls) == 4  # each chunk's transaction ran twice
    assert (job.created, job.existing, job.refused) == (3, 0, 2)
    problems = _problems(job, "import")
    assert [column for column, _ in problems[3]] == ["first_response_at"]
    assert problems[6] == [
        ("external_id", "The same channel and external id as an earlier line of this file.")
    ]


def test_the_contacts_of_an_import_are_one_range_per_run_of_ids(chat_policy, settings):
    """Chunks written one after another hold adjacent id ranges: the list of an import's
    contacts asks one range for them, not one per chunk (thousands for a large file)."""
    settings.CONTACT_IMPORT_CHUNK_ROWS = 2
    job = _import(_job(_csv(*(_row(f"G-{n}") for n in range(7)))))
    assert ContactImportRange.objects.filter(contact_import=job).count() == 4
    found = selectors.contacts_of_import(Contact.objects.all(), job.pk)
    assert str(found.query).count("BETWEEN") == 1
    assert found.count() == 7


@pytest.mark.parametrize(
    ("language", "seconds", "expected"),
    [
        ("en", 3900, "about 1\N{NO-BREAK SPACE}h 05\N{NO-BREAK SPACE}min left"),
        ("en", 45, "less than a minute left"),
        ("ru", 600, "осталось около 10\N{NO-BREAK SPACE}мин"),
        ("ru", 30, "осталось меньше минуты"),
        ("pl", 7260, "pozostało około 2\N{NO-BREAK SPACE}godz. 01\N{NO-BREAK SPACE}min"),
        ("pl", 5, "pozostała niecała minuta"),
    ],
)
def test_the_time_left_reads_as_the_portals_other_lengths_of_time(language, seconds, expected):
    from sla.views.imports import import_progress_text

    progress = selectors.ImportProgress(
        value=10, maximum=100, rows=10, total=100, rate=0.0, seconds_left=seconds
    )
    with translation.override(language):
        assert import_progress_text(progress).endswith(expected)


# Resolved two hours before NOW: a survey link would still be valid.
RECENT = {"response": "2026-03-02T10:10:00+01:00", "resolved": "2026-03-02T10:20:00+01:00"}


@pytest.fixture
def chat_survey(chat_policy):
    from surveys.models import Survey

    survey = Survey.objects.create(name="After chat", send_delay_minutes=0)
    survey.channels.set([chat_policy.channel])
    return survey


@pytest.mark.parametrize("invite", [False, True])
def test_survey_invitations_only_when_the_manager_asks(
    manager_client, chat_survey, django_capture_on_commit_callbacks, invite
):
    """Loading history writes to no customer unless the box is ticked; ticked, the recently
    resolved contacts get their invitations as pushed contacts do (older ones never)."""
    from surveys.models import Invitation

    old = {
        "opened": "2025-03-03T10:00:00+01:00",
        "response": "2025-03-03T10:10:00+01:00",
        "resolved": "2025-03-03T10:20:00+01:00",
    }
    data = _csv(_row("RECENT-1", **RECENT), _row("OLD-1", **old), _row("OPEN-1"))
    response = _upload(manager_client, data, capture=django_capture_on_commit_callbacks)
    job = ContactImport.objects.get()
    page = manager_client.get(response.url).content.decode()
    assert 'form="import-confirm" name="invite_customers"' in page
    assert "Send survey invitations for recently resolved contacts" in page
    with django_capture_on_commit_callbacks(execute=True):
        started = manager_client.post(
            reverse("sla:contact-import-start", args=[job.pk]),
            {"invite_customers": "on"} if invite else {},
        )
    job.refresh_from_db()
    assert (job.status, job.created, job.invite_customers) == (Status.DONE, 3, invite)
    invited = list(Invitation.objects.values_list("contact__external_id", flat=True))
    assert invited == (["RECENT-1"] if invite else [])
    page = manager_client.get(started.url).content.decode()
    wanted = "were invited to a survey" if invite else "No survey invitations were sent"
    assert wanted in page


def test_the_command_invites_only_when_told(tmp_path, chat_survey):
    from surveys.models import Invitation

    path = tmp_path / "history.csv"
    path.write_bytes(_csv(_row("QUIET-1", **RECENT)))
    call_command("import_contacts", str(path), "--no-progress", stdout=StringIO())
    assert not Invitation.objects.exists()
    path.write_bytes(_csv(_row("TOLD-1", **RECENT)))
    call_command(
        "import_contacts", str(path), "--no-progress", "--invite-customers", stdout=StringIO()
    )
    assert list(Invitation.objects.values_list("contact__external_id", flat=True)) == ["TOLD-1"]


def test_choices_in_any_case_and_refused_cells_as_given(chat_policy):
    """A choice in capitals ("High") is taken; a refused "Super" is kept (and downloaded) as
    written, so it can be found in the file."""
    job = _import(_job(_csv(_row("CASE-1", priority="High"), _row("CASE-2", priority="Super"))))
    assert (job.created, job.refused) == (1, 1)
    assert Contact.objects.get(external_id="CASE-1").priority == "high"
    problem = ContactImportProblem.objects.get(contact_import=job, phase="import")
    assert problem.cells["priority"] == "Super"
    assert problem.reasons == [["priority", "“Super” is not a valid choice."]]
