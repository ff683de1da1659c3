"""Constraints and the immutability of published and archived versions, in the model layer and
in the database itself."""

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from standards.dates import add_months
from standards.models import (
    Category,
    Criterion,
    ImmutableVersionError,
    StandardVersion,
    TypicalSituation,
)
from standards.tests.factories import (
    CriterionFactory,
    SituationFactory,
    StandardFactory,
    VersionFactory,
    make_published_standard,
    make_version,
)

pytestmark = pytest.mark.django_db
Status = StandardVersion.Status


def test_add_months_clamps_to_the_end_of_shorter_months():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 15), 2) == date(2027, 1, 15)
    assert add_months(date(2026, 3, 31), 12) == date(2027, 3, 31)
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)


def test_body_html_is_rendered_on_save():
    version = VersionFactory(body_markdown="# Title\n\n**Bold** and <b>raw</b>")
    assert version.body_html.startswith("<h2>Title</h2>")
    assert "<strong>Bold</strong>" in version.body_html
    assert "&lt;b&gt;raw&lt;/b&gt;" in version.body_html
    version.body_markdown = "changed"
    version.save(update_fields=["body_markdown"])
    version.refresh_from_db()
    assert version.body_html == "<p>changed</p>\n"


def test_only_one_published_version_per_standard():
    standard = make_published_standard()
    draft = make_version(standard)
    with pytest.raises(IntegrityError), transaction.atomic():
        StandardVersion.objects.filter(pk=draft.pk).update(
            status=Status.PUBLISHED, published_at=timezone.now()
        )


def test_only_one_open_version_per_standard():
    standard = StandardFactory()
    make_version(standard, status=Status.IN_REVIEW)
    with pytest.raises(IntegrityError), transaction.atomic():
        VersionFactory(standard=standard)


def test_version_numbers_are_unique_per_standard():
    version = make_version(StandardFactory(), status=Status.ARCHIVED)
    with pytest.raises(IntegrityError), transaction.atomic():
        VersionFactory(standard=version.standard, number=version.number)
    # Another standard may use the same number.
    assert VersionFactory(number=version.number).number == version.number


def test_check_constraints():
    standard = StandardFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        VersionFactory(standard=standard, status="bogus")
    with pytest.raises(IntegrityError), transaction.atomic():
        VersionFactory(standard=standard, change_kind="huge")
    with pytest.raises(IntegrityError), transaction.atomic():
        VersionFactory(standard=standard, number=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        CriterionFactory(weight=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        StandardFactory(review_interval_months=0)
    version = VersionFactory(standard=standard)
    # A published version always has a publication time.
    with pytest.raises(IntegrityError), transaction.atomic():
        StandardVersion.objects.filter(pk=version.pk).update(status=Status.PUBLISHED)


def test_category_names_are_unique_ignoring_case():
    Category.objects.create(name="Communication")
    with pytest.raises(IntegrityError), transaction.atomic():
        Category.objects.create(name="communication")


@pytest.mark.parametrize("status", [Status.PUBLISHED, Status.ARCHIVED])
def test_frozen_version_refuses_save_and_delete(status):
    version = make_version(StandardFactory(), status=status)
    version.body_markdown = "Rewritten"
    with pytest.raises(ImmutableVersionError):
        version.save()
    with pytest.raises(ImmutableVersionError):
        version.delete()
    version.refresh_from_db()
    assert version.body_markdown != "Rewritten"


def test_stale_instance_cannot_sneak_a_change_into_a_frozen_version():
    """The check reads the stored status, not the (possibly stale) instance."""
    version = make_version(StandardFactory())
    stale = StandardVersion.objects.get(pk=version.pk)
    StandardVersion.objects.filter(pk=version.pk).update(
        status=Status.PUBLISHED, published_at=timezone.now()
    )
    stale.body_markdown = "Sneaky"
    with pytest.raises(ImmutableVersionError):
        stale.save()


def test_published_version_may_only_be_archived():
    version = make_version(StandardFactory(), status=Status.PUBLISHED)
    version.status = Status.ARCHIVED
    version.archived_at = timezone.now()
    version.body_markdown = "not saved: outside update_fields"
    with pytest.raises(ImmutableVersionError):
        version.save()  # without update_fields everything would be written
    version.save(update_fields=["status", "archived_at", "updated_at"])
    version.refresh_from_db()
    assert version.status == Status.ARCHIVED
    assert version.body_markdown != "not saved: outside update_fields"
    version.status = Status.PUBLISHED
    with pytest.raises(ImmutableVersionError):
        version.save(update_fields=["status"])


def test_queryset_update_and_delete_refuse_frozen_versions():
    standard = make_published_standard(archived=1)
    with pytest.raises(ImmutableVersionError):
        StandardVersion.objects.filter(standard=standard).update(change_summary="x")
    with pytest.raises(ImmutableVersionError):
        StandardVersion.objects.filter(standard=standard).delete()
    assert standard.versions.count() == 2
    # Drafts are still free to change.
    draft = make_version(standard)
    assert StandardVersion.objects.filter(pk=draft.pk).update(change_summary="ok") == 1


def test_criteria_and_situations_of_frozen_versions_refuse_every_change():
    version = make_version(StandardFactory(), status=Status.PUBLISHED)
    criterion = version.criteria.first()
    situation = version.situations.first()
    criterion.text = "Changed"
    with pytest.raises(ImmutableVersionError):
        criterion.save()
    with pytest.raises(ImmutableVersionError):
        criterion.delete()
    situation.title = "Changed"
    with pytest.raises(ImmutableVersionError):
        situation.save()
    with pytest.raises(ImmutableVersionError):
        situation.delete()
    with pytest.raises(ImmutableVersionError):
        CriterionFactory(version=version)
    with pytest.raises(ImmutableVersionError):
        SituationFactory(version=version)
    with pytest.raises(ImmutableVersionError):
        Criterion.objects.filter(version=version).update(weight=9)
    with pytest.raises(ImmutableVersionError):
        TypicalSituation.objects.filter(version=version).delete()
    with pytest.raises(ImmutableVersionError):
        Criterion.objects.bulk_create([Criterion(version=version, text="x", weight=1)])
    assert version.criteria.count() == 2
    assert version.situations.count() == 1


def test_deleting_a_standard_never_cascades_to_its_versions():
    from django.db.models import ProtectedError

    standard = make_published_standard()
    with pytest.raises(ProtectedError):
        standard.delete()


def _raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_database_refuses_changing_a_published_version():
    """The triggers of migration 0002 (SQLite and PostgreSQL): raw SQL cannot change it either."""
    version = make_version(StandardFactory(), status=Status.PUBLISHED)
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw(
            "UPDATE standards_standardversion SET body_markdown = %s WHERE id = %s",
            ["tampered", version.pk],
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw(
            "UPDATE standards_standardversion SET status = %s WHERE id = %s",
            ["draft", version.pk],
        )
    criterion = version.criteria.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw("UPDATE standards_criterion SET text = %s WHERE id = %s", ["x", criterion.pk])
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw(
            "INSERT INTO standards_typicalsituation "
            '(version_id, title, customer_says, prescribed_response, "order") '
            "VALUES (%s, 'x', 'y', 'z', 9)",
            [version.pk],
        )
    version.refresh_from_db()
    assert version.body_markdown != "tampered"
    assert version.status == Status.PUBLISHED


def test_database_refuses_changing_an_archived_version_but_allows_archiving():
    version = make_version(StandardFactory(), status=Status.PUBLISHED)
    # Archiving (status and archived_at) is the one change the database lets through.
    _raw(
        "UPDATE standards_standardversion SET status = 'archived', archived_at = %s WHERE id = %s",
        [timezone.now(), version.pk],
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw(
            "UPDATE standards_standardversion SET status = 'published' WHERE id = %s",
            [version.pk],
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw(
            "UPDATE standards_standardversion SET change_summary = 'x' WHERE id = %s",
            [version.pk],
        )


def test_database_lets_a_frozen_versions_author_be_removed(manager):
    """ON DELETE SET NULL of the author (Django runs it as this UPDATE) still works."""
    version = make_version(
        StandardFactory(), status=Status.PUBLISHED, author=manager, approver=manager
    )
    _raw(
        "UPDATE standards_standardversion SET author_id = NULL, approver_id = NULL WHERE id = %s",
        [version.pk],
    )
    version.refresh_from_db()
    assert version.author is None
    assert version.approver is None


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
def test_postgresql_refuses_deleting_frozen_versions_with_raw_sql():
    version = make_version(StandardFactory(), status=Status.PUBLISHED)
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw("DELETE FROM standards_criterion WHERE version_id = %s", [version.pk])
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw("DELETE FROM standards_standardversion WHERE id = %s", [version.pk])
