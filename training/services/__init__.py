"""Writes for onboarding: the one code path that pages, the API, tasks and commands call.

Import from here (``from training import services``); the submodules, one per job, are an
implementation detail: ``tracks`` (tracks, items, assignments, group rules), ``obligations``
(the one "who owes what" rule), ``checks`` (questions, attempts, scoring),
``acknowledgements``, ``profiles`` (working hours). Reminders and digests, sent through the
kernel's outbox, are ``training.reminders``.
"""

from training.services.acknowledgements import acknowledgement_create, name_matches
from training.services.checks import (
    attempts_state,
    check_attempt_submit,
    check_attempts_reset,
    check_copy,
    check_for,
    check_settings_update,
    parse_choices,
    question_create,
    question_delete,
    score_answers,
)
from training.services.common import reack_days
from training.services.obligations import (
    is_outstanding,
    obligations_on_publication,
    obligations_on_reinstatement,
    obligations_sync,
    obligations_withdraw_retired,
    obligations_withdraw_unrequired,
)
from training.services.profiles import training_profile_update, working_hours_validate
from training.services.tracks import (
    group_members_joined,
    group_rule_create,
    group_rule_delete,
    track_assign,
    track_delete,
    track_save,
    track_unassign,
)

__all__ = [
    "acknowledgement_create",
    "attempts_state",
    "check_attempt_submit",
    "check_attempts_reset",
    "check_copy",
    "check_for",
    "check_settings_update",
    "group_members_joined",
    "group_rule_create",
    "group_rule_delete",
    "is_outstanding",
    "name_matches",
    "obligations_on_publication",
    "obligations_on_reinstatement",
    "obligations_sync",
    "obligations_withdraw_retired",
    "obligations_withdraw_unrequired",
    "parse_choices",
    "question_create",
    "question_delete",
    "reack_days",
    "score_answers",
    "track_assign",
    "track_delete",
    "track_save",
    "track_unassign",
    "training_profile_update",
    "working_hours_validate",
]
