"""The language list comes from ``settings.LANGUAGES``: a fourth language there is offered by
the kiosk, the survey form and the answer services, and the models' choices are the same list."""

import pytest
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from channels_app.tests.factories import ChannelFactory
from core import languages
from sla.models import Contact
from surveys import services
from surveys.forms import SurveyForm
from surveys.models import Invitation, Kiosk, Response

pytestmark = pytest.mark.django_db

WITH_UKRAINIAN = [*settings.LANGUAGES, ("uk", _("Ukrainian"))]


def test_models_choose_among_the_portal_languages():
    for field in (
        Invitation._meta.get_field("language"),
        Kiosk._meta.get_field("language"),
        Response._meta.get_field("language"),
        Contact._meta.get_field("customer_language"),
    ):
        assert [code for code, _name in field.choices] == list(languages.codes())
    assert Contact.Language.EN == "en" and Contact.Language.values == ["en", "ru", "pl"]


def test_the_kiosk_names_each_language_in_itself(client):
    kiosk = services.kiosk_create(name="Hall", channel=ChannelFactory(calendar=None))
    page = client.get(f"/kiosk/{kiosk.key}/")
    offered = [(code, name) for code, _url, name in page.context["languages"]]
    assert offered == [("en", "English"), ("ru", "Русский"), ("pl", "Polski")]


def test_a_fourth_language_in_settings_reaches_the_kiosk_form_and_services(client, settings):
    settings.LANGUAGES = WITH_UKRAINIAN
    kiosk = services.kiosk_create(name="Hall", channel=ChannelFactory(calendar=None))
    page = client.get(f"/kiosk/{kiosk.key}/?lang=uk")
    assert [code for code, _url, _name in page.context["languages"]] == ["en", "ru", "pl", "uk"]
    assert page.context["language"] == "uk"  # a chosen language the portal speaks is kept
    form = SurveyForm()
    assert "text_uk_csat" in form.fields
    assert "Ukrainian" in str(form.fields["text_uk_csat"].label)
    services.kiosk_set_language(kiosk=kiosk, language="uk")
    assert Kiosk.objects.get().language == "uk"
