"""``python -m bench.sla`` with tiny numbers: it runs, reports, writes its JSON and cleans up."""

import json

import pytest
from django.db import connection

from bench import sla
from channels_app.models import Channel
from sla.models import Contact

KEYS = {
    "sweep_seconds",
    "sweep_sql_seconds",
    "sweep_ratio_vs_sql",
    "resweep_seconds",
    "ingest_contacts_per_s",
    "business_minutes_per_s",
}


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the benchmark is PostgreSQL-only by design (set DATABASE_URL)",
)
@pytest.mark.django_db(transaction=True)
def test_bench_runs_and_writes_json(settings, tmp_path, capsys):
    settings.VAR_DIR = tmp_path
    sla.main(
        [
            "--contacts=2000",
            "--overdue=200",
            "--ingest=200",
            "--batch=100",
            "--add-minutes-calls=2000",
            "--rounds=1",
            # No ANALYZE: planner statistics of an emptied table would outlive the test.
            "--no-vacuum",
        ]
    )
    results = json.loads((tmp_path / "bench" / "sla.json").read_text())
    assert set(results) >= KEYS
    # The sweep and the hand-written statement did the same work on the same data.
    assert results["sweep_counts"]["first_response_breached"] == 200
    assert results["sweep_sql_counts"][:2] == [200, 200]
    assert results["sweep_counts"]["notifications"] == results["sweep_sql_counts"][2] == 400
    assert results["resweep_counts"]["breaches"] == 0
    assert results["ingest_contacts"] == 200
    table = capsys.readouterr().out
    for key in KEYS:
        assert key in table
    assert not Channel.objects.filter(code__startswith="bench-").exists()
    assert not Contact.objects.exists()


@pytest.mark.skipif(connection.vendor == "postgresql", reason="checks the SQLite refusal")
@pytest.mark.django_db
def test_bench_refuses_sqlite():
    with pytest.raises(SystemExit, match="PostgreSQL"):
        sla.main(["--contacts=10", "--overdue=1"])


def test_bench_refuses_more_overdue_than_contacts():
    with pytest.raises(SystemExit, match="overdue"):
        sla.main(["--contacts=10", "--overdue=11"])
