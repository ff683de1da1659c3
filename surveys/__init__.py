"""Customer surveys: invitations (an outbox), single-use links, office kiosks, CSAT/NPS/CES,
low-score follow-ups and the satisfaction report.

Decisions worth knowing:

- Invitations are written by the ``contacts_resolved`` receiver inside the resolving
  transaction. Contacts that arrive already resolved (``imported=True``) are invited only while
  a link would still be valid (resolved less than ``link_lifetime_days`` ago); they are sent at
  once and expire ``link_lifetime_days`` after the resolution.
- Throttling: an address with a non-suppressed invitation created within the survey's
  ``throttle_days``, on any channel, gets a ``suppressed``/``throttled`` invitation.
- Links: ``<id>.<HMAC-SHA256 under SECRET_KEY over the stored 32-byte nonce>`` (see
  ``tokens``). They take answers from creation (even before the e-mail went out) until expiry or
  the answer. Suppressed invitations have no working link. On the page, unknown and expired
  links show the same 404 "not valid any more" page; the JSON endpoint follows docs/api.md
  (404 unknown, 410 expired).
- The report counts responses answered in the period and invitations whose ``sent_at`` falls in
  it (status sent or answered); the response rate is the share of those that were answered.
  Kiosk answers count as responses but not in the response rate.
- Attribution: the agent and channel are copied from the contact onto the invitation when it
  is resolved, and from there onto the response.
"""
