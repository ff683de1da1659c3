"""The SLA dashboard links to the contacts by their URL names (no hard-coded fallback paths)."""

from sla.reports.dashboard import contact_url, contacts_list_url


def test_dashboard_links_are_the_contact_pages():
    assert contacts_list_url() == "/sla/contacts/"
    assert contacts_list_url(state="breached", channel="chat") == (
        "/sla/contacts/?state=breached&channel=chat"
    )
    assert contact_url(42) == "/sla/contacts/42/"
