"""Factories for standards. Versions are made as drafts (their criteria and situations need a
version that may still change) and then moved to their status, as the services would."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from channels_app.models import Channel
from standards.models import Category, Criterion, Standard, StandardVersion, TypicalSituation

Status = StandardVersion.Status


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Channel
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"channel{n}")
    name = factory.LazyAttribute(lambda o: o.code.capitalize())
    kind = Channel.Kind.OTHER


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Category {n}")


class StandardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Standard

    title = factory.Sequence(lambda n: f"Standard {n}")
    slug = factory.Sequence(lambda n: f"standard-{n}")
    category = factory.SubFactory(CategoryFactory)
    review_interval_months = 12


class VersionFactory(factory.django.DjangoModelFactory):
    """A draft version; use :func:`make_version` for other statuses."""

    class Meta:
        model = StandardVersion

    standard = factory.SubFactory(StandardFactory)
    number = factory.LazyAttribute(
        lambda o: (
            (o.standard.versions.order_by("-number").values_list("number", flat=True).first() or 0)
            + 1
        )
    )
    body_markdown = factory.LazyAttribute(
        lambda o: f"# How we work\n\nGreet every customer. Version {o.number}.\n"
    )
    change_summary = "Written down."
    status = Status.DRAFT


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    version = factory.SubFactory(VersionFactory)
    text = factory.Sequence(lambda n: f"Greets within {n + 3} seconds")
    weight = 2
    is_critical = False
    order = factory.Sequence(lambda n: n)


class SituationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TypicalSituation

    version = factory.SubFactory(VersionFactory)
    title = factory.Sequence(lambda n: f"Situation {n}")
    customer_says = "Why is nobody answering?"
    prescribed_response = "Apologise for the wait and give the time of the next step."
    order = factory.Sequence(lambda n: n)


def make_version(
    standard: Standard,
    *,
    status: str = Status.DRAFT,
    criteria: int = 2,
    situations: int = 1,
    published_at=None,
    **fields,
) -> StandardVersion:
    """A version with criteria and situations, moved to ``status`` after they were added."""
    version = VersionFactory(standard=standard, **fields)
    for i in range(criteria):
        CriterionFactory(version=version, order=i)
    for i in range(situations):
        SituationFactory(version=version, order=i)
    if status != Status.DRAFT:
        changes = {"status": status}
        if status in (Status.PUBLISHED, Status.ARCHIVED):
            changes["published_at"] = published_at or timezone.now() - timedelta(days=1)
        if status == Status.ARCHIVED:
            changes["archived_at"] = timezone.now()
        if status == Status.IN_REVIEW:
            changes["submitted_at"] = timezone.now()
        StandardVersion.objects.filter(pk=version.pk).update(**changes)
        version.refresh_from_db()
    return version


def make_published_standard(
    *, archived: int = 0, open_status: str | None = None, criteria: int = 2, **fields
) -> Standard:
    """A standard with ``archived`` old versions, a published one, and maybe an open one."""
    standard = StandardFactory(**fields)
    for _ in range(archived):
        make_version(standard, status=Status.ARCHIVED, criteria=criteria)
    make_version(standard, status=Status.PUBLISHED, criteria=criteria)
    if open_status:
        make_version(standard, status=open_status, criteria=criteria)
    return standard


def make_evaluable_version(
    criteria: list[tuple[str, int, bool]] | None = None, *, standard: Standard | None = None
) -> StandardVersion:
    """A published version with the given ``(text, weight, is_critical)`` criteria."""
    criteria = criteria or [
        ("Uses the company greeting", 3, True),
        ("Asks a clarifying question", 2, False),
        ("Summarises the next step", 1, False),
    ]
    version = VersionFactory(standard=standard or StandardFactory())
    for order, (text, weight, critical) in enumerate(criteria):
        CriterionFactory(
            version=version, text=text, weight=weight, is_critical=critical, order=order
        )
    StandardVersion.objects.filter(pk=version.pk).update(
        status=Status.PUBLISHED, published_at=timezone.now() - timedelta(days=30)
    )
    version.refresh_from_db()
    return version


RESULT_CODES = {"M": "met", "N": "not_met", "A": "na"}


def answers_for(version: StandardVersion, results: str, notes: dict | None = None) -> list:
    """Service answers from a string of ``M`` (met), ``N`` (not met), ``A`` (n/a) per criterion."""
    notes = notes or {}
    criteria = list(version.criteria.order_by("order", "id"))
    assert len(criteria) == len(results), "one result per criterion"
    return [
        {"criterion": c, "result": RESULT_CODES[code], "note": notes.get(n, "")}
        for n, (c, code) in enumerate(zip(criteria, results, strict=True), start=1)
    ]
