"""Signals for apps that build on contacts (sla may not import them back).

Sent inside the service's transaction, so whatever a receiver writes (a survey invitation, say)
commits or rolls back together with the contact.
"""

import django.dispatch

#: Contacts became resolved. Args: ``contact_ids`` (list of ids) and ``imported`` (True when the
#: contacts arrived already resolved, e.g. a helpdesk export, rather than being resolved now);
#: optionally ``channel_ids``, their channels when the sender knows them (saves receivers a query),
#: and ``invite_customers`` (False: history loaded by an import; write nothing to the customers).
contacts_resolved = django.dispatch.Signal()
