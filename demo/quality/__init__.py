"""Demo data of the quality app for ``seed_demo`` (after the standards' demo book)."""

from demo.quality import evaluations, scorecard


def seed(*, users) -> None:
    """Demo evaluations, then what the scorecard still lacks; idempotent. ``users`` maps demo
    usernames to users."""
    evaluations.seed(users=users)
    scorecard.seed(users=users)
