"""The Celery app: broker and result store from settings, behaviour and schedule in code.

Why each setting is here is in ``shared/docs/design.md`` ("Settings that keep it standing").
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

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
    },
)
app.autodiscover_tasks()
