"""The scorecard's figures, pages, CSV and API, and their bounded query counts."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from quality.scorecard import detail, selectors
from quality.tests.scorecard_world import build_world
from sla.reports.query import ReportQuery

pytestmark = pytest.mark.django_db


def _query(days=30):
    today = timezone.localdate()
    return ReportQuery(start=today - dt.timedelta(days=days - 1), end=today, tz="UTC")


@pytest.fixture(autouse=True)
def _utc(settings):
    settings.TIME_ZONE = "UTC"


def test_figures_come_from_the_owners_rules(world):
    [card] = selectors.scorecards(_query(), today=timezone.localdate())
    assert card.known == {
        "assigned": 3,
        "acknowledged": 1,
        "outstanding": 2,
        "overdue": 0,
        "unavailable": 0,
        "known_pct": 33,
    }
    assert card.followed == {"evaluations": 2, "avg_pct": 50.0, "pass_pct": 50.0, "critical": 0}
    assert card.sla["contacts"] == 2
    assert card.sla["first_response_compliance_pct"] == 50.0
    assert card.satisfaction["csat_pct"] == 50.0
    assert card.satisfaction["nps"] == 0.0
    assert card.satisfaction["responses"] == 2
    assert card.as_row()["standard"] == world["standards"][0][0].slug


def test_overdue_people_and_ranking(manager):
    calm = build_world(manager, prefix="calm", people=1)
    late = build_world(manager, prefix="late", people=3)
    # Ten days on, those who have not acknowledged are past their due date (3 days) ...
    cards = selectors.scorecards(_query(), today=timezone.localdate() + dt.timedelta(days=10))
    by_slug = {c.standard.slug: c for c in cards}
    late_card = by_slug[late["standards"][0][0].slug]
    assert late_card.known["overdue"] == 2
    assert late_card.known["known_pct"] == 33
    assert by_slug[calm["standards"][0][0].slug].known["known_pct"] == 100
    # ... so the late standard needs more attention and comes first.
    assert cards[0].standard.slug == late_card.standard.slug


def test_evaluations_of_an_older_version_do_not_count(world, manager):
    from training.tests.conftest import publish

    standard, _old = world["standards"][0]
    publish(standard, manager=manager)
    [card] = selectors.scorecards(_query(), today=timezone.localdate())
    assert card.followed["evaluations"] == 0
    assert card.followed["avg_pct"] is None


def test_pass_mark_is_a_setting(world, settings):
    settings.QUALITY_EVALUATION_PASS_PCT = 0
    [card] = selectors.scorecards(_query(), today=timezone.localdate())
    assert card.followed["pass_pct"] == 100.0


def test_criteria_fail_most_first(world, manager):
    standard, version = world["standards"][0]
    rows = detail.criteria_failures(_query(), standard, version)
    assert [(r["not_met"], r["met"]) for r in rows] == [(1, 1), (1, 1)]


def test_overview_page(client, manager, world):
    client.force_login(manager)
    response = client.get(reverse("quality:overview"))
    assert response.status_code == 200
    body = response.content.decode()
    standard = world["standards"][0][0]
    assert standard.title in body
    assert reverse("quality:scorecard", kwargs={"slug": standard.slug}) in body


def test_scorecard_page_links_to_what_is_behind_the_figures(client, manager, world):
    client.force_login(manager)
    standard = world["standards"][0][0]
    response = client.get(reverse("quality:scorecard", kwargs={"slug": standard.slug}))
    assert response.status_code == 200
    body = response.content.decode()
    channel = world["channel"]
    assert f"standard={standard.slug}" in body
    assert f"channel={channel.pk}&amp;opened_from=" in body
    assert "first_response_state=breached" in body
    assert f"channel={channel.code}&amp;score=low" in body
    for user in world["users"]:
        assert f'data-user="{user.username}"' in body
    assert 'class="sla-chart__marker"' in body  # the version published 10 days ago
    assert "<svg" in body


def test_scorecard_of_an_unknown_standard_is_404(client, manager, db):
    client.force_login(manager)
    response = client.get(reverse("quality:scorecard", kwargs={"slug": "nope"}))
    assert response.status_code == 404


def test_bad_period_is_a_form_error_or_400(client, manager, world):
    client.force_login(manager)
    params = {"period": "custom", "from": "2026-02-01", "to": "2026-01-01"}
    page = client.get(reverse("quality:overview"), params)
    assert page.status_code == 200
    assert "is-invalid" in page.content.decode()
    assert client.get(reverse("quality:overview-csv"), params).status_code == 400


def test_overview_csv(client, manager, world):
    client.force_login(manager)
    response = client.get(reverse("quality:overview-csv"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == list(selectors.ROW_FIELDS)
    assert rows[1][0] == world["standards"][0][0].slug
    assert rows[1][2] == "33"


def test_scorecard_csv(client, manager, world):
    client.force_login(manager)
    standard = world["standards"][0][0]
    response = client.get(reverse("quality:scorecard-csv", kwargs={"slug": standard.slug}))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    sections = {row[0] for row in rows[1:]}
    assert {"summary", "people", "criteria", "trend_day"} <= sections
    assert sum(1 for row in rows if row[0] == "people") == 3


def test_pages_are_for_managers(client, staff_user, world):
    client.force_login(staff_user)
    assert client.get(reverse("quality:overview")).status_code == 403


# --- API ------------------------------------------------------------------------------------


def test_api_rows(manager_api, world):
    response = manager_api.get("/api/v1/reports/standards/")
    assert response.status_code == 200
    [row] = response.json()["rows"]
    assert row == {
        "standard": world["standards"][0][0].slug,
        "version": 1,
        "known_pct": 33,
        "acknowledged": 1,
        "outstanding": 2,
        "overdue": 0,
        "evaluations": 2,
        "evaluation_avg_pct": 50.0,
        "evaluation_pass_pct": 50.0,
        "first_response_compliance_pct": 50.0,
        "resolution_compliance_pct": None,
        "csat_pct": 50.0,
        "nps": 0.0,
        "responses": 2,
    }


@pytest.mark.parametrize(
    "params",
    [{"format": "csv"}, {}],
)
def test_api_csv(manager_api, world, params):
    url = "/api/v1/reports/standards/" if params else "/api/v1/reports/standards/csv/"
    response = manager_api.get(url, params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    assert text.splitlines()[0].startswith("standard,version,known_pct")


def test_api_accept_csv(manager_api, world):
    response = manager_api.get("/api/v1/reports/standards/", HTTP_ACCEPT="text/csv")
    assert response["Content-Type"].startswith("text/csv")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-13-01"}, "from"),
        ({"from": "2026-02-01", "to": "2026-01-01"}, "from"),
        ({"tz": "Mars/Base"}, "tz"),
        ({"from": "2020-01-01", "to": "2026-01-01"}, "to"),
    ],
)
def test_api_bad_parameters(manager_api, db, params, field):
    response = manager_api.get("/api/v1/reports/standards/", params)
    assert response.status_code == 400
    assert field in response.json()


def test_api_is_for_managers(staff_api, integration_api, db):
    assert staff_api.get("/api/v1/reports/standards/").status_code == 403
    assert integration_api.get("/api/v1/reports/standards/").status_code == 403


# --- Bounded queries ------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 20])
def test_overview_queries_do_not_grow(client, manager, django_assert_max_num_queries, count):
    build_world(manager, standards=count, people=4 if count == 1 else 12)
    client.force_login(manager)
    with django_assert_max_num_queries(22):
        response = client.get(reverse("quality:overview"))
    assert response.content.decode().count("data-standard=") == count


@pytest.mark.parametrize("count", [1, 20])
def test_scorecard_queries_do_not_grow(client, manager, django_assert_max_num_queries, count):
    world = build_world(manager, standards=count, people=4 if count == 1 else 12)
    client.force_login(manager)
    standard = world["standards"][0][0]
    url = reverse("quality:scorecard", kwargs={"slug": standard.slug})
    with django_assert_max_num_queries(28):
        response = client.get(url)
    assert response.content.decode().count("data-user=") == (4 if count == 1 else 12)


@pytest.mark.parametrize("count", [1, 20])
def test_api_queries_do_not_grow(manager_api, manager, django_assert_max_num_queries, count):
    build_world(manager, standards=count, people=4 if count == 1 else 12)
    with django_assert_max_num_queries(20):
        response = manager_api.get("/api/v1/reports/standards/")
    assert len(response.json()["rows"]) == count


def test_the_demo_fills_every_standards_scorecard(manager, db):
    from demo import channels as channels_demo
    from demo import quality as demo
    from demo import standards as standards_demo
    from demo import training as training_demo
    from demo.users import seed_users

    users = seed_users()
    channels_demo.seed(owner=users["manager"])
    standards_demo.seed(users=users)
    training_demo.seed(users=users)
    demo.seed(users=users)
    demo.seed(users=users)  # idempotent
    cards = selectors.scorecards(_query(60), today=timezone.localdate())
    assert cards
    for card in cards:
        assert card.known["known_pct"] is not None, card.standard.slug
        assert card.followed["evaluations"] >= 1, card.standard.slug


def test_the_counts_only_sla_report_agrees_with_the_full_one(world):
    from sla.reports.query import sla_report

    channel = world["channel"]
    query = _query()
    full = sla_report(
        ReportQuery(start=query.start, end=query.end, tz="UTC", channel_id=channel.pk)
    ).total
    counts = sla_report(
        ReportQuery(
            start=query.start,
            end=query.end,
            tz="UTC",
            channel_ids=(channel.pk,),
            percentiles=False,
        )
    ).total
    for name in ("contacts", "first_response_met", "first_response_breached"):
        assert counts[name] == full[name] > 0
    assert counts["first_response_median_minutes"] is None
    assert full["first_response_median_minutes"] is not None
    nothing = ReportQuery(start=query.start, end=query.end, tz="UTC", channel_ids=())
    assert sla_report(nothing).total["contacts"] == 0
