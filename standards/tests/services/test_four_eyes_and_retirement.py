"""Four eyes (the portal's setting and each standard's own) and retiring a standard."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import make_user
from core.roles import MANAGER, STAFF
from standards import selectors, services
from standards.models import Standard, StandardVersion
from standards.tests.services.helpers import _new_standard, _publish

pytestmark = pytest.mark.django_db
Status = StandardVersion.Status


@pytest.fixture
def reviewer(db):
    return make_user("reviewer", MANAGER, first_name="Rita", last_name="Reviewer")


def _in_review(manager):
    standard, version = _new_standard(manager)
    services.version_submit_for_review(version=version, user=manager)
    return standard, version


# -- four eyes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("portal", "own", "required"),
    [
        (False, None, False),
        (True, None, True),
        (True, False, False),
        (False, True, True),
    ],
)
def test_the_standard_s_choice_overrides_the_portal_s(settings, manager, portal, own, required):
    settings.STANDARDS_FOUR_EYES = portal
    standard, _version = _new_standard(manager)
    standard = services.standard_update(standard=standard, user=manager, four_eyes=own)
    assert Standard.objects.get(pk=standard.pk).four_eyes is own
    assert standard.four_eyes_required is required


def test_four_eyes_refuses_the_author_and_lets_another_manager_publish(settings, manager, reviewer):
    settings.STANDARDS_FOUR_EYES = True
    _standard, version = _in_review(manager)
    with pytest.raises(services.FourEyesError) as refused:
        services.version_publish(version=version, user=manager)
    assert isinstance(refused.value, PermissionDenied)
    assert "other than the version's author" in str(refused.value)
    assert StandardVersion.objects.get(pk=version.pk).status == Status.IN_REVIEW
    assert services.version_publish_refusal(version=version, user=manager)
    assert services.version_publish_refusal(version=version, user=reviewer) is None

    published = services.version_publish(version=version, user=reviewer)
    assert published.status == Status.PUBLISHED
    assert published.approver == reviewer
    assert published.author == manager


def test_the_author_is_who_started_the_draft_not_who_edited_it(settings, manager, reviewer):
    standard, first = _new_standard(manager)
    _publish(first, manager)
    services.standard_update(standard=standard, user=manager, four_eyes=True)
    draft = services.version_create_draft(standard=standard, user=reviewer)
    services.version_update_draft(version=draft, user=manager, change_summary="Edited by Maria.")
    services.version_submit_for_review(version=draft, user=manager)
    with pytest.raises(services.FourEyesError):
        services.version_publish(version=draft, user=reviewer)
    assert services.version_publish(version=draft, user=manager).status == Status.PUBLISHED


def test_without_four_eyes_the_author_publishes(settings, manager):
    settings.STANDARDS_FOUR_EYES = False
    _standard, version = _in_review(manager)
    assert services.version_publish_refusal(version=version, user=manager) is None
    assert services.version_publish(version=version, user=manager).status == Status.PUBLISHED


def test_a_standard_may_waive_the_portal_s_four_eyes(settings, manager):
    settings.STANDARDS_FOUR_EYES = True
    standard, version = _in_review(manager)
    services.standard_update(standard=standard, user=manager, four_eyes=False)
    assert services.version_publish(version=version, user=manager).status == Status.PUBLISHED


def test_four_eyes_takes_only_yes_no_or_empty(manager):
    standard, _version = _new_standard(manager)
    with pytest.raises(ValidationError) as bad:
        services.standard_update(standard=standard, user=manager, four_eyes="maybe")
    assert "four_eyes" in bad.value.message_dict


# -- retirement ------------------------------------------------------------------------------


def test_retire_and_reinstate(manager, reviewer):
    standard, version = _new_standard(manager)
    _publish(version, manager)
    retired = services.standard_retire(standard=standard, user=reviewer)
    stored = Standard.objects.get(pk=standard.pk)
    assert stored.is_retired and stored.retired_by == reviewer
    assert retired.retired_at == stored.retired_at
    # History stays: the versions are untouched.
    assert list(stored.versions.values_list("number", "status")) == [(1, Status.PUBLISHED)]
    with pytest.raises(services.VersionStateError, match="retired already"):
        services.standard_retire(standard=standard, user=manager)

    services.standard_reinstate(standard=standard, user=manager)
    stored = Standard.objects.get(pk=standard.pk)
    assert stored.retired_at is None and stored.retired_by is None
    with pytest.raises(services.VersionStateError, match="not retired"):
        services.standard_reinstate(standard=standard, user=manager)


def test_only_managers_retire(manager):
    staff = make_user("agent", STAFF)
    standard, _version = _new_standard(manager)
    with pytest.raises(PermissionDenied):
        services.standard_retire(standard=standard, user=staff)
    assert not Standard.objects.get(pk=standard.pk).is_retired


def test_a_retired_standard_gets_no_new_version(manager):
    standard, first = _new_standard(manager)
    _publish(first, manager)
    draft = services.version_create_draft(standard=standard, user=manager)
    services.version_submit_for_review(version=draft, user=manager)
    services.standard_retire(standard=standard, user=manager)
    with pytest.raises(services.VersionStateError, match="retired"):
        services.version_publish(version=draft, user=manager)
    fresh = StandardVersion.objects.select_related("standard").get(pk=draft.pk)
    assert "retired" in services.version_publish_refusal(version=fresh, user=manager)
    services.version_discard(version=draft, user=manager)  # what is open may still go
    with pytest.raises(services.VersionStateError, match="retired"):
        services.version_create_draft(standard=standard, user=manager)
    assert standard.versions.get().status == Status.PUBLISHED


def test_retired_standards_leave_the_lists(manager):
    staff = make_user("agent", STAFF)
    kept, first = _new_standard(manager)
    _publish(first, manager)
    gone = services.standard_create(user=manager, title="Old phone script")
    version = services.version_create_draft(
        standard=gone,
        user=manager,
        body_markdown="Old.",
        change_summary="First.",
        criteria=[{"text": "Says the old script"}],
    )
    _publish(version, manager)
    services.standard_retire(standard=gone, user=manager)

    assert list(selectors.standard_list(user=staff)) == [kept]
    assert list(selectors.standard_list(user=manager)) == [kept]
    assert list(selectors.standard_list(user=manager, retired=True)) == [gone]
    assert list(selectors.standard_list(user=staff, retired=True)) == [kept]  # managers only
    # Managers still read it (its history); staff do not find it.
    assert selectors.standard_queryset(user=manager).filter(pk=gone.pk).exists()
    assert not selectors.standard_queryset(user=staff).filter(pk=gone.pk).exists()
