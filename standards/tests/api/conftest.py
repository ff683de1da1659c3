"""Fixtures of the API tests."""

import pytest

from standards.tests.factories import (
    ChannelFactory,
    StandardFactory,
    make_published_standard,
    make_version,
)


@pytest.fixture
def chat(db):
    return ChannelFactory(code="chat", name="Chat")


@pytest.fixture
def phone(db):
    return ChannelFactory(code="phone", name="Phone")


@pytest.fixture
def published(chat, phone):
    standard = make_published_standard(archived=1, title="Greeting", slug="greeting")
    standard.channels.set([chat, phone])
    return standard


@pytest.fixture
def unpublished():
    standard = StandardFactory(title="Secret draft", slug="secret-draft")
    make_version(standard)
    return standard
