"""Test data of the quality app; standards' factories give the standards and versions."""

from __future__ import annotations

import itertools
from datetime import timedelta

from django.utils import timezone

from quality.services import evaluation_create
from standards.models import StandardVersion
from standards.tests.factories import answers_for

_references = itertools.count(1000)


def make_evaluation(
    *,
    version: StandardVersion,
    agent,
    evaluator,
    results: str | None = None,
    occurred_at=None,
    reference: str | None = None,
    **kwargs,
):
    """An evaluation made through the service (results default to all met)."""
    results = results or "M" * version.criteria.count()
    return evaluation_create(
        evaluator=evaluator,
        agent=agent,
        version=version,
        answers=answers_for(version, results),
        interaction_reference=reference or f"T-{next(_references)}",
        occurred_at=occurred_at or timezone.now() - timedelta(hours=1),
        **kwargs,
    )
