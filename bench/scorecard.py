# ruff: noqa: S608 -- SQL text is built from model identifiers only; values are parameters.
"""The scorecard benchmark (``python -m bench.scorecard``, run by ``make bench``): PostgreSQL.

One benchmark in one file (over 400 lines): the data it builds and the figures it reads are
read together.

Data (defaults): 200 standards (an archived v1 and a published v2 with 4 criteria each, on 2
of 10 channels ``benchq-0..9``), 2,000 staff in 20 onboarding tracks of 10 standards (each
person in 2 tracks: 40,000 person × standard pairs, three in four acknowledged, the rest owed,
some overdue), 100 QA evaluations per standard (4 answers each), 1,000,000 contacts opened over
90 days on the channels, a survey answer for one contact in ten and an invitation for one in
ten. Everything is made by set-based ``INSERT … SELECT generate_series`` and kept between runs:
channel ``benchq-0``'s name records the sizes and the last day, and a later run with the same
sizes reuses them (``--rebuild`` makes them again, ``--cleanup`` removes them).

Figures, each the median of ``rounds`` in-process requests of the last 30 days (a manager's
session or token), with the number of queries of one request, computed afresh each time (the
shared cache off, ``SLA_REPORT_DASHBOARD_CACHE_SECONDS=0``); ``…_shared_seconds`` as managers
in the same minute get them (the overview's figures shared through the cache):

* ``overview_seconds``: ``GET /quality/scorecards/`` (every standard, ranked);
* ``scorecard_seconds``: ``GET /quality/scorecards/<slug>/`` (one standard, with trends);
* ``api_seconds``: ``GET /api/v1/reports/standards/``;
* ``floor_seconds``: a bare ``SELECT count(*)`` of the period's contacts on the benchmark's
  channels (the least any figure over them costs), and ``…_ratio_vs_floor`` for each of the
  above: on a busy machine the ratios say more than the seconds (``load_average_1min`` says
  how busy it was).

The verdicts are the cold figures: what the first manager of a minute waits for.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from bench import common
from bench.common import t as _t
from channels_app.models import Channel
from core.roles import MANAGER, STAFF
from quality.scorecard.sources import Evaluation, EvaluationItem
from sla.models import Contact
from standards.models import Criterion, Standard, StandardVersion
from surveys.models import Invitation, Response, Survey
from training.models import Acknowledgement, Obligation, Track, TrackAssignment, TrackItem

PREFIX = "benchq-"
CHANNELS = 10
DAYS = 90
PERIOD_DAYS = 30
STANDARDS_PER_TRACK = 10
TRACKS_PER_PERSON = 2
CRITERIA = 4

TARGETS = {
    "overview_seconds": ("<", 1.0),
    "scorecard_seconds": ("<", 1.0),
    "api_seconds": ("<", 1.0),
}


@dataclass
class Options:
    standards: int = 200
    staff: int = 2000
    contacts: int = 1_000_000
    evaluations: int = 100  # per standard
    rounds: int = 5
    rebuild: bool = False


# -- data ----------------------------------------------------------------------------------------


def _sizes(options: Options) -> str:
    return (
        f"standards={options.standards} staff={options.staff} contacts={options.contacts} "
        f"evaluations={options.evaluations}"
    )


def _marker_name(options: Options, last_day: dt.date) -> str:
    return f"Bench scorecard 0 [{_sizes(options)} last_day={last_day.isoformat()}]"


def existing_data(options: Options) -> dt.date | None:
    """The last day of data built earlier with these sizes, if it is all there."""
    marker = Channel.objects.filter(code=f"{PREFIX}0").values_list("name", flat=True).first()
    if not marker or f"[{_sizes(options)} " not in marker:
        return None
    last_day = dt.date.fromisoformat(marker.rsplit("last_day=", 1)[1].rstrip("]"))
    found = Contact.objects.filter(channel__code__startswith=PREFIX).count()
    return last_day if found == options.contacts else None


def cleanup() -> None:
    """Remove the scorecard benchmark's data (everything named ``benchq-*``), set-based."""
    users = get_user_model()
    channel_ids = list(Channel.objects.filter(code__startswith=PREFIX).values_list("id", flat=True))
    common.delete_contacts(channel_ids)  # invitations and their answers go with the contacts
    user_ids = list(users.objects.filter(username__startswith=PREFIX).values_list("id", flat=True))
    standard_ids = list(
        Standard.objects.filter(slug__startswith=PREFIX).values_list("id", flat=True)
    )
    with transaction.atomic(), connection.cursor() as cursor:
        # Published versions and acknowledgements refuse deletion by trigger: the benchmark's
        # own rows go with the triggers skipped (superuser only, as the foreign-key checks).
        common.skip_fk_checks(cursor)
        for model, column, ids in (
            (Response, "channel_id", channel_ids),
            (EvaluationItem, "evaluation_id", None),
            (Evaluation, "standard_id", standard_ids),
            (Obligation, "standard_id", standard_ids),
            (Acknowledgement, "user_id", user_ids),
            (TrackAssignment, "user_id", user_ids),
            (TrackItem, "standard_id", standard_ids),
            (Criterion, "version_id", None),
            (StandardVersion, "standard_id", standard_ids),
        ):
            if model is EvaluationItem:
                cursor.execute(
                    f"DELETE FROM {_t(model)} WHERE evaluation_id IN (SELECT id FROM "
                    f"{_t(Evaluation)} WHERE standard_id = ANY(%s))",
                    [standard_ids],
                )
            elif model is Criterion:
                cursor.execute(
                    f"DELETE FROM {_t(model)} WHERE version_id IN (SELECT id FROM "
                    f"{_t(StandardVersion)} WHERE standard_id = ANY(%s))",
                    [standard_ids],
                )
            else:
                cursor.execute(f"DELETE FROM {_t(model)} WHERE {column} = ANY(%s)", [ids])
    with transaction.atomic():
        Standard.objects.filter(id__in=standard_ids).delete()
        Track.objects.filter(name__startswith=PREFIX).delete()
        Survey.objects.filter(name__startswith=PREFIX).delete()
        Channel.objects.filter(id__in=channel_ids).delete()
        Token.objects.filter(user_id__in=user_ids).delete()
        users.objects.filter(id__in=user_ids).delete()


def manager_user():
    users = get_user_model()
    manager, created = users.objects.get_or_create(
        username=f"{PREFIX}manager", defaults={"email": "benchq-manager@example.com"}
    )
    if created:
        manager.set_unusable_password()
        manager.save()
    manager.groups.add(Group.objects.get_or_create(name=MANAGER)[0])
    return manager


def _ids(cursor, sql, params=None) -> list[int]:
    cursor.execute(sql, params or [])
    return [row[0] for row in cursor.fetchall()]


def build(options: Options, last_day: dt.date, *, write) -> None:
    cleanup()
    manager = manager_user()
    channels = [
        Channel.objects.create(
            code=f"{PREFIX}{n}",
            name=_marker_name(options, last_day) if n == 0 else f"Bench scorecard {n}",
            calendar=None,
            owner=manager,
        )
        for n in range(CHANNELS)
    ]
    channel_ids = [ch.pk for ch in channels]
    staff_group = Group.objects.get_or_create(name=STAFF)[0]
    now = dt.datetime.combine(last_day, dt.time(12, 0), tzinfo=dt.UTC)
    start = now - dt.timedelta(days=DAYS)
    tracks = max(1, options.standards // STANDARDS_PER_TRACK)
    p = {
        "now": now,
        "start": start,
        "last_day": last_day,
        "staff": options.staff,
        "standards": options.standards,
        "tracks": tracks,
        "channels": channel_ids,
        "manager": manager.pk,
        "group": staff_group.pk,
        "prefix": PREFIX,
        "contacts": options.contacts,
        "evaluations": options.evaluations,
        "span": DAYS * 86400,
    }
    user_table = _t(get_user_model())
    began = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        common.skip_fk_checks(cursor)
        # People.
        cursor.execute(
            f"INSERT INTO {user_table} (password, is_superuser, username, first_name, last_name,"
            " email, is_staff, is_active, date_joined) SELECT '!', false,"
            " %(prefix)s || 'agent-' || g, 'Agent', 'No ' || g, '', false, true, %(now)s"
            " FROM generate_series(1, %(staff)s) AS g",
            p,
        )
        staff_ids = _ids(
            cursor,
            f"SELECT id FROM {user_table} WHERE username LIKE %s ORDER BY id",
            [f"{PREFIX}agent-%"],
        )
        p["staff_ids"] = staff_ids
        cursor.execute(
            f"INSERT INTO {_t(get_user_model().groups.through)} (user_id, group_id)"
            " SELECT unnest(%(staff_ids)s::int[]), %(group)s",
            p,
        )
        # Standards: an archived v1 and a published v2 (published in the last 60 days, so the
        # trends carry markers), 4 criteria on v2, 2 channels each.
        standard_ids = _ids(
            cursor,
            f"INSERT INTO {_t(Standard)} (created_at, updated_at, slug, title,"
            " review_interval_months) SELECT %(now)s, %(now)s, %(prefix)s || 'std-' || g,"
            " 'Bench standard ' || g, 12 FROM generate_series(1, %(standards)s) AS g"
            " RETURNING id",
            p,
        )
        standard_ids.sort()
        p["standard_ids"] = standard_ids
        version_columns = (
            "created_at, updated_at, number, body_markdown, body_html, change_summary,"
            " change_kind, status, review_comment, published_at, archived_at, standard_id"
        )
        cursor.execute(
            f"INSERT INTO {_t(StandardVersion)} ({version_columns}) SELECT %(now)s, %(now)s, 1,"
            " 'Old', '<p>Old</p>', '', 'major', 'archived', '', %(start)s - interval '30 days',"
            " %(now)s - interval '60 days', s FROM unnest(%(standard_ids)s::bigint[]) AS s",
            p,
        )
        version_ids = _ids(
            cursor,
            f"INSERT INTO {_t(StandardVersion)} ({version_columns}) SELECT %(now)s, %(now)s, 2,"
            " 'Now', '<p>Now</p>', '', 'major', 'draft', '', NULL, NULL, s"
            " FROM unnest(%(standard_ids)s::bigint[]) AS s RETURNING id",
            p,
        )
        p["version_ids"] = version_ids
        cursor.execute(
            f'INSERT INTO {_t(Criterion)} ("order", text, weight, is_critical, version_id)'
            " SELECT k, 'Criterion ' || k, 1 + k %% 3, k = 0, v"
            " FROM unnest(%(version_ids)s::bigint[]) AS v,"
            f" generate_series(0, {CRITERIA - 1}) AS k",
            p,
        )
        cursor.execute(
            f"UPDATE {_t(StandardVersion)} SET status = 'published',"
            " published_at = %(now)s - (id %% 60) * interval '1 day'"
            " WHERE id = ANY(%(version_ids)s)",
            p,
        )
        cursor.execute(
            f"INSERT INTO {_t(Standard.channels.through)} (standard_id, channel_id)"
            " SELECT s, (%(channels)s::bigint[])[1 + (s %% 10)]"
            " FROM unnest(%(standard_ids)s::bigint[]) AS s"
            " UNION SELECT s, (%(channels)s::bigint[])[1 + ((s + 3) %% 10)]"
            " FROM unnest(%(standard_ids)s::bigint[]) AS s",
            p,
        )
        # Tracks of 10 standards; everyone in 2 tracks.
        track_ids = _ids(
            cursor,
            f"INSERT INTO {_t(Track)} (created_at, updated_at, name, description)"
            " SELECT %(now)s, %(now)s, %(prefix)s || 'track-' || g, ''"
            " FROM generate_series(0, %(tracks)s - 1) AS g RETURNING id",
            p,
        )
        track_ids.sort()
        p["track_ids"] = track_ids
        cursor.execute(
            f'INSERT INTO {_t(TrackItem)} ("order", due_offset_days, standard_id, track_id)'
            " SELECT n, 14, (%(standard_ids)s::bigint[])[n],"
            " (%(track_ids)s::bigint[])[1 + (n - 1) %% %(tracks)s]"
            " FROM generate_series(1, %(standards)s) AS n",
            p,
        )
        cursor.execute(
            f"INSERT INTO {_t(TrackAssignment)} (created_at, updated_at, start_date, source,"
            " assigned_by_id, track_id, user_id)"
            " SELECT DISTINCT ON (u, t) %(now)s, %(now)s, %(last_day)s - (u %% 60), 'manual',"
            " %(manager)s, (%(track_ids)s::bigint[])[1 + t], (%(staff_ids)s::int[])[u]"
            " FROM generate_series(1, %(staff)s) AS u,"
            " LATERAL (SELECT (u + k * 7) %% %(tracks)s AS t"
            f" FROM generate_series(0, {TRACKS_PER_PERSON - 1}) AS k) AS pick",
            p,
        )
        # Three in four person × standard pairs acknowledged v2; the rest owe it (14 days after
        # their start: the earliest starters are overdue).
        pairs = (
            f"SELECT a.user_id, i.standard_id, v.id AS version_id, a.start_date"
            f" FROM {_t(TrackAssignment)} a JOIN {_t(TrackItem)} i ON i.track_id = a.track_id"
            f" JOIN {_t(StandardVersion)} v ON v.standard_id = i.standard_id AND v.number = 2"
            " WHERE a.track_id = ANY(%(track_ids)s)"
        )
        cursor.execute(
            f"INSERT INTO {_t(Acknowledgement)} (acknowledged_at, user_agent, full_name,"
            " fingerprint, user_id, version_id)"
            f" SELECT DISTINCT ON (user_id, version_id) %(now)s - interval '1 day', '', 'Agent',"
            f" repeat('0', 64), user_id, version_id FROM ({pairs}) AS p"
            " WHERE (user_id + standard_id) %% 4 <> 0",
            p,
        )
        cursor.execute(
            f"INSERT INTO {_t(Obligation)} (created_at, updated_at, due_date, reason, state,"
            " standard_id, user_id, version_id)"
            " SELECT DISTINCT ON (user_id, standard_id) %(now)s, %(now)s, start_date + 14,"
            f" 'new', 'open', standard_id, user_id, version_id FROM ({pairs}) AS p"
            " WHERE (user_id + standard_id) %% 4 = 0",
            p,
        )
        # Evaluations of v2 over the 90 days, 4 answers each (one in 23 misses the critical one).
        cursor.execute(
            f"INSERT INTO {_t(Evaluation)} (interaction_reference, occurred_at, comment, score,"
            " critical_missed, created_at, agent_id, channel_id, evaluator_id, standard_id,"
            " version_id, resolution, resolution_reason)"
            " SELECT 'Q' || s || '-' || e, %(now)s - (e * 86400 * 90 / %(evaluations)s)"
            " * interval '1 second', '',"
            " CASE WHEN (s + e) %% 23 = 0 THEN 0 ELSE 50 + (s * 7 + e * 13) %% 51 END,"
            " (s + e) %% 23 = 0, %(now)s,"
            " (%(staff_ids)s::int[])[1 + (s * 31 + e) %% %(staff)s],"
            " (%(channels)s::bigint[])[1 + (s %% 10)], %(manager)s, s, v.id, '', ''"
            f" FROM {_t(StandardVersion)} v, generate_series(1, %(evaluations)s) AS e,"
            " LATERAL (SELECT v.standard_id AS s) AS x"
            " WHERE v.id = ANY(%(version_ids)s)",
            p,
        )
        cursor.execute(
            f"INSERT INTO {_t(EvaluationItem)} (result, note, criterion_id, evaluation_id)"
            " SELECT CASE WHEN (e.id + c.id) %% 5 = 0 THEN 'not_met'"
            " WHEN (e.id + c.id) %% 17 = 0 THEN 'na' ELSE 'met' END, '', c.id, e.id"
            f" FROM {_t(Evaluation)} e JOIN {_t(Criterion)} c ON c.version_id = e.version_id"
            " WHERE e.version_id = ANY(%(version_ids)s)",
            p,
        )
        write(f"  standards, people and evaluations in {time.perf_counter() - began:.1f} s")
        began = time.perf_counter()
        # Contacts over the 90 days: first response 1..240 minutes (met up to 60), resolution
        # 30..2029 (met up to 480), one in ten still open with no deadline (no sweep touches it).
        cursor.execute(
            f"INSERT INTO {_t(Contact)} (created_at, updated_at, external_id, priority, subject,"
            " customer_name, customer_email, customer_language, opened_at, first_response_at,"
            " resolved_at, status, first_response_minutes, resolution_minutes,"
            " first_response_state, resolution_state, paused_business_minutes, notify,"
            " agent_id, channel_id)"
            " SELECT now(), now(), 'Q' || g, 'normal', 'Scorecard bench', 'Customer', '', 'en',"
            " opened, opened + fr * interval '1 minute',"
            " CASE WHEN is_open THEN NULL ELSE opened + (fr + res) * interval '1 minute' END,"
            " CASE WHEN is_open THEN 'open' ELSE 'resolved' END, fr,"
            " CASE WHEN is_open THEN NULL ELSE res END,"
            " CASE WHEN fr <= 60 THEN 'met' ELSE 'breached' END,"
            " CASE WHEN is_open THEN 'pending' WHEN res <= 480 THEN 'met' ELSE 'breached' END,"
            " 0, false, (%(staff_ids)s::int[])[1 + g %% %(staff)s],"
            f" (%(channels)s::bigint[])[1 + (g / 7) %% {CHANNELS}]"
            " FROM (SELECT g, %(start)s::timestamptz + (g - 1) * (%(span)s::float / %(contacts)s)"
            " * interval '1 second' AS opened, 1 + ((g * 7919) %% 97 + (g * 31) %% 144) AS fr,"
            " 30 + (g * 104729) %% 2000 AS res, (g %% 10 = 0) AS is_open"
            " FROM generate_series(1::bigint, %(contacts)s) AS g) AS series",
            p,
        )
        survey = Survey.objects.create(name=f"{PREFIX}survey")
        p["survey"] = survey.pk
        # One contact in ten invited an hour after it opened; every other invitation answered.
        cursor.execute(
            f"INSERT INTO {_t(Invitation)} (created_at, updated_at, email, language, status,"
            " suppression_reason, nonce, scheduled_for, sent_at, expires_at, agent_id,"
            " channel_id, contact_id, survey_id)"
            " SELECT c.opened_at, c.opened_at, '', 'en',"
            " CASE WHEN c.id %% 20 = 0 THEN 'answered' ELSE 'sent' END, '', md5(c.id::text),"
            " c.opened_at + interval '1 hour', c.opened_at + interval '1 hour',"
            " c.opened_at + interval '8 days', c.agent_id, c.channel_id, c.id, %(survey)s"
            f" FROM {_t(Contact)} c WHERE c.channel_id = ANY(%(channels)s) AND c.id %% 10 = 0",
            p,
        )
        # An answer for one contact in ten (those invited and answered, and kiosk-like ones).
        cursor.execute(
            f"INSERT INTO {_t(Response)} (csat, nps, ces, comment, language, created_at,"
            " agent_id, channel_id, invitation_id)"
            " SELECT 1 + c.id %% 5, c.id %% 11, 1 + c.id %% 7, '', 'en',"
            " c.opened_at + interval '2 hours', c.agent_id, c.channel_id, i.id"
            f" FROM {_t(Contact)} c LEFT JOIN {_t(Invitation)} i ON i.contact_id = c.id"
            " AND i.status = 'answered'"
            " WHERE c.channel_id = ANY(%(channels)s) AND (c.id %% 20 = 0 OR c.id %% 20 = 5)",
            p,
        )
        took = time.perf_counter() - began
        write(f"  {options.contacts:,} contacts and their surveys in {took:.1f} s")
    with connection.cursor() as cursor:
        for model in (Contact, Invitation, Response, Evaluation, EvaluationItem, Acknowledgement):
            cursor.execute(f"ANALYZE {_t(model)}")
        cursor.execute(f"ANALYZE {_t(Obligation)}")


# -- timing --------------------------------------------------------------------------------------


def _time(client, url, params, rounds) -> tuple[float, int]:
    """Median seconds of ``rounds`` requests (after one that counts its queries)."""
    executed = 0

    def count(execute, sql, params, many, context):
        nonlocal executed
        executed += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url, params)
    assert response.status_code == 200, response.content[:500]

    def call():
        answer = client.get(url, params)
        assert answer.status_code == 200
        return answer

    seconds, _response = common.median(call, rounds)
    return seconds, executed


def run(options: Options, *, write) -> dict:
    common.require_postgres("The scorecard benchmark")
    last_day = None if options.rebuild else existing_data(options)
    if last_day is None:
        last_day = dt.date.today()
        write(f"Building the scorecard data ({_sizes(options)}) …")
        began = time.perf_counter()
        build(options, last_day, write=write)
        write(f"  built in {time.perf_counter() - began:.1f} s")
    else:
        write(f"Reusing the scorecard data ({_sizes(options)}, last day {last_day}).")
    manager = manager_user()
    page_client = Client()
    page_client.force_login(manager)
    api = APIClient()
    token, _ = Token.objects.get_or_create(user=manager)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    start = last_day - dt.timedelta(days=PERIOD_DAYS - 1)
    page_params = {"period": "custom", "from": start.isoformat(), "to": last_day.isoformat()}
    api_params = {"from": start.isoformat(), "to": last_day.isoformat()}
    slug = (
        Standard.objects.filter(slug__startswith=PREFIX)
        .order_by("id")
        .values_list("slug", flat=True)[0]
    )
    results: dict = {
        "standards": options.standards,
        "staff": options.staff,
        "contacts": options.contacts,
        "evaluations_per_standard": options.evaluations,
        "last_day": last_day.isoformat(),
        "period_days": PERIOD_DAYS,
    }
    lo = dt.datetime.combine(start, dt.time(0, 0), tzinfo=dt.UTC)

    def floor():
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM {_t(Contact)} WHERE opened_at >= %s AND channel_id IN"
                f" (SELECT id FROM {_t(Channel)} WHERE code LIKE %s)",
                [lo, f"{PREFIX}%"],
            )
            return cursor.fetchone()[0]

    floor()
    floor_seconds, in_period = common.median(floor, options.rounds)
    results["floor_seconds"] = round(floor_seconds, 4)
    results["period_contacts"] = in_period
    write(f"  floor: {floor_seconds:.3f} s median to count the period's {in_period:,} contacts")
    cold = {"SLA_REPORT_DASHBOARD_CACHE_SECONDS": 0}
    for name, client, url, params in (
        ("overview", page_client, reverse("quality:overview"), page_params),
        ("scorecard", page_client, reverse("quality:scorecard", args=[slug]), page_params),
        ("api", api, reverse("report-standards"), api_params),
    ):
        with override_settings(**cold):
            seconds, queries = _time(client, url, params, options.rounds)
        shared_seconds, _queries = _time(client, url, params, options.rounds)
        results[f"{name}_shared_seconds"] = round(shared_seconds, 4)
        results[f"{name}_seconds"] = round(seconds, 4)
        results[f"{name}_queries"] = queries
        results[f"{name}_ratio_vs_floor"] = round(seconds / floor_seconds, 2)
        results["load_average_1min"] = round(os.getloadavg()[0], 2)
        write(
            f"  {name}: {seconds:.3f} s median, {queries} queries, shared {shared_seconds:.3f} s"
            f" ({url}?{urlencode(params)})"
        )
    return results


def verdicts(results: dict) -> list[tuple[str, str, str, str]]:
    keys = [
        "floor_seconds",
        "overview_seconds",
        "overview_ratio_vs_floor",
        "overview_shared_seconds",
        "overview_queries",
        "scorecard_seconds",
        "scorecard_ratio_vs_floor",
        "scorecard_shared_seconds",
        "scorecard_queries",
        "api_seconds",
        "api_ratio_vs_floor",
        "api_shared_seconds",
        "api_queries",
        "load_average_1min",
    ]
    return common.verdicts(results, keys, TARGETS)


def main(argv=None) -> int:
    options = common.kept_data_options(
        Options, argv, description=__doc__, what="scorecard benchmark", cleanup=cleanup
    )
    if options is None:
        return 0
    if min(options.standards, options.staff, options.contacts, options.rounds) < 1:
        raise SystemExit("--standards, --staff, --contacts and --rounds must be at least 1.")
    results = run(options, write=print)
    common.report("scorecard", results, verdicts(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
