from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The kernel: machinery every app may use, and which uses none of them."""

    name = "core"
    verbose_name = _("Portal kernel")
