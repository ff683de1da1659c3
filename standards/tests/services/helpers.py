"""Helpers of the service tests: a standard with a first draft, publishing it."""

from standards import services

CRITERIA = [
    {"text": "Greets within 5 seconds", "weight": 3, "is_critical": True},
    {"text": "Says own first name", "weight": 1},
]
SITUATIONS = [
    {"title": "Angry caller", "customer_says": "Shouts", "prescribed_response": "Stay calm"},
]


def _new_standard(manager, **kwargs):
    standard = services.standard_create(user=manager, title="Greeting the customer", **kwargs)
    version = services.version_create_draft(
        standard=standard,
        user=manager,
        body_markdown="# Greeting\n\nSay hello.",
        change_summary="First version.",
        criteria=CRITERIA,
        situations=SITUATIONS,
    )
    return standard, version


def _publish(version, manager, **kwargs):
    services.version_submit_for_review(version=version, user=manager)
    return services.version_publish(version=version, user=manager, **kwargs)
