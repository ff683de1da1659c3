"""Reactions to sla's signals (sla may not import surveys)."""

from sla import signals
from surveys.services import invitations_create_for_contacts


def on_contacts_resolved(
    sender=None, *, contact_ids, imported=False, channel_ids=None, invite_customers=True, **kwargs
) -> None:
    if not invite_customers:
        return  # history loaded by an import whose manager chose not to invite
    # Inside the resolving transaction: the invitation commits or rolls back with the contact.
    invitations_create_for_contacts(
        contact_ids=list(contact_ids), imported=imported, channel_ids=channel_ids
    )


def connect() -> None:
    signals.contacts_resolved.connect(on_contacts_resolved, dispatch_uid="surveys.resolved")
