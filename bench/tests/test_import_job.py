"""``python -m bench.import_job`` with a tiny file: it runs the job, reports and cleans up."""

import json

import pytest
from django.db import connection

from bench import import_job
from channels_app.models import Channel
from sla.models import Contact, ContactImport


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the benchmark is PostgreSQL-only by design (set DATABASE_URL)",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("gzip", [False, True])
def test_import_bench_runs_and_writes_json(settings, tmp_path, capsys, gzip):
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    args = ["--rows=300", "--refused-every=100"] + (["--gzip"] if gzip else [])
    assert import_job.main(args) == 0
    results = json.loads((tmp_path / "bench" / "import_job.json").read_text())
    assert (results["rows"], results["created"], results["refused"]) == (300, 297, 3)
    assert results["peak_rss_mb"] > 0 and results["total_seconds"] > 0
    out = capsys.readouterr().out
    assert "check + import of 300 rows" in out and "peak RSS MB" in out
    assert not Channel.objects.filter(code__startswith="bench-").exists()
    assert not Contact.objects.exists() and not ContactImport.objects.exists()
