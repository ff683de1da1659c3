import copy

from django.contrib.auth.models import Group
from django.urls import reverse

from core.roles import ALL_ROLES, INTEGRATION, MANAGER, STAFF, sync_group_permissions


def test_groups_exist_with_their_permissions(db):
    assert set(Group.objects.values_list("name", flat=True)) >= set(ALL_ROLES)
    manager = set(Group.objects.get(name=MANAGER).permissions.values_list("codename", flat=True))
    staff = set(Group.objects.get(name=STAFF).permissions.values_list("codename", flat=True))
    integration = set(
        Group.objects.get(name=INTEGRATION).permissions.values_list("codename", flat=True)
    )
    assert {"add_channel", "change_channel", "delete_businesscalendar"} <= manager
    assert "view_channel" in staff
    assert not {p for p in staff if p.startswith(("add_", "change_", "delete_"))}
    assert "view_channel" in integration
    assert "add_channel" not in integration


def test_sync_is_idempotent(db):
    before = Group.objects.get(name=MANAGER).permissions.count()
    sync_group_permissions()
    sync_group_permissions()
    assert Group.objects.get(name=MANAGER).permissions.count() == before


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_user_without_a_role_gets_a_friendly_403(client, no_role_user):
    client.force_login(no_role_user)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 403
    assert "Access denied" in response.content.decode()


def test_navigation_shows_what_the_role_may_use(manager_client):
    manager_page = manager_client.get(reverse("dashboard")).content.decode()
    assert reverse("channels:channel-list") in manager_page
    assert 'id="worker-status"' in manager_page


def test_staff_navigation_hides_manager_pages(staff_client):
    page = staff_client.get(reverse("dashboard")).content.decode()
    assert reverse("channels:channel-list") not in page
    assert 'id="worker-status"' not in page


def test_my_service_page_composes_the_apps_sections(staff_client, monkeypatch, settings):
    from portal import views

    class Section:
        @staticmethod
        def my_service_sections(request):
            return [{"template": "includes/test_section.html", "context": {"n": 7}}]

    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["APP_DIRS"] = False
    templates[0]["OPTIONS"]["loaders"] = [
        (
            "django.template.loaders.locmem.Loader",
            {"includes/test_section.html": "<p id='s'>{{ section.n }} for {{ user.username }}</p>"},
        ),
        "django.template.loaders.filesystem.Loader",
        "django.template.loaders.app_directories.Loader",
    ]
    settings.TEMPLATES = templates  # assigned, so Django resets its template engines
    monkeypatch.setattr(views, "MY_SERVICE_MODULES", (Section,))
    assert reverse("my-service") in staff_client.get(reverse("dashboard")).content.decode()
    page = staff_client.get(reverse("my-service")).content.decode()
    assert "<p id='s'>7 for agent</p>" in page
