"""SLA pages, a module per job: ``contacts`` (Managers all, Staff their own, read-only, with the
"time to breach" clock), ``policies`` and ``imports`` (the CSV import job's pages).

Every read goes through :mod:`sla.selectors` (a contact the user may not see is a 404) and every
write through :mod:`sla.services`, whose ``ValidationError`` becomes a form error, never a 500.
"""

from sla.views.contacts import (
    ContactDetailView,
    ContactExportView,
    ContactListView,
    SlaClock,
    sla_clock,
)
from sla.views.imports import (
    ContactImportCancelView,
    ContactImportJobView,
    ContactImportProgressView,
    ContactImportRefusedView,
    ContactImportStartView,
    ContactImportView,
    import_progress_text,
)
from sla.views.policies import PolicyCreateView, PolicyListView, PolicyUpdateView

__all__ = [
    "ContactDetailView",
    "ContactExportView",
    "ContactImportCancelView",
    "ContactImportJobView",
    "ContactImportProgressView",
    "ContactImportRefusedView",
    "ContactImportStartView",
    "ContactImportView",
    "ContactListView",
    "PolicyCreateView",
    "PolicyListView",
    "PolicyUpdateView",
    "SlaClock",
    "import_progress_text",
    "sla_clock",
]
