"""Multiple-choice form fields with ids beyond the database's range: a form error, not a 500
(Django's ``pk__in`` lookup overflows where its ``exact`` lookup does not)."""

import pytest
from django import forms
from django.contrib.auth.models import Group

from channels_app.models import Channel
from channels_app.tests.factories import ChannelFactory
from core import fields


class ChannelsForm(forms.Form):
    channels = fields.ModelMultipleChoiceField(queryset=Channel.objects.all(), required=False)
    group = fields.ModelChoiceField(queryset=Group.objects.all(), required=False)


@pytest.mark.parametrize("huge", ["9" * 20, str(2**63), "-1", "0", "1e5", "\x00"])
def test_ids_beyond_the_range_are_an_invalid_choice(db, huge):
    chat = ChannelFactory(code="chat")
    form = ChannelsForm({"channels": [str(chat.pk), huge], "group": huge})
    assert not form.is_valid()
    assert set(form.errors) == {"channels", "group"}
    assert huge not in str(form.errors)  # the message does not echo it


def test_real_ids_are_taken(db):
    chat, mail = ChannelFactory(code="chat"), ChannelFactory(code="mail")
    form = ChannelsForm({"channels": [str(chat.pk), f" {mail.pk} "]})
    assert form.is_valid(), form.errors
    assert set(form.cleaned_data["channels"]) == {chat, mail}


def test_standard_settings_page_answers_a_huge_channel_id_with_a_form_error(manager_client):
    from standards.tests.factories import StandardFactory

    standard = StandardFactory()
    url = f"/standards/{standard.slug}/settings/"
    response = manager_client.post(url, {"title": "T", "channels": ["9" * 20]})
    assert response.status_code == 200
    assert "channels" in response.context["form"].errors
