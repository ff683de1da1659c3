"""The import job's progress page in a browser: the bar follows the job by itself (a static
script polling the JSON endpoint, strict CSP) and the page shows the result when the job ends;
in English, Russian and Polish, on a desk and on a phone."""

import io

import pytest
from playwright.sync_api import expect

from core.preferences import set_preferred_language
from core.testing_browser import log_in, screenshot
from sla import services
from sla.models import ContactImport
from sla.services import imports

pytestmark = [pytest.mark.browser]

HEADER = "channel,external_id,opened_at"


@pytest.mark.parametrize(
    ("language", "viewport"),
    [
        ("en", {"width": 1280, "height": 900}),
        ("ru", {"width": 390, "height": 844}),
        ("pl", {"width": 390, "height": 844}),
        ("pl", {"width": 1280, "height": 900}),
    ],
)
def test_progress_bar_follows_the_job_and_the_result_appears(
    transactional_db,
    live_server,
    browser,
    manager,
    chat_policy,
    settings,
    tmp_path,
    language,
    viewport,
):
    settings.MEDIA_ROOT = tmp_path
    settings.CONTACT_IMPORT_CHUNK_ROWS = 10
    set_preferred_language(manager, language)
    rows = [f"chat,P-{n:03d},2026-01-05T09:00:00+01:00" for n in range(40)]
    rows[5] = "fax,P-005,2026-01-05T09:00:00+01:00"
    data = ("\n".join([HEADER, *rows]) + "\n").encode()
    job = services.contact_import_create(
        file=io.BytesIO(data),
        file_name="a-rather-long-helpdesk-export-name.csv",
        user=manager,
        run=False,
    )
    while services.contact_import_advance(import_id=job.pk) != imports.DONE:
        pass
    services.contact_import_start(import_id=job.pk, run=False)
    services.contact_import_advance(import_id=job.pk, max_chunks=1)  # 10 of 40 rows
    context, page, problems = log_in(
        browser,
        live_server.url,
        "manager",
        viewport=viewport,
        locale={"en": "en-GB", "pl": "pl-PL", "ru": "ru-RU"}[language],
    )
    page.goto(f"{live_server.url}/sla/contacts/import/{job.pk}/")
    bar = page.locator("#import-bar")
    expect(bar).to_have_attribute("value", "10")
    expect(bar).to_have_attribute("max", "40")
    width = f"{viewport['width']}"
    screenshot(page, f"import-{language}-{width}-progress.png")
    # The worker goes on: the script moves the bar without a reload.
    services.contact_import_advance(import_id=job.pk, max_chunks=2)
    expect(bar).to_have_js_property("value", 30, timeout=10_000)
    # It finishes: the page reloads itself into the result.
    while services.contact_import_advance(import_id=job.pk) != imports.DONE:
        pass
    expect(page.locator("#import-result")).to_be_visible(timeout=10_000)
    expect(page.locator("#result-created")).to_contain_text("39")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, f"import-{language}-{width}-result.png")
    assert ContactImport.objects.get(pk=job.pk).status == "done"
    problems.assert_none(live_server.url)
    context.close()
