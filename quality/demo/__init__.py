"""Demo data of the quality app for ``seed_demo`` (after the standards' demo book)."""

from quality.demo import evaluations


def seed(*, users) -> None:
    """Demo evaluations; idempotent. ``users`` maps demo usernames to users."""
    evaluations.seed(users=users)
