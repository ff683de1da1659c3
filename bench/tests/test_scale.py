"""The scale benchmark runs end to end on PostgreSQL (tiny): figures with and without the
summary, the same report figures both ways, an idle sweep with nothing to do, EXPLAIN written."""

import json

import pytest

from bench import scale
from sla.models import Contact
from sla.tests.conftest import postgres_only

pytestmark = [pytest.mark.postgres, postgres_only, pytest.mark.django_db(transaction=True)]


def test_bench_scale_tiny_run_writes_the_figures(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    scale.main(["--contacts=400", "--running=30", "--rounds=1"])
    results = json.loads((tmp_path / "bench" / "scale.json").read_text())
    for key in (
        "report_90d_channel_seconds",
        "report_90d_channel_raw_seconds",
        "report_30d_day_seconds",
        "dashboard_seconds",
        "dashboard_raw_seconds",
        "idle_sweep_seconds",
    ):
        assert isinstance(results[key], float), key
    assert results["report_90d_channel_same_figures"] is True
    assert results["report_30d_day_same_figures"] is True
    assert not any(results["idle_sweep_counts"].values())
    explain = (tmp_path / "bench" / "scale-explain.txt").read_text()
    assert "sla_report_daily" in explain
    assert "Execution Time" in explain
    assert Contact.objects.count() == 430
    scale.main(["--cleanup"])
    assert not Contact.objects.exists()
