"""The report benchmark runs end to end on PostgreSQL (tiny) and writes its figures."""

import json

import pytest

from bench import reports
from sla.models import Contact
from sla.tests.conftest import postgres_only

pytestmark = [pytest.mark.postgres, postgres_only, pytest.mark.django_db(transaction=True)]


def test_bench_reports_tiny_run_writes_the_figures(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    reports.main(
        [
            "--contacts=300",
            "--rounds=1",
            "--concurrency=2",
            "--load-seconds=5",
            "--load-requests=6",
        ]
    )
    results = json.loads((tmp_path / "bench" / "reports.json").read_text())
    for key in (
        "report_90d_channel_seconds",
        "report_90d_channel_ratio_vs_sql",
        "report_30d_day_seconds",
        "report_30d_day_ratio_vs_sql",
        "dashboard_rps",
        "dashboard_p95_ms",
    ):
        assert isinstance(results[key], float), key
    assert results["dashboard_errors"] == 0
    assert results["dashboard_requests"] == 6
    assert results["report_90d_channel_rows"] == reports.CHANNELS
    assert Contact.objects.filter(channel__code__startswith=reports.PREFIX).count() == 300
    # A second run reuses the data instead of building it again.
    assert reports.existing_data(300) is not None
    reports.main(["--cleanup"])
    assert not Contact.objects.filter(channel__code__startswith=reports.PREFIX).exists()


def test_bench_reports_refuses_bad_options():
    with pytest.raises(SystemExit):
        reports.main(["--contacts=0"])
