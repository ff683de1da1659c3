"""Pages: the four-eyes setting and refusal, retiring and reinstating a standard."""

import pytest
from django.urls import reverse

from standards import services
from standards.models import Standard, StandardVersion
from standards.tests.factories import make_published_standard, make_version
from standards.tests.pages.helpers import client_for
from standards.tests.pages.helpers import messages_of as _messages

pytestmark = pytest.mark.django_db
Status = StandardVersion.Status


@pytest.fixture
def in_review(manager):
    """Greeting: v1 published, v2 written by ``manager`` and in review."""
    standard = make_published_standard(slug="greeting")
    make_version(standard, status=Status.IN_REVIEW, author=manager)
    return standard


def _url(name, number=None):
    return reverse(name, args=["greeting", number] if number else ["greeting"])


def _settings_data(manager, **extra):
    return {
        "title": "Greeting",
        "slug": "greeting",
        "owner": str(manager.pk),
        "review_interval_months": "12",
        **extra,
    }


# -- four eyes -------------------------------------------------------------------------------


def test_settings_page_sets_four_eyes(settings, in_review, manager, manager_client):
    settings.STANDARDS_FOUR_EYES = True
    page = manager_client.get(_url("standards:settings")).content.decode()
    assert "As the portal&#x27;s setting (now: required)" in page
    response = manager_client.post(
        _url("standards:settings"), _settings_data(manager, four_eyes="not_required")
    )
    assert response.status_code == 302
    assert Standard.objects.get(slug="greeting").four_eyes is False
    manager_client.post(_url("standards:settings"), _settings_data(manager, four_eyes="required"))
    assert Standard.objects.get(slug="greeting").four_eyes is True
    manager_client.post(_url("standards:settings"), _settings_data(manager, four_eyes=""))
    assert Standard.objects.get(slug="greeting").four_eyes is None
    bad = manager_client.post(
        _url("standards:settings"), _settings_data(manager, four_eyes="perhaps")
    )
    assert bad.status_code == 200
    assert bad.context["form"].errors["four_eyes"]


def test_the_author_sees_why_the_publish_button_is_unavailable(
    settings, in_review, manager, manager_client, second_manager
):
    settings.STANDARDS_FOUR_EYES = True
    page = manager_client.get(_url("standards:version-detail", 2)).content.decode()
    assert 'id="publish-version" disabled' in page
    assert 'id="publish-refusal"' in page and "other than the version&#x27;s author" in page
    assert _url("standards:version-publish", 2) not in page
    # The confirmation page sends the author back with the reason.
    response = manager_client.get(_url("standards:version-publish", 2))
    assert response.status_code == 302
    assert "other than the version's author" in _messages(response)[0]
    # A direct POST: a 403 with the reason on the form; nothing published.
    refused = manager_client.post(
        _url("standards:version-publish", 2), {"change_summary": "Mine.", "change_kind": "major"}
    )
    assert refused.status_code == 403
    assert "other than the version&#x27;s author" in refused.content.decode()
    assert refused.context["form"].non_field_errors()
    assert in_review.versions.get(number=2).status == Status.IN_REVIEW

    other = client_for(second_manager)
    page = other.get(_url("standards:version-detail", 2)).content.decode()
    assert 'id="publish-refusal"' not in page
    assert f'href="{_url("standards:version-publish", 2)}" id="publish-version"' in page
    response = other.post(
        _url("standards:version-publish", 2), {"change_summary": "Checked.", "change_kind": "major"}
    )
    assert response.status_code == 302
    assert in_review.versions.get(number=2).approver == second_manager


def test_without_four_eyes_the_author_publishes_on_the_page(settings, in_review, manager_client):
    settings.STANDARDS_FOUR_EYES = False
    page = manager_client.get(_url("standards:version-detail", 2)).content.decode()
    assert 'id="publish-refusal"' not in page
    response = manager_client.post(
        _url("standards:version-publish", 2), {"change_summary": "Mine.", "change_kind": "major"}
    )
    assert response.status_code == 302
    assert in_review.versions.get(number=2).status == Status.PUBLISHED


# -- retirement ------------------------------------------------------------------------------


def test_retire_confirm_then_post(in_review, manager_client, staff_user):
    confirm = manager_client.get(_url("standards:retire"))
    assert confirm.status_code == 200
    assert 'id="retire-effects"' in confirm.content.decode()
    assert not Standard.objects.get(slug="greeting").is_retired  # GET changes nothing

    response = manager_client.post(_url("standards:retire"))
    assert response.status_code == 302
    assert response["Location"] == _url("standards:detail")
    standard = Standard.objects.get(slug="greeting")
    assert standard.is_retired
    assert "is retired" in _messages(response)[0]
    page = manager_client.get(_url("standards:detail")).content.decode()
    assert 'id="retired-banner"' in page and 'id="reinstate"' in page
    assert 'id="new-draft"' not in page and 'id="retire"' not in page
    # A second POST: a message, no error.
    again = manager_client.post(_url("standards:retire"))
    assert "retired already" in _messages(again)[0]
    # The list leaves it out; "Retired standards only" shows it, to managers.
    listing = manager_client.get(reverse("standards:list")).content.decode()
    assert "/standards/greeting/" not in listing
    retired = manager_client.get(reverse("standards:list") + "?retired=on").content.decode()
    assert "/standards/greeting/" in retired and "Retired</span>" in retired
    # Staff no longer find it, even by its address; its history stays for managers.
    staff = client_for(staff_user)
    assert "/standards/greeting/" not in staff.get(reverse("standards:list")).content.decode()
    assert (
        "/standards/greeting/"
        not in staff.get(reverse("standards:list") + "?retired=on").content.decode()
    )
    assert staff.get(_url("standards:detail")).status_code == 404
    assert manager_client.get(_url("standards:version-detail", 1)).status_code == 200
    assert manager_client.get(_url("standards:history")).status_code == 200

    # Publishing the version in review waits for reinstatement.
    page = manager_client.get(_url("standards:version-detail", 2)).content.decode()
    assert 'id="publish-refusal"' in page and "retired" in page

    response = manager_client.post(_url("standards:reinstate"))
    assert "back in the book" in _messages(response)[0]
    assert not Standard.objects.get(slug="greeting").is_retired
    assert staff.get(_url("standards:detail")).status_code == 200


def test_staff_cannot_retire(in_review, staff_user):
    response = client_for(staff_user).post(_url("standards:retire"))
    assert response.status_code == 403
    assert not Standard.objects.get(slug="greeting").is_retired


def test_staff_dashboard_leaves_retired_standards_out(in_review, manager, staff_user):
    staff = client_for(staff_user)
    assert "/standards/greeting/" in staff.get(reverse("dashboard")).content.decode()
    services.standard_retire(standard=in_review, user=manager)
    assert "/standards/greeting/" not in staff.get(reverse("dashboard")).content.decode()
