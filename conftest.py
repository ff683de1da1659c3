import pytest
from django.contrib.auth.models import Group, User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.roles import INTEGRATION, MANAGER, STAFF


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's language: a request that activated a person's language
    leaves it active in the thread, and templates rendered outside a request would inherit it."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_hashing_and_isolated_cache(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    if settings.CACHES["default"]["BACKEND"].endswith("FileBasedCache"):
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": str(tmp_path / "cache"),
            }
        }
    else:
        from django.core.cache import cache

        cache.clear()


def make_user(username: str, role: str | None, **extra) -> User:
    user = User.objects.create_user(
        username=username,
        password="correct-horse-battery",  # core.testing_browser.TEST_PASSWORD
        email=f"{username}@example.com",
        **extra,
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def manager(db):
    return make_user("manager", MANAGER, first_name="Maria", last_name="Manager")


@pytest.fixture
def staff_user(db):
    return make_user("agent", STAFF, first_name="Adam", last_name="Agent")


@pytest.fixture
def integration_user(db):
    return make_user("helpdesk", INTEGRATION)


@pytest.fixture
def no_role_user(db):
    return make_user("outsider", None)


def _api_client_for(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def manager_api(manager):
    return _api_client_for(manager)


@pytest.fixture
def staff_api(staff_user):
    return _api_client_for(staff_user)


@pytest.fixture
def integration_api(integration_user):
    return _api_client_for(integration_user)


@pytest.fixture
def no_role_api(no_role_user):
    return _api_client_for(no_role_user)


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture(autouse=True)
def _celery_eager():
    """Tasks run in-process during tests, unless a test starts a real worker."""
    from portal.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = False


# Playwright's Chromium for the browser tests of every app.
from core.testing_browser import browser  # noqa: E402, F401
