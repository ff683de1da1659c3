from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    """Closes the loop per standard: evaluations, disputes and the scorecard.

    It reads standards, training, SLA and surveys; none of them imports it.
    """

    name = "quality"
    verbose_name = _("Quality")

    def ready(self):
        from quality import hooks
        from quality.services import disputes

        hooks.register()
        disputes.register_messages()
