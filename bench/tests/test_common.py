"""The shared scaffolding: options from flags, verdicts against targets, the JSON file."""

import json
from dataclasses import dataclass

import pytest

from bench import common


@dataclass
class Options:
    contacts: int = 10
    load_seconds: float = 2.0
    keep: bool = False
    vacuum: bool = True


def test_options_come_from_the_dataclass_fields():
    options, _ = common.parse_options(Options, [])
    assert options == Options()
    options, args = common.parse_options(
        Options,
        ["--contacts=5", "--load-seconds=0.5", "--keep", "--no-vacuum", "--cleanup"],
        extra=[("--cleanup", {"action": "store_true"})],
    )
    assert options == Options(contacts=5, load_seconds=0.5, keep=True, vacuum=False)
    assert args.cleanup is True


def test_negative_numbers_are_refused():
    with pytest.raises(SystemExit):
        common.parse_options(Options, ["--contacts=-1"])


def test_verdicts_pass_fail_and_shown_only():
    targets = {"rate": (">=", 100), "seconds": ("<", 2)}
    rows = common.verdicts({"rate": 150, "seconds": 2.5, "rows": 3}, ["rows", *targets], targets)
    assert rows == [
        ("rows", "3", "", ""),
        ("rate", "150", ">= 100", "pass"),
        ("seconds", "2.5", "< 2", "FAIL"),
    ]
    # A figure that was not measured fails its target rather than passing silently.
    assert common.verdicts({}, ["rate"], targets)[0][3] == "FAIL"


def test_report_prints_the_table_and_writes_json(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    lines = []
    path = common.report("demo", {"rate": 1.5}, [("rate", "1.5", "", "")], write=lines.append)
    assert json.loads(path.read_text()) == {"rate": 1.5}
    assert path == tmp_path / "bench" / "demo.json"
    assert lines[0].split() == ["metric", "value", "target", "result"]
    assert lines[2].split() == ["rate", "1.5"]
