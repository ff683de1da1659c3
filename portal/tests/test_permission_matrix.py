"""Who may open what: every URL pattern of the project (pages and API, format suffixes included),
requested with GET as anonymous, Staff, Integration and Manager, against a table of answers.

A pattern added without a row in ``EXPECTED`` fails (``test_every_url_pattern_has_a_row`` names
it), so a new page cannot ship without someone deciding who may see it. The objects the URLs
point at are built once for the module (``world``) and rolled back at its end.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from channels_app.tests.factories import BusinessCalendarFactory, ChannelFactory
from conftest import make_user
from core.roles import INTEGRATION, MANAGER, STAFF
from quality.tests.factories import make_evaluation
from sla.models import Breach, ContactImport
from sla.tests.factories import SlaPolicyFactory, make_contact
from standards.models import StandardVersion
from standards.tests.factories import StandardFactory, make_version
from surveys import services as survey_services
from surveys.models import Invitation, Survey
from training import services as training_services
from training.models import GroupRule
from training.tests.conftest import acknowledge, publish, right_answers

ROLES = ("anon", "staff", "integration", "manager")

#: Routes left out on purpose, with the reason.
SKIPPED_PREFIXES = {
    "admin/": "Django's admin: its own login and is_staff check, not the portal's roles",
}
SKIPPED_ROUTES = {
    "_errors/<int:code>/": "a developer's preview of the error pages, mounted only with DEBUG on",
}


# --- The patterns ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name"; a format-suffix variant shares its base pattern's name
    route: str
    params: frozenset[str]
    suffix: bool  # the ``.json``-style variant of a DRF pattern

    @property
    def id(self) -> str:
        return f"{self.name}.json" if self.suffix else self.name


def _params(pattern) -> set[str]:
    return set(pattern.pattern.regex.groupindex) | set(getattr(pattern.pattern, "converters", {}))


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from _walk(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            yield route, (namespace + pattern.name) if pattern.name else "", _params(pattern)


def project_routes() -> list[Route]:
    routes = {}
    for route, name, params in _walk(get_resolver().url_patterns):
        if route.startswith(tuple(SKIPPED_PREFIXES)) or route in SKIPPED_ROUTES:
            continue
        suffix = "format" in params
        key = Route(name or route, route, frozenset(params - {"format"}), suffix)
        routes[(key.name, suffix)] = key
    return sorted(routes.values(), key=lambda r: (r.name, r.suffix))


# --- The objects the URLs point at --------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """One of each kind of object, and a signed-in client per role; rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        w = _build_world()
        yield w
        transaction.set_rollback(True)


def _build_world() -> dict[str, Any]:
    now = timezone.now()
    manager = make_user("manager", MANAGER)
    staff = make_user("agent", STAFF, first_name="Adam", last_name="Agent")
    # The objects staff could own belong to a colleague: Staff must not open them.
    colleague = make_user("agent2", STAFF, first_name="Bea", last_name="Colleague")
    integration = make_user("helpdesk", INTEGRATION)

    calendar = BusinessCalendarFactory(name="Office", office=True)
    channel = ChannelFactory(code="chat", name="Chat", calendar=calendar, owner=manager)
    policy = SlaPolicyFactory(channel=channel)

    standard = StandardFactory(title="Greeting", slug="greeting")
    published = publish(standard, manager=manager, questions=1, at=now - dt.timedelta(days=30))
    draft = make_version(standard, status=StandardVersion.Status.DRAFT)
    question = training_services.question_create(
        version=draft,
        user=manager,
        text="Which greeting?",
        kind="single",
        choices=[("Hello", True), ("Yo", False)],
    )
    evaluation = make_evaluation(
        version=published, agent=colleague, evaluator=manager, reference="COLLEAGUE-EVAL"
    )

    track = training_services.track_save(
        user=manager, name="Onboarding", items=[{"standard": standard, "due_offset_days": 3}]
    )
    training_services.track_assign(track=track, users=[staff, colleague], by=manager)
    training_services.check_attempt_submit(
        user=colleague, version=published, answers=right_answers(published)
    )
    acknowledgement, _created = acknowledge(colleague, published)
    rule = GroupRule.objects.create(group=Group.objects.get(name=STAFF), track=track)

    contact = make_contact(
        channel=channel,
        external_id="COLLEAGUE-1",
        opened_at=now - dt.timedelta(days=3),
        agent=colleague,
        now=now,
    )
    # Opened three days ago and never answered: its first response is breached.
    breach, _created = Breach.objects.get_or_create(
        contact=contact,
        metric=Breach.Metric.FIRST_RESPONSE,
        defaults={"due_at": contact.first_response_due_at, "detected_at": now},
    )

    survey = Survey.objects.create(name="After contact", send_delay_minutes=0)
    survey.channels.set([channel])
    answered, fresh = [
        make_contact(
            channel=channel,
            opened_at=now - dt.timedelta(hours=2),
            resolved_at=now - dt.timedelta(hours=1),
            customer_email=f"{who}@example.com",
            agent=colleague,
            now=now,
        )
        for who in ("ann", "bob")
    ]
    invitations = {c.pk: Invitation.objects.get(contact=c) for c in (answered, fresh)}
    Invitation.objects.filter(pk__in=[i.pk for i in invitations.values()]).update(
        status=Invitation.Status.SENT, sent_at=now
    )
    response = survey_services.response_submit(
        invitation=Invitation.objects.get(pk=invitations[answered.pk].pk), csat=1, nps=0
    )
    kiosk = survey_services.kiosk_create(name="Front desk", channel=channel)
    contact_import = ContactImport.objects.create(
        created_by=manager, file_name="helpdesk.csv", status=ContactImport.Status.CHECKED
    )

    clients = {"anon": Client()}
    for role, user in (("staff", staff), ("integration", integration), ("manager", manager)):
        client = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
        client.force_login(user)  # pages by session, the API by token: as each is used
        clients[role] = client

    return {
        "clients": clients,
        "kwargs": {
            "calendar": calendar.pk,
            "channel": channel.pk,
            "channel_code": channel.code,
            "policy": policy.pk,
            "contact": contact.pk,
            "contact_import": contact_import.pk,
            "breach": breach.pk,
            "standard": standard.pk,
            "slug": standard.slug,
            "published": published.number,
            "draft": draft.number,
            "published_id": published.pk,
            "question": question.pk,
            "evaluation": evaluation.pk,
            "track": track.pk,
            "rule": rule.pk,
            "acknowledgement": acknowledgement.pk,
            "username": colleague.username,
            "survey": survey.pk,
            "invitation": invitations[fresh.pk].pk,
            "token": invitations[fresh.pk].token,
            "response": response.pk,
            "follow_up": response.follow_up.pk,
            "kiosk": kiosk.pk,
            "kiosk_key": kiosk.key,
        },
    }


#: Path parameters of each URL name, as keys of ``world["kwargs"]``.
PATH_PARAMS: dict[str, dict[str, str]] = {
    "password_reset_confirm": {"uidb64": "=literal=MQ", "token": "=literal=set-password"},
    "calendar-detail": {"pk": "calendar"},
    "channel-detail": {"code": "channel_code"},
    "standard-detail": {"pk": "standard"},
    "standard-version-list": {"id": "standard"},
    "standard-version-detail": {"id": "standard", "number": "published"},
    "standard-version-publish": {"id": "standard", "number": "draft"},
    "sla-policy-detail": {"pk": "policy"},
    "contact-detail": {"pk": "contact"},
    "evaluation-detail": {"pk": "evaluation"},
    "evaluation-dispute": {"pk": "evaluation"},
    "evaluation-accept": {"pk": "evaluation"},
    "evaluation-resolve": {"pk": "evaluation"},
    "breach-detail": {"pk": "breach"},
    "acknowledgement-detail": {"pk": "acknowledgement"},
    "survey-detail": {"pk": "survey"},
    "survey-invitation-detail": {"pk": "invitation"},
    "survey-response-detail": {"pk": "response"},
    "public-survey-answer": {"token": "token"},
    "channels:channel-update": {"pk": "channel"},
    "channels:channel-delete": {"pk": "channel"},
    "channels:calendar-update": {"pk": "calendar"},
    "channels:calendar-delete": {"pk": "calendar"},
    "channels:calendar-import-holidays": {"pk": "calendar"},
    "standards:detail": {"slug": "slug"},
    "quality:scorecard": {"slug": "slug"},
    "quality:scorecard-csv": {"slug": "slug"},
    "standards:settings": {"slug": "slug"},
    "standards:reviewed": {"slug": "slug"},
    "standards:retire": {"slug": "slug"},
    "standards:reinstate": {"slug": "slug"},
    "standards:diff": {"slug": "slug"},
    "quality:evaluation-create": {"slug": "slug"},
    "standards:history": {"slug": "slug"},
    "standards:version-create": {"slug": "slug"},
    "standards:version-detail": {"slug": "slug", "number": "draft"},  # Staff: not found
    "standards:version-edit": {"slug": "slug", "number": "draft"},
    "standards:version-submit": {"slug": "slug", "number": "draft"},
    "standards:version-return": {"slug": "slug", "number": "draft"},
    "standards:version-publish": {"slug": "slug", "number": "draft"},
    "standards:version-discard": {"slug": "slug", "number": "draft"},
    "quality:evaluation-detail": {"pk": "evaluation"},
    "quality:evaluation-delete": {"pk": "evaluation"},
    "quality:evaluation-answer": {"pk": "evaluation"},
    "quality:evaluate-contact": {"pk": "contact"},
    "quality:evaluation-resolve": {"pk": "evaluation"},
    "sla:contact-detail": {"pk": "contact"},
    "sla:contact-import-job": {"pk": "contact_import"},
    "sla:contact-import-progress": {"pk": "contact_import"},
    "sla:contact-import-start": {"pk": "contact_import"},
    "sla:contact-import-cancel": {"pk": "contact_import"},
    "sla:contact-import-refused": {"pk": "contact_import"},
    "sla:policy-update": {"pk": "policy"},
    "training:acknowledge-current": {"slug": "slug"},
    "training:acknowledge": {"slug": "slug", "number": "published"},
    "training:questions": {"slug": "slug", "number": "draft"},
    "training:question-delete": {"pk": "question"},
    "training:acknowledgement": {"pk": "acknowledgement"},
    "training:person": {"username": "username"},
    "training:reset-attempts": {"username": "username", "version_id": "published_id"},
    "training:track-unassign": {"username": "username", "track_id": "track"},
    "training:working-hours": {"username": "username"},
    "training:track-edit": {"pk": "track"},
    "training:track-assign": {"pk": "track"},
    "training:group-rule-delete": {"pk": "rule"},
    "surveys:answer": {"token": "token"},
    "surveys:thanks": {"token": "token"},
    "surveys:kiosk": {"key": "kiosk_key"},
    "surveys:survey-update": {"pk": "survey"},
    "surveys:kiosk-revoke": {"pk": "kiosk"},
    "surveys:kiosk-language": {"pk": "kiosk"},
    "surveys:follow-up-close": {"pk": "follow_up"},
}


def url_for(route: Route, world) -> str:
    wanted = PATH_PARAMS.get(route.name, {})
    assert set(wanted) == set(route.params), (
        f"{route.id}: PATH_PARAMS gives {sorted(wanted)}, the pattern takes {sorted(route.params)}"
    )
    kwargs = {
        param: key.removeprefix("=literal=")
        if key.startswith("=literal=")
        else world["kwargs"][key]
        for param, key in wanted.items()
    }
    if route.suffix:
        kwargs["format"] = "json"
    return reverse(route.name, kwargs=kwargs)


# --- The table ------------------------------------------------------------------------------

#: ``"login"``: a 302 to the login page (any other 302 is written as 302).
LOGIN = "login"


def row(anon, staff, integration, manager) -> dict[str, int | str]:
    return {"anon": anon, "staff": staff, "integration": integration, "manager": manager}


PUBLIC = row(200, 200, 200, 200)
SIGNED_IN_PAGE = row(LOGIN, 200, 200, 200)  # every role, the Integration account included
READER_PAGE = row(LOGIN, 200, 403, 200)  # Managers and Staff (Staff: their own or published)
STAFF_NOT_THEIRS = row(LOGIN, 404, 403, 200)  # a colleague's object: Staff cannot find it
MANAGER_PAGE = row(LOGIN, 403, 403, 200)
MANAGER_POST_ONLY = row(LOGIN, 403, 403, 405)  # an action: GET is not how it is done
API_ALL = row(401, 200, 200, 200)  # every role reads (Staff: their own rows)
API_STAFF_NOT_THEIRS = row(401, 404, 200, 200)
API_MANAGER = row(401, 403, 403, 200)
API_MANAGER_STAFF = row(401, 200, 403, 200)

#: URL name -> the status each role gets for GET. A format-suffix variant (``.json``) shares
#: its pattern's row. Staff rows point at a colleague's objects (see ``world``).
EXPECTED: dict[str, dict[str, int | str]] = {
    # Project, accounts, languages
    "dashboard": SIGNED_IN_PAGE,
    "my-service": SIGNED_IN_PAGE,
    "account": SIGNED_IN_PAGE,  # each person's own preferences
    "messages": MANAGER_PAGE,
    "login": PUBLIC,
    "logout": row(405, 405, 405, 405),  # POST only (Django 5)
    "password_change": SIGNED_IN_PAGE,
    "password_change_done": SIGNED_IN_PAGE,
    "password_reset": PUBLIC,
    "password_reset_done": PUBLIC,
    "password_reset_confirm": PUBLIC,  # an invalid link says so on the page
    "password_reset_complete": PUBLIC,
    "set_language": row(302, 302, 302, 302),  # back to where one came from
    "javascript-catalog": PUBLIC,
    # API: root, schema and docs
    "api-root": API_ALL,
    "api-schema": PUBLIC,
    "api-docs": PUBLIC,
    # API: channels and calendars
    "calendar-list": API_ALL,
    "calendar-detail": API_ALL,
    "channel-list": API_ALL,
    "channel-detail": API_ALL,
    # API: standards
    "standard-list": API_ALL,
    "standard-detail": API_ALL,
    "standard-version-list": API_MANAGER,
    "standard-version-detail": API_MANAGER,
    "standard-version-publish": row(401, 403, 403, 405),
    # API: evaluations (Staff: their own; the actions are POST only)
    "evaluation-list": API_MANAGER_STAFF,
    "evaluation-detail": row(401, 404, 403, 200),
    "evaluation-dispute": row(401, 405, 403, 405),
    "evaluation-accept": row(401, 405, 403, 405),
    "evaluation-resolve": row(401, 405, 403, 405),
    # API: SLA
    "sla-policy-list": API_ALL,
    "sla-policy-detail": API_ALL,
    "contact-list": API_ALL,
    "contact-detail": API_STAFF_NOT_THEIRS,
    "contact-bulk": row(401, 405, 405, 405),  # POST only; writing needs Manager or Integration
    "breach-list": API_ALL,
    "breach-detail": API_STAFF_NOT_THEIRS,
    "report-sla": API_ALL,  # Staff: their own figures only
    "report-sla-csv": API_ALL,  # the same report as CSV, for generated clients
    # API: training
    "acknowledgement-list": API_MANAGER_STAFF,
    "acknowledgement-detail": row(401, 404, 403, 200),
    "training-progress": API_MANAGER_STAFF,
    # API: surveys
    "survey-list": API_MANAGER,
    "survey-detail": API_MANAGER,
    "survey-invitation-list": API_MANAGER,
    "survey-invitation-detail": API_MANAGER,
    "survey-response-list": API_MANAGER,
    "survey-response-detail": API_MANAGER,
    "satisfaction-report": row(401, 403, 200, 200),
    "satisfaction-report-csv": row(401, 403, 200, 200),
    # API: quality
    "report-standards": API_MANAGER,
    "report-standards-csv": API_MANAGER,
    "public-survey-answer": row(405, 405, 405, 405),  # customers POST their answer, no login
    # Channels and calendars
    "channels:channel-list": MANAGER_PAGE,
    "channels:channel-create": MANAGER_PAGE,
    "channels:channel-update": MANAGER_PAGE,
    "channels:channel-delete": MANAGER_PAGE,
    "channels:calendar-list": MANAGER_PAGE,
    "channels:calendar-create": MANAGER_PAGE,
    "channels:calendar-update": MANAGER_PAGE,
    "channels:calendar-delete": MANAGER_PAGE,
    "channels:calendar-import-holidays": MANAGER_PAGE,
    # Standards and evaluations
    "standards:list": READER_PAGE,
    "standards:detail": READER_PAGE,
    "standards:diff": READER_PAGE,
    "standards:version-detail": STAFF_NOT_THEIRS,  # a draft: Staff read published versions only
    "standards:create": MANAGER_PAGE,
    "standards:preview": MANAGER_POST_ONLY,
    "standards:settings": MANAGER_PAGE,
    "standards:reviewed": MANAGER_POST_ONLY,
    "standards:retire": MANAGER_PAGE,  # GET confirms; POST retires
    "standards:reinstate": MANAGER_POST_ONLY,
    "standards:history": MANAGER_PAGE,
    "standards:version-create": MANAGER_POST_ONLY,
    "standards:version-edit": MANAGER_PAGE,
    "standards:version-submit": MANAGER_POST_ONLY,
    "standards:version-return": MANAGER_PAGE,
    "standards:version-publish": row(LOGIN, 403, 403, 302),  # GET goes back to the version
    "standards:version-discard": MANAGER_PAGE,
    "quality:evaluation-create": MANAGER_PAGE,
    "quality:evaluation-list": READER_PAGE,
    "quality:evaluation-detail": STAFF_NOT_THEIRS,
    "quality:evaluation-delete": MANAGER_PAGE,
    "quality:evaluation-answer": row(LOGIN, 405, 403, 405),  # POST only, by the evaluated agent
    "quality:evaluation-resolve": MANAGER_POST_ONLY,
    # Quality: the scorecard
    "quality:overview": MANAGER_PAGE,
    "quality:overview-csv": MANAGER_PAGE,
    "quality:scorecard": MANAGER_PAGE,
    "quality:scorecard-csv": MANAGER_PAGE,
    "quality:evaluate-contact": MANAGER_PAGE,
    # SLA
    "sla:contact-list": READER_PAGE,
    "sla:contact-detail": STAFF_NOT_THEIRS,
    "sla:contact-export": READER_PAGE,
    "sla:contact-import": MANAGER_PAGE,
    "sla:contact-import-job": MANAGER_PAGE,  # the uploader's own (another's: not found)
    "sla:contact-import-progress": MANAGER_PAGE,
    "sla:contact-import-refused": MANAGER_PAGE,
    "sla:contact-import-start": MANAGER_POST_ONLY,
    "sla:contact-import-cancel": MANAGER_POST_ONLY,
    "sla:policy-list": MANAGER_PAGE,
    "sla:policy-create": MANAGER_PAGE,
    "sla:policy-update": MANAGER_PAGE,
    "sla:report-dashboard": MANAGER_PAGE,
    "sla:report-dashboard-csv": MANAGER_PAGE,
    # Training
    "training:my-onboarding": READER_PAGE,
    "training:acknowledge-current": row(LOGIN, 302, 403, 302),  # on to the published version
    "training:acknowledge": READER_PAGE,
    "training:acknowledgement": STAFF_NOT_THEIRS,
    "training:questions": MANAGER_PAGE,
    "training:question-delete": MANAGER_POST_ONLY,
    "training:matrix": MANAGER_PAGE,
    "training:person": MANAGER_PAGE,
    "training:reset-attempts": MANAGER_POST_ONLY,
    "training:track-unassign": MANAGER_PAGE,
    "training:working-hours": MANAGER_PAGE,
    "training:tracks": MANAGER_PAGE,
    "training:track-create": MANAGER_PAGE,
    "training:track-edit": MANAGER_PAGE,
    "training:track-assign": MANAGER_PAGE,
    "training:group-rules": MANAGER_PAGE,
    "training:group-rule-delete": MANAGER_POST_ONLY,
    # Surveys: the customer's pages need no login
    "surveys:answer": PUBLIC,
    "surveys:thanks": row(302, 302, 302, 302),  # not answered yet: back to the survey
    "surveys:kiosk": PUBLIC,
    "surveys:survey-list": MANAGER_PAGE,
    "surveys:survey-create": MANAGER_PAGE,
    "surveys:survey-update": MANAGER_PAGE,
    "surveys:invitation-list": MANAGER_PAGE,
    "surveys:response-list": MANAGER_PAGE,
    "surveys:kiosk-list": MANAGER_PAGE,
    "surveys:kiosk-revoke": MANAGER_POST_ONLY,
    "surveys:kiosk-language": MANAGER_POST_ONLY,
    "surveys:follow-up-list": MANAGER_PAGE,
    "surveys:follow-up-close": MANAGER_POST_ONLY,
    "surveys:dashboard": MANAGER_PAGE,
}


# --- The tests ------------------------------------------------------------------------------

ROUTES = project_routes()


def test_every_url_pattern_has_a_row():
    missing = sorted({r.name for r in ROUTES} - set(EXPECTED))
    assert not missing, (
        f"URL patterns without a row in EXPECTED (decide who may open them): {missing}"
    )


def test_every_row_names_a_url_pattern():
    stale = sorted(set(EXPECTED) - {r.name for r in ROUTES})
    assert not stale, f"rows in EXPECTED for URL names the project no longer has: {stale}"
    stale = sorted(set(PATH_PARAMS) - {r.name for r in ROUTES})
    assert not stale, f"PATH_PARAMS for URL names the project no longer has: {stale}"


def test_the_walk_finds_api_routes_and_their_format_suffixes():
    ids = {r.id for r in ROUTES}
    assert {"contact-list", "contact-list.json", "api-root.json", "public-survey-answer"} <= ids
    assert not any(r.route.startswith("admin/") for r in ROUTES)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=[r.id for r in ROUTES])
def test_answer_for_each_role(route, role, world, db):
    if route.name not in EXPECTED:
        pytest.fail(f"{route.id} ({route.route}) has no row in EXPECTED", pytrace=False)
    url = url_for(route, world)
    expected = EXPECTED[route.name][role]
    response = world["clients"][role].get(url)
    status = 302 if expected == LOGIN else expected
    assert response.status_code == status, f"GET {url} as {role}"
    if expected == LOGIN:
        assert response["Location"].startswith(reverse("login") + "?next="), response["Location"]


#: Lists Staff may open (200 above) that must hold none of a colleague's rows: the API's
#: ``count``, or a marker of the colleague's row on the page.
STAFF_SCOPED_LISTS = {
    "contact-list": ("count", None),
    "breach-list": ("count", None),
    "acknowledgement-list": ("count", None),
    "evaluation-list": ("count", None),
    "sla:contact-list": ("text", "COLLEAGUE-1"),
    "quality:evaluation-list": ("text", "COLLEAGUE-EVAL"),
}


@pytest.mark.parametrize("name", sorted(STAFF_SCOPED_LISTS))
def test_staff_lists_hold_none_of_a_colleagues_rows(name, world, db):
    """A 200 on a list says nothing about what is in it: the manager sees the colleague's row,
    Staff do not."""
    url = reverse(name)
    kind, marker = STAFF_SCOPED_LISTS[name]
    manager, staff = (world["clients"][r].get(url) for r in ("manager", "staff"))
    assert manager.status_code == staff.status_code == 200
    if kind == "count":
        assert manager.json()["count"] > 0  # every row of this world is the colleague's
        assert staff.json()["count"] == 0
    else:
        assert marker in manager.content.decode()
        assert marker not in staff.content.decode()


def test_staff_read_only_their_own_sla_figures(world, db):
    url = reverse("report-sla")
    manager, staff = (world["clients"][r].get(url).json() for r in ("manager", "staff"))
    assert manager["total"]["contacts"] >= 1
    assert staff["total"]["contacts"] == 0
