"""The Celery app: broker and result store from settings, behaviour and schedule in code.

Each setting says why it is here. In short: a task is acknowledged late and run again when its
worker dies, so every task is idempotent; schedules are state-based ("everything past its
deadline and not yet flagged"), so a run that beat missed heals itself at the next one.
"""

import os
from queue import Empty

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_ready
from kombu.transport import redis as kombu_redis

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")


class RedisChannel(kombu_redis.Channel):
    """kombu's Redis channel, closed completely even when the server is gone.

    When Redis goes away while the worker waits in BRPOP and a late-acknowledged task is running,
    celery's consumer closes the connection twice: ``collect()`` first, then ``close()``.
    kombu's ``Channel.close`` reads the pending BRPOP reply before anything else (kombu #1733,
    so a popped message is not lost); with the server gone that read raises, the channel stays
    half open, ``collect()`` drops the transport's client, and the second close restores the
    unacknowledged message through it: ``AttributeError: 'NoneType' object has no attribute
    'hostname'`` (the crash of kombu #582 and #970, here from celery 5.7's extra close), which
    kills the worker. Tried with celery 5.7.0 / kombu 5.7.0 / redis-py 8.1.0 and a prefork
    worker of two processes: it died each time; with this channel it reconnects
    (``core/tests/test_outage.py``). A dead connection has no reply to read: finish closing.
    """

    def close(self):
        if self._in_poll:
            try:
                self._brpop_read()
            except Empty:
                pass
            except self.connection_errors:
                pass  # the server is gone, and the reply with it; _brpop_read cleared _in_poll
        super().close()


class RedisTransport(kombu_redis.Transport):
    """The Redis transport with ``RedisChannel`` (``CELERY_BROKER_TRANSPORT`` in settings)."""

    Channel = RedisChannel


app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")

app.conf.update(
    accept_content=["json"],
    task_serializer="json",
    result_serializer="json",
    result_expires=3600,
    task_ignore_result=True,
    # A task whose worker dies is delivered again, so every task must be idempotent.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    worker_cancel_long_running_tasks_on_connection_loss=True,
    broker_connection_retry_on_startup=True,
    task_default_retry_delay=10,
    timezone="UTC",
    beat_schedule={
        "heartbeat": {
            "task": "portal.tasks.heartbeat",
            "schedule": 30.0,
            "options": {"expires": 25},
        },
        "clear-expired-sessions": {
            "task": "portal.tasks.clear_sessions",
            "schedule": crontab(minute=17, hour=3),
        },
        # The outbox of every email; writers also ask for a run after they commit.
        "outbox-send": {
            "task": "core.tasks.send_outbox",
            "schedule": 60.0,
            "options": {"expires": 50},
        },
        # State-based: a missed or expired run is healed by the next one.
        "sla-sweep": {
            "task": "sla.tasks.sweep",
            "schedule": 60.0,
            "options": {"expires": 50},
        },
        # The SLA report's daily summary: deltas the contact triggers wrote, folded in.
        "sla-report-summary-fold": {
            "task": "sla.tasks.fold_report_summary",
            "schedule": 60.0,
            "options": {"expires": 50},
        },
        "surveys-expire-invitations": {
            "task": "surveys.tasks.expire_invitations",
            "schedule": 300.0,
            "options": {"expires": 250},
        },
        "standards-review-reminders": {
            "task": "standards.tasks.send_review_reminders",
            "schedule": crontab(minute=5, hour=7),
        },
        # Hourly so each person hears within their working hours; each step goes once.
        "training-reminders": {
            "task": "training.tasks.send_reminders",
            "schedule": crontab(minute=20),
            "options": {"expires": 3000},
        },
        "training-manager-digest": {
            "task": "training.tasks.send_manager_digest",
            "schedule": crontab(minute=30, hour=7, day_of_week=1),
        },
    },
)
app.autodiscover_tasks()


@worker_ready.connect
def _record_heartbeat_on_start(**kwargs):
    """Show the worker as running at once instead of after the first scheduled heartbeat."""
    from portal import health

    health.record_heartbeat()
