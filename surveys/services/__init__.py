"""Writes, a module per job: ``invitations`` (who is asked, their emails through the outbox,
expiry), ``answers`` (from a link or a kiosk, and the follow-up a low answer opens) and
``manage`` (kiosks, surveys, follow-ups).

Every function is keyword-only and atomic; pages, the API, tasks and the demo call these, as
``services.X``.
"""

from surveys.services.answers import (
    COMMENT_MAX,
    AlreadyAnswered,
    KioskBusy,
    KioskFull,
    LinkExpired,
    _clean_answer,
    invitation_usable,
    kiosk_submit,
    response_submit,
    settings_follow_up_hours,
)
from surveys.services.invitations import (
    FOLLOW_UP,
    INVITATION,
    invitation_message,
    invitations_create_for_contacts,
    invitations_expire,
    register_messages,
)
from surveys.services.manage import (
    follow_up_close,
    kiosk_create,
    kiosk_revoke,
    kiosk_set_language,
    survey_delete,
    survey_save,
)

__all__ = [
    "COMMENT_MAX",
    "FOLLOW_UP",
    "INVITATION",
    "AlreadyAnswered",
    "KioskBusy",
    "KioskFull",
    "LinkExpired",
    "_clean_answer",
    "follow_up_close",
    "invitation_message",
    "invitation_usable",
    "invitations_create_for_contacts",
    "invitations_expire",
    "kiosk_create",
    "kiosk_revoke",
    "kiosk_set_language",
    "kiosk_submit",
    "register_messages",
    "response_submit",
    "settings_follow_up_hours",
    "survey_delete",
    "survey_save",
]
