"""The admin shows published and archived versions read-only and cannot start or delete them."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from standards.models import StandardVersion
from standards.tests.factories import make_published_standard, make_version

pytestmark = pytest.mark.django_db
Status = StandardVersion.Status


@pytest.fixture
def admin_client():
    user = User.objects.create_superuser("root", "root@example.com", "correct-horse-battery")
    client = Client()
    client.force_login(user)
    return client


def test_frozen_versions_are_read_only(admin_client):
    standard = make_published_standard(archived=1)
    for version in standard.versions.all():
        url = reverse("admin:standards_standardversion_change", args=[version.pk])
        page = admin_client.get(url)
        assert page.status_code == 200
        assert 'name="_save"' not in page.content.decode()
        response = admin_client.post(url, {"body_markdown": "Hacked", "change_kind": "major"})
        assert response.status_code == 403
        delete = reverse("admin:standards_standardversion_delete", args=[version.pk])
        assert admin_client.post(delete, {"post": "yes"}).status_code == 403
        version.refresh_from_db()
        assert version.body_markdown != "Hacked"


def test_drafts_can_be_edited_and_lists_render(admin_client):
    standard = make_published_standard()
    draft = make_version(standard)
    page = admin_client.get(reverse("admin:standards_standardversion_change", args=[draft.pk]))
    assert 'name="_save"' in page.content.decode()
    assert admin_client.get(reverse("admin:standards_standardversion_add")).status_code == 403
    for name in ("standard", "standardversion", "category", "reviewreminder"):
        assert admin_client.get(reverse(f"admin:standards_{name}_changelist")).status_code == 200
    changelist = admin_client.get(reverse("admin:standards_standardversion_changelist"))
    assert "delete_selected" not in changelist.content.decode()
