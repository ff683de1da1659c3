"""The editor and the workflow buttons (managers), the live preview."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from standards import services
from standards.models import Standard, StandardVersion
from standards.tests.factories import (
    ChannelFactory,
    StandardFactory,
    make_published_standard,
)
from standards.tests.pages.helpers import messages_of as _messages

pytestmark = pytest.mark.django_db
Status = StandardVersion.Status


# -- the editor ----------------------------------------------------------------------------------


def _editor_data(**overrides):
    data = {
        "title": "Greeting the customer",
        "slug": "",
        "category": "Communication",
        "owner": "",
        "review_interval_months": "12",
        "body_markdown": "# Greeting\n\nSay hello.",
        "change_kind": "major",
        "change_summary": "First version.",
        "criteria-TOTAL_FORMS": "3",
        "criteria-INITIAL_FORMS": "0",
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "100",
        "criteria-0-text": "Greets within 5 seconds",
        "criteria-0-weight": "3",
        "criteria-0-is_critical": "on",
        "criteria-1-text": "Says own name",
        "criteria-1-weight": "1",
        "criteria-2-text": "",
        "criteria-2-weight": "1",
        "situations-TOTAL_FORMS": "2",
        "situations-INITIAL_FORMS": "0",
        "situations-MIN_NUM_FORMS": "0",
        "situations-MAX_NUM_FORMS": "100",
        "situations-0-title": "Angry caller",
        "situations-0-customer_says": "Shouts",
        "situations-0-prescribed_response": "Stay calm",
        "situations-1-title": "",
        "situations-1-customer_says": "",
        "situations-1-prescribed_response": "",
    }
    data.update(overrides)
    return data


def test_create_a_standard_with_its_first_draft(manager, manager_client):
    chat = ChannelFactory(code="chat")
    data = _editor_data(owner=str(manager.pk), channels=[str(chat.pk)])
    response = manager_client.post(reverse("standards:create"), data)
    standard = Standard.objects.get()
    version = standard.versions.get()
    assert response.status_code == 302
    assert response["Location"] == version.get_absolute_url()
    assert standard.slug == "greeting-the-customer"
    assert standard.category.name == "Communication"
    assert list(standard.channels.all()) == [chat]
    assert version.status == Status.DRAFT
    assert [(c.text, c.weight, c.is_critical) for c in version.criteria.all()] == [
        ("Greets within 5 seconds", 3, True),
        ("Says own name", 1, False),
    ]
    assert [s.title for s in version.situations.all()] == ["Angry caller"]


def test_editor_errors_keep_everything_typed(manager, manager_client):
    StandardFactory(slug="taken")
    data = _editor_data(
        owner=str(manager.pk),
        slug="taken",
        **{"criteria-1-weight": "0", "situations-0-prescribed_response": ""},
    )
    response = manager_client.post(reverse("standards:create"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="editor-errors"' in html
    assert "Say hello." in html  # the body is still there
    assert "Greets within 5 seconds" in html
    assert response.context["criteria_formset"].errors[1]["weight"]
    assert response.context["situations_formset"].errors[0]["prescribed_response"]
    assert Standard.objects.count() == 1
    # Now only the service can tell: the slug is taken.
    data = _editor_data(owner=str(manager.pk), slug="taken")
    response = manager_client.post(reverse("standards:create"), data)
    assert response.status_code == 200
    assert response.context["standard_form"].errors["slug"]
    assert "Greets within 5 seconds" in response.content.decode()
    assert Standard.objects.count() == 1


def test_editor_shows_a_rendered_preview(standard, manager_client):
    response = manager_client.get(reverse("standards:version-edit", args=["greeting", 3]))
    html = response.content.decode()
    assert 'id="preview"' in html
    assert "<h2>How we work</h2>" in html
    assert 'data-preview-url="/standards/preview/"' in html
    assert "standards/editor.js" in html
    assert "<script>" not in html  # no inline script


def test_edit_a_draft(standard, manager, manager_client):
    version = standard.versions.get(number=3)
    data = _editor_data(
        owner=str(manager.pk),
        body_markdown="Changed body",
        **{"criteria-2-text": "A third one", "criteria-2-weight": "2"},
    )
    data.pop("slug")
    response = manager_client.post(reverse("standards:version-edit", args=["greeting", 3]), data)
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.body_markdown == "Changed body"
    assert version.criteria.count() == 3
    standard.refresh_from_db()
    assert standard.title == "Greeting the customer"
    keep = manager_client.post(
        reverse("standards:version-edit", args=["greeting", 3]), {**data, "save_and_continue": "1"}
    )
    assert keep["Location"] == reverse("standards:version-edit", args=["greeting", 3])


def test_editing_keeps_unchanged_rows_and_drops_removed_ones(standard, manager, manager_client):
    """Rows that were there stay even when untouched; a ticked "Remove" drops one."""
    version = standard.versions.get(number=3)
    url = reverse("standards:version-edit", args=["greeting", 3])
    form = manager_client.get(url).context
    criteria = form["criteria_formset"]
    situations = form["situations_formset"]
    assert criteria.initial_form_count() == 2
    data = {}
    for formset in (criteria, situations, form["standard_form"], form["version_form"]):
        for bound in [formset] if not hasattr(formset, "forms") else formset.forms:
            for field in bound:
                value = field.value()
                if value is None or value is False:
                    continue
                if isinstance(value, list):
                    data[field.html_name] = [str(v) for v in value]
                else:
                    data[field.html_name] = str(getattr(value, "pk", value))
        if hasattr(formset, "management_form"):
            for field in formset.management_form:
                data[field.html_name] = str(field.value())
    first = version.criteria.first()
    data["owner"] = str(manager.pk)  # the factory's standard has no owner; the form needs one
    data["criteria-1-DELETE"] = "on"
    response = manager_client.post(url, data)
    assert response.status_code == 302, (
        response.context and response.context["standard_form"].errors
    )
    assert list(version.criteria.values_list("text", flat=True)) == [first.text]
    assert version.situations.count() == 1


@pytest.mark.parametrize("number", [1, 2])
def test_frozen_versions_have_no_edit_button_and_refuse_a_direct_post(
    standard, manager, manager_client, number
):
    version = standard.versions.get(number=number)
    page = manager_client.get(version.get_absolute_url()).content.decode()
    assert 'id="edit-version"' not in page
    assert 'id="submit-version"' not in page
    before = version.body_markdown
    data = _editor_data(owner=str(manager.pk), body_markdown="Hacked")
    response = manager_client.post(
        reverse("standards:version-edit", args=["greeting", number]), data
    )
    assert response.status_code == 302
    assert response["Location"] == version.get_absolute_url()
    assert "can never change" in _messages(response)[0]
    version.refresh_from_db()
    assert version.body_markdown == before
    for name in ("standards:version-submit", "standards:version-discard"):
        response = manager_client.post(reverse(name, args=["greeting", number]))
        assert response.status_code == 302
        assert _messages(response), name
    assert standard.versions.get(number=number).status == version.status


def test_a_version_in_review_is_not_editable(manager_client):
    standard = make_published_standard(open_status=Status.IN_REVIEW, slug="greeting")
    response = manager_client.get(reverse("standards:version-edit", args=["greeting", 2]))
    assert response.status_code == 302
    assert "in review" in _messages(response)[0]
    assert standard


def test_settings_page(standard, manager, manager_client):
    url = reverse("standards:settings", args=["greeting"])
    response = manager_client.post(
        url,
        {
            "title": "Greeting customers",
            "slug": "greeting",
            "category": "Etiquette",
            "owner": str(manager.pk),
            "review_interval_months": "0",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["review_interval_months"]
    response = manager_client.post(
        url,
        {
            "title": "Greeting customers",
            "slug": "greeting-customers",
            "category": "Etiquette",
            "owner": str(manager.pk),
            "review_interval_months": "6",
        },
    )
    assert response.status_code == 302
    standard.refresh_from_db()
    assert standard.title == "Greeting customers"
    assert standard.slug == "greeting-customers"
    assert standard.category.name == "Etiquette"
    assert standard.review_interval_months == 6
    # An empty slug keeps the address.
    response = manager_client.post(
        reverse("standards:settings", args=["greeting-customers"]),
        {
            "title": "Greeting customers",
            "slug": "",
            "owner": str(manager.pk),
            "review_interval_months": "6",
        },
    )
    assert response["Location"] == "/standards/greeting-customers/"


# -- the workflow in the browser ------------------------------------------------------------------


def test_submit_publish_and_new_draft(manager, manager_client):
    standard = make_published_standard(open_status=Status.DRAFT, slug="greeting")
    url = lambda name: reverse(name, args=["greeting", 2])  # noqa: E731
    response = manager_client.post(url("standards:version-submit"))
    assert response.status_code == 302
    assert standard.versions.get(number=2).status == Status.IN_REVIEW
    publish_page = manager_client.get(url("standards:version-publish"))
    assert publish_page.status_code == 200
    response = manager_client.post(
        url("standards:version-publish"), {"change_summary": "", "change_kind": "major"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["change_summary"]
    assert standard.versions.get(number=2).status == Status.IN_REVIEW
    response = manager_client.post(
        url("standards:version-publish"), {"change_summary": "Clearer.", "change_kind": "minor"}
    )
    assert response.status_code == 302
    assert response["Location"] == standard.get_absolute_url()
    v2 = standard.versions.get(number=2)
    assert v2.status == Status.PUBLISHED
    assert v2.change_summary == "Clearer."
    assert v2.change_kind == "minor"
    assert standard.versions.get(number=1).status == Status.ARCHIVED
    # Publishing it again by a direct POST: a message, nothing changes.
    again = manager_client.post(
        url("standards:version-publish"), {"change_summary": "Again", "change_kind": "major"}
    )
    assert again.status_code == 302
    assert any("already published" in m for m in _messages(again))
    assert standard.versions.get(number=2).change_summary == "Clearer."
    # A new draft starts from the published text.
    response = manager_client.post(reverse("standards:version-create", args=["greeting"]))
    v3 = standard.versions.get(number=3)
    assert response["Location"] == reverse("standards:version-edit", args=["greeting", 3])
    assert v3.body_markdown == v2.body_markdown
    # ... and a second one is refused with a message.
    response = manager_client.post(reverse("standards:version-create", args=["greeting"]))
    assert any("already draft" in m for m in _messages(response))
    assert manager


def test_publishing_a_draft_in_the_browser_needs_review_first(manager_client):
    standard = make_published_standard(open_status=Status.DRAFT, slug="greeting")
    page = manager_client.get(reverse("standards:version-publish", args=["greeting", 2]))
    assert page.status_code == 302
    response = manager_client.post(
        reverse("standards:version-publish", args=["greeting", 2]),
        {"change_summary": "x", "change_kind": "major"},
    )
    assert "Submit it for review" in _messages(response)[0]
    assert standard.versions.get(number=2).status == Status.DRAFT


def test_submit_with_problems_shows_them(manager, manager_client):
    standard = services.standard_create(user=manager, title="Empty", slug="empty")
    services.version_create_draft(standard=standard, user=manager)
    response = manager_client.post(reverse("standards:version-submit", args=["empty", 1]))
    messages = _messages(response)
    assert any("Write the text" in m for m in messages)
    assert any("at least one measurable criterion" in m for m in messages)


def test_return_to_draft_needs_a_comment(manager_client):
    standard = make_published_standard(open_status=Status.IN_REVIEW, slug="greeting")
    url = reverse("standards:version-return", args=["greeting", 2])
    response = manager_client.post(url, {"comment": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["comment"]
    response = manager_client.post(url, {"comment": "Add the chat greeting."})
    assert response.status_code == 302
    version = standard.versions.get(number=2)
    assert version.status == Status.DRAFT
    page = manager_client.get(version.get_absolute_url()).content.decode()
    assert "Add the chat greeting." in page


def test_discard_a_draft(manager_client):
    standard = make_published_standard(open_status=Status.DRAFT, slug="greeting")
    response = manager_client.post(reverse("standards:version-discard", args=["greeting", 2]))
    assert response.status_code == 302
    assert list(standard.versions.values_list("number", flat=True)) == [1]


def test_mark_reviewed(manager_client):
    standard = make_published_standard(slug="greeting")
    response = manager_client.post(reverse("standards:reviewed", args=["greeting"]))
    assert response.status_code == 302
    standard.refresh_from_db()
    assert standard.last_reviewed_on == timezone.localdate()
    assert "next review" in _messages(response)[0]


# -- the preview ---------------------------------------------------------------------------------


def test_preview_renders_with_the_same_renderer(manager):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    url = reverse("standards:preview")
    # Without the CSRF token the POST is refused.
    assert client.post(url, {"body_markdown": "x"}).status_code == 403
    client.get(reverse("standards:create"))
    token = client.cookies["csrftoken"].value
    response = client.post(url, {"body_markdown": "# Hi\n\n**bold**"}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200
    assert response.json() == {"html": "<h2>Hi</h2>\n<p><strong>bold</strong></p>\n"}
    too_long = client.post(url, {"body_markdown": "x" * 100_001}, HTTP_X_CSRFTOKEN=token)
    assert too_long.status_code == 400
    assert "body_markdown" in too_long.json()["errors"]
    assert client.get(url).status_code == 405
