"""The quality app's REST endpoints, registered by ``portal.urls_api``: QA evaluations
(``evaluations``) and the standards report (``reports``)."""

from quality.api import evaluations, reports

extra_urls = reports.extra_urls


def register(router) -> None:
    """Adds the app's viewsets to the API router."""
    router.register("evaluations", evaluations.EvaluationViewSet, basename="evaluation")
