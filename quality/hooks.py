"""The links quality puts into the pages of the apps below it (``core.hooks`` slots)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext, pgettext

from core.hooks import Link, add_links
from core.roles import MANAGER, has_role


def _is_manager(request) -> bool:
    return request.user.is_authenticated and has_role(request.user, MANAGER)


def standards_menu(request, obj) -> list[Link]:
    if not _is_manager(request):
        return []
    return [
        Link(reverse("quality:evaluation-list"), gettext("Evaluations"), id="menu-evaluations"),
        Link(reverse("quality:overview"), gettext("Scorecard"), id="menu-scorecard"),
    ]


def standard_actions(request, standard) -> list[Link]:
    """On a standard's page: evaluate against its published version, and its evaluations."""
    if not _is_manager(request) or standard is None:
        return []
    links = []
    if standard.current_version is not None and not standard.is_retired:
        links.append(
            Link(
                reverse("quality:evaluation-create", kwargs={"slug": standard.slug}),
                pgettext("action: evaluate an interaction", "Evaluate"),
                id="evaluate",
                primary=True,
            )
        )
    list_url = reverse("quality:evaluation-list") + "?" + urlencode({"standard": standard.slug})
    links.append(Link(list_url, gettext("Evaluations"), id="standard-evaluations"))
    if standard.current_version is not None:
        links.append(
            Link(
                reverse("quality:scorecard", kwargs={"slug": standard.slug}),
                gettext("Scorecard"),
                id="standard-scorecard",
            )
        )
    return links


def contact_actions(request, contact) -> list[Link]:
    """On a contact's page: evaluate the agent's handling of it."""
    if not _is_manager(request) or contact is None:
        return []
    url = reverse("quality:evaluate-contact", kwargs={"pk": contact.pk})
    return [Link(url, gettext("Evaluate this contact"), id="evaluate-contact")]


def register() -> None:
    add_links("sla.contact_actions", contact_actions)
    add_links("standards.menu", standards_menu)
    add_links("standards.standard_actions", standard_actions)
