from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The kernel: machinery every app may use, and which uses none of them."""

    name = "core"
    verbose_name = _("Portal kernel")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_migrate
        from django.urls import register_converter

        from core import passwords
        from core.converters import IdConverter
        from core.receivers import fill_language_on_login
        from core.roles import sync_group_permissions

        register_converter(IdConverter, "id")
        passwords.register_messages()
        post_migrate.connect(sync_group_permissions, dispatch_uid="core.sync_group_permissions")
        user_logged_in.connect(fill_language_on_login, dispatch_uid="core.fill_language_on_login")
