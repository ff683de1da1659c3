from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Onboarding")

    def ready(self):
        from django.contrib.auth.models import User
        from django.db.models.signals import m2m_changed

        from core.hooks import add_links
        from standards.signals import (
            draft_started,
            standard_reinstated,
            standard_retired,
            version_published,
        )
        from training import links, receivers, reminders

        reminders.register_messages()
        add_links("standards.version_links", links.check_link)
        m2m_changed.connect(
            receivers.groups_changed,
            sender=User.groups.through,
            dispatch_uid="training_groups_changed",
        )
        version_published.connect(
            receivers.version_published, dispatch_uid="training_version_published"
        )
        draft_started.connect(receivers.draft_started, dispatch_uid="training_draft_started")
        standard_retired.connect(
            receivers.standard_retired, dispatch_uid="training_standard_retired"
        )
        standard_reinstated.connect(
            receivers.standard_reinstated, dispatch_uid="training_standard_reinstated"
        )
