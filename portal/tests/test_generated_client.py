"""A Python client generated from the schema the running portal serves works as it is.

openapi-python-client is what many integrators use: the schema at ``/api/v1/schema/`` must give
a client whose every module imports, whose token is sent as ``Token <key>``, and whose calls come
back typed (a model for success, ``Error`` or ``FieldErrors`` for a refusal; any status the
schema does not list raises, since the client is made with ``raise_on_unexpected_status``).
"""

import datetime as dt
import importlib
import json
import pkgutil
import subprocess
import sys

import httpx
import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.authtoken.models import Token

from channels_app import services as channel_services
from sla import services as sla_services
from sla.models import Breach, Contact

PACKAGE = "portal_api_client"
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def generated(live_server, django_db_blocker, tmp_path_factory):
    """The client package generated from the live schema, imported; and the schema."""
    with django_db_blocker.unblock():
        answer = httpx.get(f"{live_server.url}/api/v1/schema/", params={"format": "json"})
    assert answer.status_code == 200, answer.text[:300]
    schema = answer.json()
    folder = tmp_path_factory.mktemp("client")
    (folder / "schema.json").write_text(json.dumps(schema))
    # No formatter run afterwards: the generated code is imported, not read.
    (folder / "config.json").write_text(json.dumps({"post_hooks": []}))
    done = subprocess.run(
        [
            *(sys.executable, "-m", "openapi_python_client", "generate"),
            *("--path", str(folder / "schema.json"), "--meta", "none"),
            *("--output-path", str(folder / PACKAGE), "--config", str(folder / "config.json")),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    # A warning means an operation or a model was left out of the client.
    assert done.returncode == 0 and "Warning" not in done.stdout + done.stderr, (
        done.stdout + done.stderr
    )
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE), schema
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def _module(name):
    return importlib.import_module(f"{PACKAGE}.{name}")


@pytest.fixture
def client_for(generated, live_server, transactional_db):
    """A generated client for the user, on the live server, with the user's real token."""

    def make(user, *, prefix="Token"):
        token, _ = Token.objects.get_or_create(user=user)
        return generated[0].AuthenticatedClient(
            base_url=live_server.url,
            token=token.key,
            prefix=prefix,
            raise_on_unexpected_status=True,
        )

    return make


def test_every_module_of_the_generated_client_imports(generated):
    package, schema = generated
    modules = [
        importlib.import_module(info.name)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{PACKAGE}.")
    ]
    operations = {
        operation["operationId"]
        for methods in schema["paths"].values()
        for method, operation in methods.items()
        if method in HTTP_METHODS
    }
    api_modules = {m.__name__.rsplit(".", 1)[1] for m in modules if f"{PACKAGE}.api." in m.__name__}
    # One module per operation, none missing; each has the four ways to call it.
    assert operations <= api_modules, operations - api_modules
    for name in operations:
        module = next(m for m in modules if m.__name__.endswith(f".{name}"))
        assert all(hasattr(module, f) for f in ("sync", "sync_detailed", "asyncio")), name
    models = _module("models")
    for component in ("SurveyResponse", "Error", "FieldErrors", "Contact", "Report"):
        assert hasattr(models, component), component
    # No component takes a name the generated package uses for itself.
    assert not {"Response", "Client", "AuthenticatedClient", "File", "Unset"} & set(
        schema["components"]["schemas"]
    )
    assert "Bearer" not in schema["components"]["securitySchemes"]["tokenAuth"]["description"]


def test_manager_sets_up_a_calendar_a_channel_and_a_policy(client_for, manager, integration_user):
    models = _module("models")
    calendars = _module("api.calendars.calendars_create")
    client = client_for(manager)

    calendar = calendars.sync(
        client=client,
        body=models.CalendarRequest(
            name="Office hours",
            timezone="Europe/Warsaw",
            hours=[
                models.OpeningIntervalRequest(weekday=day, start="09:00", end="17:00")
                for day in range(5)
            ]
            + [models.OpeningIntervalRequest(weekday=5, start="10:00", end="24:00")],
            holidays=[models.HolidayRequest(date=dt.date(2026, 12, 25), name="Christmas")],
        ),
    )
    assert isinstance(calendar, models.Calendar)
    assert [(h.weekday, h.start, h.end) for h in calendar.hours][-1] == (5, "10:00", "24:00")
    assert calendar.holidays[0].date == dt.date(2026, 12, 25)

    # The field errors come back typed, keyed by field name.
    refused = calendars.sync_detailed(
        client=client, body=models.CalendarRequest(name="Nowhere", timezone="Mars/Base")
    )
    assert refused.status_code == 400 and isinstance(refused.parsed, models.FieldErrors)
    assert "timezone" in refused.parsed.additional_properties

    channel = _module("api.channels.channels_create").sync(
        client=client,
        body=models.ChannelRequest(
            code="api-chat", name="API chat", kind=models.ChannelKindEnum.CHAT, calendar=calendar.id
        ),
    )
    assert isinstance(channel, models.Channel) and channel.calendar == calendar.id
    policy = _module("api.sla_policies.sla_policies_create").sync(
        client=client,
        body=models.SlaPolicyRequest(
            name="API chat",
            channel="api-chat",
            priority=None,
            first_response_minutes=30,
            resolution_minutes=240,
            business_hours=False,
        ),
    )
    assert isinstance(policy, models.SlaPolicy) and policy.priority is None
    listed = _module("api.channels.channels_list").sync(client=client)
    assert isinstance(listed, models.PaginatedChannelList)
    assert [c.code for c in listed.results] == ["api-chat"]

    # Refusals are typed too: an integration may not write calendars, a stranger gets 401,
    # and so does a client left on the generator's default "Bearer" prefix.
    forbidden = calendars.sync_detailed(
        client=client_for(integration_user), body=models.CalendarRequest(name="x", timezone="UTC")
    )
    assert forbidden.status_code == 403 and isinstance(forbidden.parsed, models.Error)
    assert forbidden.parsed.detail
    bearer = _module("api.channels.channels_list").sync_detailed(
        client=client_for(manager, prefix="Bearer")
    )
    assert bearer.status_code == 401 and isinstance(bearer.parsed, models.Error)
    assert not Contact.objects.exists()


def test_integration_pushes_contacts_and_reads_breaches_and_reports(client_for, integration_user):
    channel = channel_services.channel_create(code="chat", name="Chat", kind="chat")
    sla_services.sla_policy_create(
        name="Chat",
        channel=channel,
        priority=None,
        first_response_minutes=30,
        resolution_minutes=240,
        business_hours=False,
    )
    models = _module("models")
    contacts = _module("api.contacts.contacts_create")
    client = client_for(integration_user)
    now = timezone.now().replace(microsecond=0)

    late = models.ContactRequest(
        channel="chat",
        external_id="ZD-1",
        opened_at=now - dt.timedelta(hours=3),
        first_response_at=now - dt.timedelta(hours=2),
        customer_language=models.LanguageEnum.PL,
    )
    created = contacts.sync_detailed(client=client, body=late)
    assert created.status_code == 201 and isinstance(created.parsed, models.Contact)
    assert created.parsed.first_response_state == models.FirstResponseStateEnum.BREACHED
    again = contacts.sync_detailed(client=client, body=late)
    assert again.status_code == 200 and again.parsed.id == created.parsed.id

    bulk = _module("api.contacts.contacts_bulk_create").sync(
        client=client,
        body=[
            models.ContactRequest(
                channel="chat",
                external_id=f"ZD-{n}",
                opened_at=now - dt.timedelta(minutes=10),
                priority=models.PriorityEnum.HIGH,
            )
            for n in (2, 3)
        ],
    )
    assert isinstance(bulk, models.BulkResult)
    assert (bulk.created, bulk.existing, len(bulk.ids)) == (2, 0, 2)

    waiting = _module("api.contacts.contacts_partial_update").sync(
        bulk.ids[0],
        client=client,
        body=models.PatchedContactRequest(
            status=models.ContactStatusEnum.WAITING, event_at=now - dt.timedelta(minutes=5)
        ),
    )
    assert isinstance(waiting, models.Contact)
    assert waiting.status == models.ContactStatusEnum.WAITING
    assert waiting.resolution_state == models.ResolutionStateEnum.PAUSED
    bad = _module("api.contacts.contacts_partial_update").sync_detailed(
        bulk.ids[0],
        client=client,
        body=models.PatchedContactRequest(first_response_at=now - dt.timedelta(days=1)),
    )
    assert bad.status_code == 400 and isinstance(bad.parsed, models.FieldErrors)

    call_command("sla_sweep")
    breaches = _module("api.breaches.breaches_list").sync(client=client)
    assert isinstance(breaches, models.PaginatedBreachList)
    assert [(b.external_id, b.metric) for b in breaches.results] == [
        ("ZD-1", models.MetricEnum.FIRST_RESPONSE)
    ]
    assert breaches.results[0].agent is None
    assert Breach.objects.count() == 1

    period = {"from_": now.date() - dt.timedelta(days=1), "to": now.date(), "tz": "UTC"}
    report = _module("api.reports.reports_sla").sync(client=client, **period)
    assert isinstance(report, models.Report)
    assert [(r.key, r.contacts) for r in report.rows] == [("chat", 3)]
    assert report.total.key is None and report.total.first_response_breached == 1
    csv = _module("api.reports.reports_sla_csv").sync(
        client=client, group_by=models.GroupByEnum.PRIORITY, **period
    )
    assert isinstance(csv, str)
    lines = csv.strip().splitlines()
    assert lines[0].startswith("key,") and lines[0].endswith(",row_type")
    assert [line.split(",")[-1] for line in lines[1:]] == ["group", "group", "total"]

    channels = _module("api.channels.channels_list").sync(client=client)
    assert [c.code for c in channels.results] == ["chat"]
    assert Contact.objects.count() == 3
