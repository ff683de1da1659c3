"""REST API of the SLA engine: policies, contacts (idempotent create, bulk, PATCH events), breaches.

Paths, fields and semantics are the contract in ``docs/api.md``. Serializers check the
shape of the input (types, choices, known channel and agent); the services decide everything
else (times in order, state transitions) and their field errors become 400s.

Bulk errors are keyed by the 0-based index of the item in the posted list, each holding that
item's field errors: ``{"3": {"opened_at": ["..."]}}``; errors about the list itself are under
``non_field_errors``.
"""

from sla.api.views import BreachViewSet, ContactViewSet, SlaPolicyViewSet
from sla.reports import api as report_api


def register(router):
    """Add this app's viewsets to the API router."""
    router.register("sla-policies", SlaPolicyViewSet, basename="sla-policy")
    router.register("contacts", ContactViewSet, basename="contact")
    router.register("breaches", BreachViewSet, basename="breach")


extra_urls: list = [*report_api.extra_urls]
