"""The acknowledgement records the staff member's address, not the proxy's."""

import pytest
from django.urls import reverse

from training.models import Acknowledgement

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("trusted", "expected"), [(["10.1.0.0/24"], "198.51.100.23"), ([], "10.1.0.5")]
)
def test_acknowledgement_stores_the_client_address(
    client, settings, assigned, standard_a, trusted, expected
):
    settings.PORTAL_TRUSTED_PROXIES = trusted
    client.force_login(assigned)
    url = reverse(
        "training:acknowledge",
        kwargs={"slug": standard_a.slug, "number": standard_a.current_version.number},
    )
    data = {"confirmed": "on", "full_name": "adam agent", "acknowledge": "1"}
    done = client.post(
        url, data, REMOTE_ADDR="10.1.0.5", HTTP_X_FORWARDED_FOR="203.0.113.1, 198.51.100.23"
    )
    assert done.status_code == 302
    assert Acknowledgement.objects.get().ip_address == expected
