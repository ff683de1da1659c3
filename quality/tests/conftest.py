import pytest

from conftest import make_user
from core.roles import MANAGER, STAFF


@pytest.fixture
def second_manager(db):
    return make_user("manager2", MANAGER, first_name="Marek", last_name="Second")


@pytest.fixture
def second_staff_user(db):
    return make_user("agent2", STAFF)


@pytest.fixture
def evaluable_version(db):
    """Weights 3 (critical), 2 and 1."""
    from standards.tests.factories import StandardFactory, make_evaluable_version

    return make_evaluable_version(standard=StandardFactory(slug="greeting", title="Greeting"))


@pytest.fixture
def world(manager):
    """A standard on a chat channel, three people, evaluations, contacts and answers."""
    from quality.tests.scorecard_world import build_world

    return build_world(manager)
