"""A NUL character in a query string (``%00``) is valid URL syntax that PostgreSQL refuses in
any string: no page may pass it to a query and answer 500."""

import pytest

PAGES = [
    "/standards/?q=%00&category=%00&channel=%00",
    "/evaluations/?agent=%00&standard=%00&channel=%00&date_from=%00&order=%00",
    "/sla/contacts/?channel=%00&agent=%00&status=%00&q=%00&first_response_state=%00",
    "/sla/reports/?channel=%00&period=%00&from=%00",
    "/surveys/invitations/?status=%00&survey=%00",
    "/surveys/responses/?channel=%00&agent=%00&score=%00&from=%00",
    "/surveys/dashboard/?period=%00",
    "/training/matrix/?group=%00&track=%00&page=%00",
    "/channels/?q=%00",
    "/api/v1/contacts/?channel=%00&agent=%00&status=%00",
    "/api/v1/breaches/?channel=%00&agent=%00&metric=%00",
    "/api/v1/reports/sla/?channel=%00&agent=%00&tz=%00",
    "/api/v1/reports/satisfaction/?channel=%00&agent=%00",
    "/api/v1/standards/?q=%00&channel=%00&category=%00",
    "/api/v1/acknowledgements/?user=%00&standard=%00",
    "/api/v1/training/progress/?user=%00&track=%00",
]


@pytest.mark.parametrize("url", PAGES)
def test_nul_in_a_query_string_is_never_a_server_error(manager_client, url):
    manager_client.raise_request_exception = False
    response = manager_client.get(url)
    assert response.status_code == 400, (url, response.status_code)
    assert "NUL character" in response.content.decode()


def test_a_query_string_without_nul_goes_through(manager_client):
    assert manager_client.get("/surveys/responses/?channel=chat").status_code == 200
