"""Writes of the SLA app: the one code path for the API, pages, imports, tasks and commands.

Import from here (``from sla import services``); the submodules are an implementation detail.
"""

from sla.services.contact_changes import (
    contact_assign,
    contact_change_priority,
    contact_pause,
    contact_record_first_response,
    contact_resolve,
    contact_resume,
    contact_update,
)
from sla.services.contacts import (
    BULK_MAX,
    BulkResult,
    BulkValidationError,
    contact_create,
    contacts_bulk_create,
)
from sla.services.imports import (
    ContactImportError,
    contact_import_advance,
    contact_import_cancel,
    contact_import_create,
    contact_import_start,
    contact_imports_resume,
)
from sla.services.notifications import notifications_digest, notifications_withdraw
from sla.services.policies import sla_policy_create, sla_policy_delete, sla_policy_update
from sla.services.recompute import contacts_recompute_deadlines, deadline_recomputation_run
from sla.services.sweep import sla_sweep

__all__ = [
    "BULK_MAX",
    "BulkResult",
    "BulkValidationError",
    "ContactImportError",
    "contact_assign",
    "contact_change_priority",
    "contact_create",
    "contact_import_advance",
    "contact_import_cancel",
    "contact_import_create",
    "contact_import_start",
    "contact_imports_resume",
    "contact_pause",
    "contact_record_first_response",
    "contact_resolve",
    "contact_resume",
    "contact_update",
    "contacts_bulk_create",
    "contacts_recompute_deadlines",
    "deadline_recomputation_run",
    "notifications_digest",
    "notifications_withdraw",
    "sla_policy_create",
    "sla_policy_delete",
    "sla_policy_update",
    "sla_sweep",
]
