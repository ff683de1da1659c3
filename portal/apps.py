from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from portal.roles import sync_group_permissions

        post_migrate.connect(sync_group_permissions, dispatch_uid="portal.sync_group_permissions")
