"""What training adds to the standards pages (through ``standards.links``): the way to a
version's comprehension check, for managers."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext

from portal.roles import MANAGER, has_role
from standards.links import PageLink


def check_link(*, user, standard, version) -> list[PageLink]:
    if version is None or not has_role(user, MANAGER):
        return []
    return [
        PageLink(
            label=gettext("Comprehension check"),
            url=reverse(
                "training:questions", kwargs={"slug": standard.slug, "number": version.number}
            ),
            id="check-link",
        )
    ]
