"""Helpers of the page tests."""

from django.contrib.messages import get_messages
from django.test import Client


def client_for(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]
