"""What training adds to the standards pages (the ``standards.version_links`` slot of
``core.hooks``): the way to a version's comprehension check, for managers."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext

from core.hooks import Link
from core.roles import MANAGER, has_role


def check_link(request, version) -> list[Link]:
    """``version``: the one the page is about (on a standard's page, the one in preparation,
    else the published one), its ``standard`` already loaded; None when there is neither."""
    if version is None or not has_role(request.user, MANAGER):
        return []
    return [
        Link(
            reverse(
                "training:questions",
                kwargs={"slug": version.standard.slug, "number": version.number},
            ),
            gettext("Comprehension check"),
            id="check-link",
        )
    ]
