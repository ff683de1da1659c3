"""``python -m bench.ingest`` with tiny numbers: it runs, reports, writes its JSON, cleans up."""

import json

import pytest

from bench import ingest
from channels_app.models import Channel
from sla.models import Contact
from sla.tests.conftest import postgres_only

pytestmark = [pytest.mark.postgres, postgres_only, pytest.mark.django_db(transaction=True)]


def test_bench_ingest_tiny_run_writes_the_figures(settings, tmp_path, capsys):
    settings.VAR_DIR = tmp_path
    ingest.main(["--contacts=120", "--http-contacts=60", "--batch=50", "--rounds=1"])
    results = json.loads((tmp_path / "bench" / "ingest.json").read_text())
    for key in ingest.KEYS:
        assert isinstance(results[key], float), key
    assert results["rounds"]["service"][0]["contacts"] == 120
    assert results["rounds"]["parallel"][0]["contacts"] == 120  # two writer processes
    assert results["rounds"]["http"][0]["contacts"] == 60
    assert results["rounds"]["copy"][0]["contacts"] == 120
    assert results["breaches_per_contact"] > 0  # late history is judged as it arrives
    table = capsys.readouterr().out
    assert "service_contacts_per_s" in table and "http_ratio_vs_copy" in table
    assert not Channel.objects.filter(code__startswith=ingest.PREFIX).exists()
    assert not Contact.objects.exists()


def test_bench_ingest_refuses_negative_sizes():
    with pytest.raises(SystemExit):
        ingest.main(["--contacts=-1"])
