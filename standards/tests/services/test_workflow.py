"""The version workflow services: draft, review, publish, archive, discard."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from standards import services
from standards.models import StandardVersion
from standards.services import standards as standard_services
from standards.signals import version_published
from standards.tests.factories import (
    StandardFactory,
    make_version,
)
from standards.tests.services.helpers import CRITERIA, _new_standard, _publish

pytestmark = pytest.mark.django_db
Status = StandardVersion.Status


# -- the workflow --------------------------------------------------------------------------------


def test_full_workflow_publishes_archives_and_sets_the_review_date(manager, second_manager):
    standard, v1 = _new_standard(manager, review_interval_months=6)
    assert v1.number == 1
    assert v1.status == Status.DRAFT
    assert v1.author == manager
    assert [c.text for c in v1.criteria.all()] == [c["text"] for c in CRITERIA]
    v1 = services.version_submit_for_review(version=v1, user=manager)
    assert v1.status == Status.IN_REVIEW
    assert v1.submitted_at is not None
    at = timezone.now() - timedelta(days=3)
    v1 = services.version_publish(version=v1, user=second_manager, at=at)
    assert v1.status == Status.PUBLISHED
    assert v1.approver == second_manager
    assert v1.published_at == at
    standard.refresh_from_db()
    assert standard.last_reviewed_on == timezone.localdate(at)
    assert standard.next_review_date == standard_services.add_months(timezone.localdate(at), 6)

    v2 = services.version_create_draft(standard=standard, user=manager)
    assert v2.number == 2
    # A new draft starts as a copy of the published version.
    assert v2.body_markdown == v1.body_markdown
    assert [(c.text, c.weight, c.is_critical) for c in v2.criteria.all()] == [
        (c.text, c.weight, c.is_critical) for c in v1.criteria.all()
    ]
    assert [s.title for s in v2.situations.all()] == ["Angry caller"]
    v2 = services.version_update_draft(
        version=v2,
        user=manager,
        body_markdown="# Greeting\n\nSay hello within 5 seconds.",
        change_kind="minor",
        change_summary="Added the time.",
    )
    v2 = _publish(v2, manager)
    v1.refresh_from_db()
    assert v1.status == Status.ARCHIVED
    assert v1.archived_at == v2.published_at
    assert standard.versions.filter(status=Status.PUBLISHED).get() == v2
    assert v2.requires_reacknowledgement is False


def test_draft_copies_criteria_and_situations_but_what_is_given_replaces_them(manager):
    standard, v1 = _new_standard(manager)
    _publish(v1, manager)
    v2 = services.version_create_draft(
        standard=standard,
        user=manager,
        criteria=[{"text": "Only this", "weight": 5, "is_critical": False}],
    )
    assert [c.text for c in v2.criteria.all()] == ["Only this"]
    assert [s.title for s in v2.situations.all()] == ["Angry caller"]
    assert v2.change_kind == StandardVersion.ChangeKind.MAJOR


def test_only_one_open_version_at_a_time(manager):
    standard, v1 = _new_standard(manager)
    with pytest.raises(services.VersionStateError) as exc:
        services.version_create_draft(standard=standard, user=manager)
    assert "Version 1 of this standard is already draft" in exc.value.messages[0]
    services.version_submit_for_review(version=v1, user=manager)
    with pytest.raises(services.VersionStateError) as exc:
        services.version_create_draft(standard=standard, user=manager)
    assert "in review" in exc.value.messages[0]


def test_draft_input_is_validated_all_at_once(manager):
    standard = services.standard_create(user=manager, title="X")
    with pytest.raises(ValidationError) as exc:
        services.version_create_draft(
            standard=standard,
            user=manager,
            body_markdown="x" * 100_001,
            change_kind="huge",
            criteria=[{"text": " ", "weight": 0}, {"text": "ok", "weight": True}],
            situations=[{"title": "", "customer_says": "", "prescribed_response": ""}],
        )
    errors = exc.value.message_dict
    assert set(errors) == {"body_markdown", "change_kind", "criteria", "situations"}
    assert "Criterion 1: write what is checked." in errors["criteria"]
    assert any("Criterion 2: the weight" in e for e in errors["criteria"])
    assert len(errors["situations"]) == 3
    assert not standard.versions.exists()


def test_submit_needs_a_body_and_a_criterion(manager):
    standard = services.standard_create(user=manager, title="X")
    version = services.version_create_draft(standard=standard, user=manager)
    with pytest.raises(ValidationError) as exc:
        services.version_submit_for_review(version=version, user=manager)
    assert set(exc.value.message_dict) == {"body_markdown", "criteria"}


def test_return_to_draft_needs_a_comment_and_keeps_it(manager):
    _standard, version = _new_standard(manager)
    services.version_submit_for_review(version=version, user=manager)
    with pytest.raises(ValidationError) as exc:
        services.version_return_to_draft(version=version, user=manager, comment="  ")
    assert "comment" in exc.value.message_dict
    version = services.version_return_to_draft(
        version=version, user=manager, comment="Add the chat greeting."
    )
    assert version.status == Status.DRAFT
    assert version.review_comment == "Add the chat greeting."
    with pytest.raises(services.VersionStateError):
        services.version_return_to_draft(version=version, user=manager, comment="again")
    # Submitting again clears the comment.
    version = services.version_submit_for_review(version=version, user=manager)
    assert version.review_comment == ""


def test_publish_requires_review_in_the_browser_flow_and_a_change_summary(manager):
    standard = services.standard_create(user=manager, title="X")
    version = services.version_create_draft(
        standard=standard, user=manager, body_markdown="Text", criteria=CRITERIA
    )
    with pytest.raises(services.VersionStateError) as exc:
        services.version_publish(version=version, user=manager)
    assert "Submit it for review" in exc.value.messages[0]
    services.version_submit_for_review(version=version, user=manager)
    with pytest.raises(ValidationError) as exc:
        services.version_publish(version=version, user=manager)
    assert "change_summary" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.version_publish(version=version, user=manager, change_summary="   ")
    version.refresh_from_db()
    assert version.status == Status.IN_REVIEW
    published = services.version_publish(
        version=version, user=manager, change_summary="First.", change_kind="minor"
    )
    assert published.change_summary == "First."
    assert published.change_kind == "minor"


def test_publish_a_draft_directly_when_allowed(manager):
    _standard, version = _new_standard(manager)
    published = services.version_publish(version=version, user=manager, allow_draft=True)
    assert published.status == Status.PUBLISHED


def test_publishing_twice_gives_a_clear_message(manager, second_manager):
    _standard, version = _new_standard(manager)
    _publish(version, manager)
    with pytest.raises(services.VersionStateError) as exc:
        services.version_publish(version=version, user=second_manager)
    message = exc.value.messages[0]
    assert "Version 1 was already published by Maria Manager" in message


def test_archived_versions_cannot_be_published_again(manager):
    standard, v1 = _new_standard(manager)
    _publish(v1, manager)
    v2 = services.version_create_draft(standard=standard, user=manager, change_summary="v2")
    _publish(v2, manager)
    with pytest.raises(services.ImmutableVersionError) as exc:
        services.version_publish(version=v1, user=manager, allow_draft=True)
    assert "archived" in exc.value.messages[0]


@pytest.mark.parametrize("status", [Status.PUBLISHED, Status.ARCHIVED])
def test_frozen_versions_refuse_every_service_change(manager, status):
    version = make_version(StandardFactory(), status=status)
    for call in (
        lambda: services.version_update_draft(version=version, user=manager, body_markdown="x"),
        lambda: services.version_submit_for_review(version=version, user=manager),
        lambda: services.version_return_to_draft(version=version, user=manager, comment="x"),
        lambda: services.version_discard(version=version, user=manager),
    ):
        with pytest.raises(services.ImmutableVersionError):
            call()
    version.refresh_from_db()
    assert version.status == status


def test_a_version_in_review_is_not_edited(manager):
    _standard, version = _new_standard(manager)
    services.version_submit_for_review(version=version, user=manager)
    with pytest.raises(services.VersionStateError) as exc:
        services.version_update_draft(version=version, user=manager, body_markdown="x")
    assert "Return it to draft" in exc.value.messages[0]


def test_update_draft_replaces_criteria_and_situations(manager):
    _standard, version = _new_standard(manager)
    version = services.version_update_draft(
        version=version,
        user=manager,
        criteria=[{"text": "New", "weight": 2, "is_critical": True}],
        situations=[],
    )
    assert [(c.text, c.order) for c in version.criteria.all()] == [("New", 0)]
    assert not version.situations.exists()


def test_discard_deletes_an_open_version_only(manager):
    standard, v1 = _new_standard(manager)
    _publish(v1, manager)
    v2 = services.version_create_draft(standard=standard, user=manager)
    services.version_discard(version=v2, user=manager)
    assert list(standard.versions.values_list("number", flat=True)) == [1]
    # The next draft takes the next free number again.
    assert services.version_create_draft(standard=standard, user=manager).number == 2


def test_published_signal_says_whether_staff_must_acknowledge_again(manager):
    received = []

    def receiver(sender, version, previous, **kwargs):
        received.append(
            (version.number, previous and previous.number, version.requires_reacknowledgement)
        )

    version_published.connect(receiver)
    try:
        standard, v1 = _new_standard(manager)
        _publish(v1, manager)
        v2 = services.version_create_draft(
            standard=standard, user=manager, change_kind="minor", change_summary="Typo"
        )
        _publish(v2, manager)
    finally:
        version_published.disconnect(receiver)
    assert received == [(1, None, True), (2, 1, False)]
