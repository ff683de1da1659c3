from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Onboarding")

    def ready(self):
        from django.contrib.auth.models import User
        from django.db.models.signals import m2m_changed

        from standards.signals import version_published
        from training import receivers, reminders

        reminders.register_messages()
        m2m_changed.connect(
            receivers.groups_changed,
            sender=User.groups.through,
            dispatch_uid="training_groups_changed",
        )
        version_published.connect(
            receivers.version_published, dispatch_uid="training_version_published"
        )
