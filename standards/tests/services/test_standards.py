"""Services for standards: create, update, categories, channels, review dates."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from standards import services
from standards.models import Category, StandardVersion
from standards.services import standards as standard_services
from standards.tests.factories import (
    ChannelFactory,
    make_published_standard,
)
from standards.tests.services.helpers import _new_standard, _publish

pytestmark = pytest.mark.django_db
Status = StandardVersion.Status


# -- standards -----------------------------------------------------------------------------------


def test_standard_create_makes_slug_category_and_channels(manager):
    chat = ChannelFactory(code="chat")
    phone = ChannelFactory(code="phone")
    standard = services.standard_create(
        user=manager,
        title="  Greeting the customer ",
        category=" communication ",
        channels=[phone, chat],
    )
    assert standard.slug == "greeting-the-customer"
    assert standard.title == "Greeting the customer"
    assert standard.category.name == "communication"
    assert standard.owner == manager
    assert set(standard.channels.all()) == {chat, phone}
    again = services.standard_create(
        user=manager, title="Greeting the customer", category="Communication"
    )
    assert again.slug == "greeting-the-customer-2"
    assert again.category == standard.category  # case-insensitive match, not a second category
    assert Category.objects.count() == 1


def test_standard_create_validates(manager):
    with pytest.raises(ValidationError) as exc:
        services.standard_create(user=manager, title="")
    assert "title" in exc.value.message_dict
    services.standard_create(user=manager, title="A", slug="taken")
    with pytest.raises(ValidationError) as exc:
        services.standard_create(user=manager, title="B", slug="taken")
    assert "slug" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.standard_create(user=manager, title="C", slug="new")
    assert "reserved" in str(exc.value.message_dict["slug"])
    with pytest.raises(ValidationError) as exc:
        services.standard_create(user=manager, title="D", review_interval_months=61)
    assert "review_interval_months" in exc.value.message_dict


def test_new_slug_never_shadows_a_page():
    assert standard_services._unique_slug("New") == "new-standard"


def test_only_managers_write(staff_user, manager):
    with pytest.raises(PermissionDenied):
        services.standard_create(user=staff_user, title="X")
    standard, version = _new_standard(manager)
    for call in (
        lambda: services.version_create_draft(standard=standard, user=staff_user),
        lambda: services.version_submit_for_review(version=version, user=staff_user),
        lambda: services.version_publish(version=version, user=staff_user, allow_draft=True),
        lambda: services.version_discard(version=version, user=staff_user),
        lambda: services.standard_update(standard=standard, user=staff_user, title="Y"),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_channels_by_code_reports_unknown_codes():
    chat = ChannelFactory(code="chat")
    assert services.channels_by_code(["chat", "chat"]) == [chat]
    with pytest.raises(ValidationError) as exc:
        services.channels_by_code(["chat", "fax", "pigeon"])
    assert exc.value.message_dict["channels"] == [
        "Unknown channel code: fax.",
        "Unknown channel code: pigeon.",
    ]


def test_mark_reviewed_moves_the_next_review(manager):
    standard, version = _new_standard(manager, review_interval_months=12)
    with pytest.raises(ValidationError):
        services.standard_mark_reviewed(standard=standard, user=manager)
    _publish(version, manager)
    standard = services.standard_mark_reviewed(
        standard=standard, user=manager, on=date(2027, 5, 31)
    )
    assert standard.last_reviewed_on == date(2027, 5, 31)
    assert standard.next_review_date == date(2028, 5, 31)


def test_changing_the_interval_moves_the_next_review(manager):
    standard = make_published_standard()
    services.standard_mark_reviewed(standard=standard, user=manager, on=date(2026, 1, 31))
    standard = services.standard_update(standard=standard, user=manager, review_interval_months=1)
    assert standard.next_review_date == date(2026, 2, 28)


def test_standard_update_changes_only_what_is_given(manager):
    chat = ChannelFactory(code="chat")
    standard = services.standard_create(user=manager, title="Old", category="A", channels=[chat])
    standard = services.standard_update(standard=standard, user=manager, title="New")
    assert standard.title == "New"
    assert standard.category.name == "A"
    assert list(standard.channels.all()) == [chat]
    standard = services.standard_update(standard=standard, user=manager, category=None, channels=[])
    assert standard.category is None
    assert not standard.channels.exists()
