"""Fixtures of the page tests."""

import pytest

from standards.models import StandardVersion
from standards.tests.factories import StandardFactory, make_published_standard, make_version

Status = StandardVersion.Status


@pytest.fixture
def standard():
    """Published v1 (archived), v2 (published) and a draft v3."""
    return make_published_standard(archived=1, open_status=Status.DRAFT, slug="greeting")


@pytest.fixture
def draft_only():
    standard = StandardFactory(slug="secret")
    make_version(standard)
    return standard
