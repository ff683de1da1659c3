import pytest

from conftest import make_user
from core.roles import MANAGER, STAFF


@pytest.fixture
def second_manager(db):
    return make_user("manager2", MANAGER, first_name="Marek", last_name="Second")


@pytest.fixture
def second_staff_user(db):
    return make_user("agent2", STAFF)
