"""Writes for quality: the one code path that pages, the API, commands and the demo call."""

from quality.services.evaluations import evaluation_create, evaluation_delete

__all__ = ["evaluation_create", "evaluation_delete"]
