"""The kernel's CSV writer: OWASP's rule against spreadsheet formulas, numbers left alone."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy

from core.csv import csv_lines, csv_response, csv_text, safe_cell

HOSTILE = [
    '=HYPERLINK("http://x")',
    "+1",
    "-1+2",
    "@SUM(1)",
    "\tcmd",
    "\rcmd",
    "=cmd|'/c calc'!A1",
    "-5",  # a string that looks like a number is still text: callers pass numbers as numbers
]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_text_cell_with_a_formula_prefix_gets_a_quote(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize(
    "value",
    ["plain", "ZD-1042", "a=b", "1+1", " =not-first", "'=already quoted", "50%", "2026-03-01"],
)
def test_other_text_is_unchanged(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize("value", [0, 7, -5, -0.5, 66.67, Decimal("-12.50"), 10**20])
def test_numbers_stay_numbers(value):
    assert safe_cell(value) is value


@pytest.mark.parametrize("value", [None, ""])
def test_none_and_empty_are_empty_cells(value):
    assert safe_cell(value) == ""


def test_dates_times_and_lazy_text():
    assert safe_cell(dt.date(2026, 3, 1)) == "2026-03-01"
    aware = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)
    assert safe_cell(aware) == "2026-03-01T09:30:00+00:00"
    assert safe_cell(dt.time(24 - 1, 59)) == "23:59:00"
    assert safe_cell(gettext_lazy("-lazy")) == "'-lazy"
    assert safe_cell(True) is True


def test_written_file_reads_back_as_text_with_quotes_and_numbers_as_written():
    text = csv_text(
        ["name", "figure"],
        [['=HYPERLINK("http://x","a, b")', -5], ["@SUM(1)", 1.5], [None, Decimal("-0.25")]],
    )
    assert text.splitlines()[1] == '"\'=HYPERLINK(""http://x"",""a, b"")",-5'
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [
        ["name", "figure"],
        ['\'=HYPERLINK("http://x","a, b")', "-5"],
        ["'@SUM(1)", "1.5"],
        ["", "-0.25"],
    ]


def test_a_newline_inside_a_cell_cannot_start_a_formula_row():
    """Quoting keeps ``a\\n=cmd`` in one cell; the new line never starts a cell of its own."""
    rows = list(csv.reader(io.StringIO(csv_text(["x"], [["a\n=cmd"]]))))
    assert rows == [["x"], ["a\n=cmd"]]


def test_the_header_is_guarded_too_and_lines_stream_one_by_one():
    lines = list(csv_lines(["-minus"], [[1], [2]]))
    assert lines == ["'-minus\r\n", "1\r\n", "2\r\n"]


def test_response_streams_a_named_utf8_attachment():
    response = csv_response("report ż.csv", ["who"], [["Zieliński"], ["+48 123"]])
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == ("attachment; filename*=utf-8''report%20%C5%BC.csv")
    body = response.getvalue()
    assert not body.startswith(b"\xef\xbb\xbf")  # no BOM: the portal never wrote one
    assert body.decode() == "who\r\nZieliński\r\n'+48 123\r\n"
