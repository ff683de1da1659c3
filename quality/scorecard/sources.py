"""Where the scorecard reads QA evaluations from: the one module to change when they move.

Evaluations live in ``quality.models`` (moved from ``standards``); a disputed evaluation may be
resolved with a new revision, so ``Evaluation.objects.current()`` is what every figure reads:
one row per evaluated interaction with its effective ``score`` and ``critical_missed``.
"""

from __future__ import annotations

from quality.models import Evaluation, EvaluationItem
from quality.services import evaluation_create

#: The evaluations list page (filters: ``standard`` slug, ``date_from``, ``date_to``).
EVALUATION_LIST_URL = "quality:evaluation-list"

__all__ = [
    "EVALUATION_LIST_URL",
    "Evaluation",
    "EvaluationItem",
    "current_evaluations",
    "evaluation_create",
]


def current_evaluations():
    """One row per evaluated interaction, with its effective score."""
    return Evaluation.objects.current()
