"""The scorecard benchmark runs end to end on PostgreSQL (tiny) and writes its figures."""

import json

import pytest

from bench import scorecard
from sla.models import Contact
from sla.tests.conftest import postgres_only
from standards.models import Standard
from training.models import Acknowledgement

pytestmark = [pytest.mark.postgres, postgres_only, pytest.mark.django_db(transaction=True)]

TINY = ["--standards=12", "--staff=15", "--contacts=400", "--evaluations=5", "--rounds=1"]


def test_bench_scorecard_tiny_run_writes_the_figures(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    scorecard.main(TINY)
    results = json.loads((tmp_path / "bench" / "scorecard.json").read_text())
    for key in ("overview_seconds", "scorecard_seconds", "api_seconds"):
        assert isinstance(results[key], float), key
    for key in ("overview_queries", "scorecard_queries", "api_queries"):
        assert 0 < results[key] < 40, key
    assert Contact.objects.filter(channel__code__startswith=scorecard.PREFIX).count() == 400
    assert Standard.objects.filter(slug__startswith=scorecard.PREFIX).count() == 12
    assert Acknowledgement.objects.filter(user__username__startswith=scorecard.PREFIX).exists()
    # A second run reuses the data instead of building it again.
    options, _args = scorecard.common.parse_options(scorecard.Options, TINY)
    assert scorecard.existing_data(options) is not None
    scorecard.main(["--cleanup"])
    assert not Contact.objects.filter(channel__code__startswith=scorecard.PREFIX).exists()
    assert not Standard.objects.filter(slug__startswith=scorecard.PREFIX).exists()


def test_bench_scorecard_refuses_bad_options():
    with pytest.raises(SystemExit):
        scorecard.main(["--standards=0"])
