"""Writes for quality: the one code path that pages, the API, commands and the demo call."""

from quality.services.disputes import evaluation_accept, evaluation_dispute, evaluation_resolve
from quality.services.evaluations import evaluation_create, evaluation_delete, require_evaluator

__all__ = [
    "evaluation_accept",
    "evaluation_create",
    "evaluation_delete",
    "evaluation_dispute",
    "evaluation_resolve",
    "require_evaluator",
]
