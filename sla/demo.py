def seed(*, users):
    """Demo data of this app; idempotent. ``users`` maps demo usernames to users."""
