"""Where the scorecard reads QA evaluations from: the one module to change when they move.

Evaluations are moving from ``standards`` to ``quality`` (with disputes, where a score can be
changed by a later revision). Until then they live in ``standards`` and every row counts; once
moved, ``Evaluation.objects.current()`` gives one row per evaluated interaction with its
effective ``score`` and ``critical_missed``.
"""

from __future__ import annotations

from standards.models import Evaluation, EvaluationItem
from standards.services import evaluation_create

#: The evaluations list page (filters: ``standard`` slug, ``date_from``, ``date_to``).
EVALUATION_LIST_URL = "standards:evaluation-list"

__all__ = [
    "EVALUATION_LIST_URL",
    "Evaluation",
    "EvaluationItem",
    "current_evaluations",
    "evaluation_create",
]


def current_evaluations():
    """One row per evaluated interaction, with its effective score."""
    return Evaluation.objects.all()
