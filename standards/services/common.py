"""What the standards services share: error types, role check, input validation."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import parse
from core.roles import MANAGER, has_role
from standards.markdown import MAX_BODY_LENGTH
from standards.models import (
    WEIGHT_MAX,
    Criterion,
    ImmutableVersionError,
    StandardVersion,
    TypicalSituation,
)

MAX_CRITERIA = 100
MAX_SITUATIONS = 100
CRITERION_TEXT_MAX = Criterion._meta.get_field("text").max_length
SITUATION_TITLE_MAX = TypicalSituation._meta.get_field("title").max_length
SITUATION_TEXT_MAX = 5000
CHANGE_SUMMARY_MAX = 2000

__all__ = [
    "FourEyesError",
    "ImmutableVersionError",
    "VersionStateError",
    "clean_body",
    "clean_criteria",
    "clean_situations",
    "four_eyes_refusal",
    "require_manager",
]


class VersionStateError(ValidationError):
    """The action does not fit the version's current status (a conflict, not bad input)."""

    def __init__(self, message):
        super().__init__(message, code="version_state")


class FourEyesError(PermissionDenied):
    """The standard requires publication by a manager other than the version's author."""


def four_eyes_refusal(version: StandardVersion, user) -> str | None:
    """Why ``user`` may not publish ``version`` under the four-eyes rule, or None."""
    standard = version.standard
    if not standard.four_eyes_required or version.author_id is None:
        return None
    if user is None or version.author_id != user.pk:
        return None
    return gettext(
        "This standard must be published by a manager other than the version's author; "
        "ask another manager to publish it."
    )


def require_manager(user) -> None:
    if user is None or not has_role(user, MANAGER):
        raise PermissionDenied(gettext("Only managers can change standards."))


def clean_body(body_markdown: str) -> str:
    if len(body_markdown) > MAX_BODY_LENGTH:
        raise ValidationError(
            {
                "body_markdown": [
                    _("The body is longer than %(max)d characters.") % {"max": MAX_BODY_LENGTH}
                ]
            }
        )
    return body_markdown


def clean_change_summary(summary: str) -> str:
    summary = (summary or "").strip()
    if len(summary) > CHANGE_SUMMARY_MAX:
        raise ValidationError(
            {
                "change_summary": [
                    _("The change summary is longer than %(max)d characters.")
                    % {"max": CHANGE_SUMMARY_MAX}
                ]
            }
        )
    return summary


def clean_change_kind(kind: str) -> str:
    if kind not in StandardVersion.ChangeKind.values:
        raise ValidationError(
            {"change_kind": [_("Choose “minor” or “major” as the kind of change.")]}
        )
    return kind


def clean_criteria(criteria: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Validated criteria in their given order; every problem is reported at once."""
    items = list(criteria)
    problems: list[str] = []
    cleaned: list[dict[str, Any]] = []
    if len(items) > MAX_CRITERIA:
        problems.append(
            gettext("A version can have at most %(max)d criteria.") % {"max": MAX_CRITERIA}
        )
    for position, item in enumerate(items, start=1):
        text = parse.stripped(item.get("text"))
        weight = item.get("weight", 1)
        if not text:
            problems.append(gettext("Criterion %(n)d: write what is checked.") % {"n": position})
        elif len(text) > CRITERION_TEXT_MAX:
            problems.append(
                gettext("Criterion %(n)d: at most %(max)d characters.")
                % {"n": position, "max": CRITERION_TEXT_MAX}
            )
        if isinstance(weight, bool) or not isinstance(weight, int) or not 1 <= weight <= WEIGHT_MAX:
            problems.append(
                gettext("Criterion %(n)d: the weight must be a whole number from 1 to %(max)d.")
                % {"n": position, "max": WEIGHT_MAX}
            )
        cleaned.append(
            {"text": text, "weight": weight, "is_critical": bool(item.get("is_critical", False))}
        )
    if problems:
        raise ValidationError({"criteria": problems})
    return cleaned


def clean_situations(situations: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    items = list(situations)
    problems: list[str] = []
    cleaned: list[dict[str, str]] = []
    if len(items) > MAX_SITUATIONS:
        problems.append(
            gettext("A version can have at most %(max)d typical situations.")
            % {"max": MAX_SITUATIONS}
        )
    for position, item in enumerate(items, start=1):
        title = parse.stripped(item.get("title"))
        says = parse.stripped(item.get("customer_says"))
        response = parse.stripped(item.get("prescribed_response"))
        if not title:
            problems.append(gettext("Situation %(n)d: give it a title.") % {"n": position})
        elif len(title) > SITUATION_TITLE_MAX:
            problems.append(
                gettext("Situation %(n)d: the title has at most %(max)d characters.")
                % {"n": position, "max": SITUATION_TITLE_MAX}
            )
        if not says:
            problems.append(
                gettext("Situation %(n)d: describe what the customer says or does.")
                % {"n": position}
            )
        if not response:
            problems.append(
                gettext("Situation %(n)d: write the prescribed response.") % {"n": position}
            )
        if len(says) > SITUATION_TEXT_MAX or len(response) > SITUATION_TEXT_MAX:
            problems.append(
                gettext("Situation %(n)d: each text has at most %(max)d characters.")
                % {"n": position, "max": SITUATION_TEXT_MAX}
            )
        cleaned.append({"title": title, "customer_says": says, "prescribed_response": response})
    if problems:
        raise ValidationError({"situations": problems})
    return cleaned
