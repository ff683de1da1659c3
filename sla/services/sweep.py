# ruff: noqa: S608 -- SQL text is built from quoted model identifiers only; values are parameters.
"""The breach sweep: set-based statements over the indexed deadline columns, never a row loop.

Each step claims contacts with a conditional ``UPDATE`` (state still running and the stored
instant passed), so a contact flips once however many sweeps run at once; the breach rows, the
timeline events and the outbox rows are inserted from exactly the rows that one step flipped,
and unique constraints (``ON CONFLICT DO NOTHING``) make a replay harmless.

* PostgreSQL: one statement per step, a data-modifying CTE (``UPDATE ... RETURNING`` feeding the
  inserts), so concurrent sweeps never see each other's half-done work.
* SQLite: the inserts select with the same predicate first, then the ``UPDATE`` flips; SQLite has
  one writer at a time (the project opens transactions ``IMMEDIATE``), so nothing can change the
  rows between the statements of one transaction.

Everything runs in one transaction: a worker that dies half-way leaves nothing half-done, and
the next run, being state-based ("past its deadline and not flagged yet"), finishes the job. A
first query asks whether any step has work at all, so a run with nothing new costs one indexed
query.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import connection, transaction

from channels_app.models import Channel
from channels_app.selectors import channel_business_calendar
from core.clock import now_or
from sla.models import Breach, Contact, ContactEvent, Metric, SlaNotification
from sla.services.common import alert_grace, alert_history_window

KIND_BREACH = SlaNotification.Kind.BREACH
KIND_AT_RISK = SlaNotification.Kind.AT_RISK


@dataclass(frozen=True)
class Step:
    metric: str
    kind: str

    @property
    def prefix(self) -> str:
        return "first_response" if self.metric == Metric.FIRST_RESPONSE else "resolution"

    @property
    def counter(self) -> str:
        return f"{self.prefix}_{'breached' if self.kind == KIND_BREACH else 'at_risk'}"


STEPS = (
    Step(Metric.FIRST_RESPONSE, KIND_BREACH),
    Step(Metric.RESOLUTION, KIND_BREACH),
    Step(Metric.FIRST_RESPONSE, KIND_AT_RISK),
    Step(Metric.RESOLUTION, KIND_AT_RISK),
)


def _col(model, field: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(field).column)


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _dt(value: datetime):
    return connection.ops.adapt_datetimefield_value(value)


class _Sql:
    """SQL text for one step; ``params`` lists follow the placeholders in order."""

    def __init__(self, step: Step, now: datetime, contact_ids: list[int] | None):
        self.step = step
        self.now = _dt(now)
        self.postgres = connection.vendor == "postgresql"
        state = _col(Contact, f"{step.prefix}_state")
        due = _col(Contact, f"{step.prefix}_due_at")
        warn = _col(Contact, f"{step.prefix}_warn_at")
        # Must read like the partial indexes' conditions (Contact.Meta.indexes) to use them.
        if step.kind == KIND_BREACH:
            self.predicate = f"{state} IN ('pending', 'at_risk') AND {due} < %s"
            self.predicate_params = [self.now]
            self.at_column = due
            self.new_state = "breached"
        else:
            self.predicate = f"{state} = 'pending' AND {warn} <= %s AND {due} >= %s"
            self.predicate_params = [self.now, self.now]
            self.at_column = warn
            self.new_state = "at_risk"
        if contact_ids is not None:
            if self.postgres:
                self.predicate += " AND id = ANY(%s)"
                self.predicate_params.append(list(contact_ids))
            else:
                self.predicate += " AND id IN (SELECT value FROM json_each(%s))"
                self.predicate_params.append(json.dumps(list(contact_ids)))
        self.state = state

    def columns(self) -> str:
        """What the inserts read of a flipped contact; ``learned_at`` is when the portal got it."""
        return (
            f"id, {_col(Contact, 'channel')} AS channel_id, {_col(Contact, 'agent')} AS agent_id,"
            f" notify, {self.at_column} AS at, {_col(Contact, 'created_at')} AS learned_at"
        )

    def select_claimed(self) -> tuple[str, list]:
        sql = f"SELECT {self.columns()} FROM {_table(Contact)} WHERE {self.predicate}"
        return sql, list(self.predicate_params)

    def update(self, returning: bool) -> tuple[str, list]:
        sql = f"UPDATE {_table(Contact)} SET {self.state} = %s WHERE {self.predicate}"
        if returning:
            sql += f" RETURNING {self.columns()}"
        return sql, [self.new_state, *self.predicate_params]

    def insert_breaches(self, source: str, source_params: list) -> tuple[str, list]:
        sql = (
            f"INSERT INTO {_table(Breach)} ({_col(Breach, 'contact')}, metric, due_at,"
            f" detected_at) SELECT f.id, %s, f.at, %s FROM {source} f WHERE true"
            " ON CONFLICT DO NOTHING"
        )
        return sql, [self.step.metric, self.now, *source_params]

    def insert_events(self, source: str, source_params: list) -> tuple[str, list]:
        kind = (
            ContactEvent.Kind.BREACHED
            if self.step.kind == KIND_BREACH
            else ContactEvent.Kind.AT_RISK
        )
        detail = "CAST(%s AS jsonb)" if self.postgres else "%s"
        sql = (
            f"INSERT INTO {_table(ContactEvent)} ({_col(ContactEvent, 'contact')}, kind, metric,"
            f" at, detail, recorded_at) SELECT f.id, %s, %s, f.at, {detail}, %s"
            f" FROM {source} f WHERE true"
        )
        return sql, [str(kind), self.step.metric, "{}", self.now, *source_params]

    def insert_notifications(self, source: str, source_params: list, not_before: NotBefore):
        """Owner and agent of each claimed contact (active, with an email), unless imported.

        Not for history: a contact whose deadline had passed more than the history window
        before the portal learned of it (``created_at``) is recorded, never alerted.
        """
        user = get_user_model()
        n = SlaNotification
        case_params: list = []
        if not_before.per_channel:
            whens = " ".join("WHEN %s THEN %s" for _ in not_before.per_channel)
            for channel_id, instant in sorted(not_before.per_channel.items()):
                case_params += [channel_id, _dt(instant)]
            case = f"CASE f.channel_id {whens} ELSE %s END"
        else:
            case = "%s"
        case_params.append(_dt(not_before.default))
        if self.postgres:
            recent = "f.at >= f.learned_at - make_interval(secs => %s)"
        else:
            recent = "julianday(f.at) >= julianday(f.learned_at) - %s / 86400.0"
        case_params_tail = [alert_history_window().total_seconds()]
        sql = (
            f"INSERT INTO {_table(n)} ({_col(n, 'recipient')}, {_col(n, 'channel')},"
            f" {_col(n, 'contact')}, metric, kind, status, created_at, not_before, sent_at,"
            f" attempts, last_error)"
            f" SELECT u.id, f.channel_id, f.id, %s, %s, 'pending', %s, {case}, NULL, 0, ''"
            f" FROM {source} f"
            f" JOIN {_table(Channel)} ch ON ch.id = f.channel_id"
            " CROSS JOIN (SELECT 1 AS k UNION ALL SELECT 2) r"
            f" JOIN {_table(user)} u"
            f" ON u.id = CASE r.k WHEN 1 THEN ch.{_col(Channel, 'owner')} ELSE f.agent_id END"
            f" WHERE f.notify AND u.is_active AND u.email <> '' AND {recent}"
            " ON CONFLICT DO NOTHING"
        )
        return sql, [
            self.step.metric,
            self.step.kind,
            self.now,
            *case_params,
            *source_params,
            *case_params_tail,
        ]


@dataclass(frozen=True)
class NotBefore:
    """When new alerts may go: after the grace period, and not before the channel opens."""

    default: datetime
    per_channel: dict[int, datetime]


def _not_before(now: datetime) -> NotBefore:
    """One query and cached calendar maths: closed channels wait for their next opening."""
    earliest = now + alert_grace()
    result = {}
    for channel in Channel.objects.filter(calendar__isnull=False).select_related("calendar"):
        calendar = channel_business_calendar(channel)
        if calendar.is_open(now):
            continue
        try:
            opening = calendar.next_opening(now)
        except ValueError:  # no opening hours at all: send rather than hold forever
            continue
        if opening > earliest:
            result[channel.pk] = opening
    return NotBefore(earliest, result)


def _steps_with_work(now: datetime, contact_ids) -> list[Step]:
    """One query: which steps have anything to flag (a hint; the steps re-check on their own)."""
    parts, params = [], []
    for step in STEPS:
        sql = _Sql(step, now, contact_ids)
        # Not EXISTS: PostgreSQL plans EXISTS for the first row and, trusting an estimate that
        # assumes the at-risk conditions (warned, not yet due) independent, chose a full scan of
        # the table that found nothing (1.7 s over a million contacts). Ordered by the indexed
        # column with LIMIT 1, the partial index is the cheap plan, and it is short exactly when
        # there is nothing new.
        parts.append(
            f"(SELECT 1 FROM {_table(Contact)} WHERE {sql.predicate}"
            f" ORDER BY {sql.at_column} LIMIT 1) IS NOT NULL"
        )
        params += sql.predicate_params
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        flags = cursor.fetchone()
    return [step for step, flag in zip(STEPS, flags, strict=True) if flag]


def run_step(step: Step, now: datetime, contact_ids, not_before) -> tuple[int, int, int]:
    """Flip, record and queue for one step; returns (contacts flipped, breaches, notifications)."""
    sql = _Sql(step, now, contact_ids)
    with connection.cursor() as cursor:
        if sql.postgres:
            update, params = sql.update(returning=True)
            parts = [f"WITH flipped AS ({update})"]
            counts = ["(SELECT count(*) FROM flipped)"]
            if step.kind == KIND_BREACH:
                text, more = sql.insert_breaches("flipped", [])
                parts.append(f"b AS ({text} RETURNING 1)")
                params += more
                counts.append("(SELECT count(*) FROM b)")
            else:
                counts.append("0")
            text, more = sql.insert_events("flipped", [])
            parts.append(f"e AS ({text} RETURNING 1)")
            params += more
            text, more = sql.insert_notifications("flipped", [], not_before)
            parts.append(f"n AS ({text} RETURNING 1)")
            params += more
            counts.append("(SELECT count(*) FROM n)")
            cursor.execute(", ".join(parts) + " SELECT " + ", ".join(counts), params)
            flipped, breaches, notes = cursor.fetchone()
            return flipped, breaches, notes

        claimed, claimed_params = sql.select_claimed()
        source = f"({claimed})"
        breaches = 0
        if step.kind == KIND_BREACH:
            cursor.execute(*sql.insert_breaches(source, claimed_params))
            breaches = cursor.rowcount
        cursor.execute(*sql.insert_events(source, claimed_params))
        cursor.execute(*sql.insert_notifications(source, claimed_params, not_before))
        notes = cursor.rowcount
        cursor.execute(*sql.update(returning=False))
        return cursor.rowcount, breaches, notes


@transaction.atomic
def sla_sweep(*, now: datetime | None = None, contact_ids=None) -> dict[str, int]:
    """Mark at-risk and breached contacts, record breaches, queue notifications; return counts.

    ``contact_ids`` limits the sweep to some contacts (the services use it for late imports);
    the periodic task sweeps everything.
    """
    now = now_or(now)
    if contact_ids is not None:
        contact_ids = sorted(set(contact_ids))
    counts = {step.counter: 0 for step in STEPS}
    counts.update(breaches=0, notifications=0)
    if contact_ids == []:
        return counts
    steps = _steps_with_work(now, contact_ids)
    if not steps:
        return counts
    not_before = _not_before(now)
    for step in steps:
        flipped, breaches, notes = run_step(step, now, contact_ids, not_before)
        counts[step.counter] += flipped
        counts["breaches"] += breaches
        counts["notifications"] += notes
    return counts
