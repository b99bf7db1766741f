"""Swedish number and date formats of the report."""

import datetime as dt

import pandas as pd
import pytest

from reports import formatting as f
from reports.charts import Series, bar_chart, horizontal_bar_chart, line_chart, nice_ticks

NNBSP = "\u202f"
NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1234567, f"1{NNBSP}234{NNBSP}567{NBSP}kr"),
        (1234567.49, f"1{NNBSP}234{NNBSP}567{NBSP}kr"),
        (-5000, f"\u22125{NNBSP}000{NBSP}kr"),
        (999, f"999{NBSP}kr"),
        (-0.4, f"0{NBSP}kr"),
        (None, "–"),
        (float("nan"), "–"),
        (pd.NA, "–"),
    ],
)
def test_kronor(value, expected):
    assert f.kronor(value) == expected


def test_decimal_comma_and_percent():
    assert f.number(1234.567, 1) == f"1{NNBSP}234,6"
    assert f.ratio(5.3216) == "5,32"
    assert f.percent(0.4512) == f"45{NBSP}%"
    assert f.percent(0.0125, 1) == f"1,3{NBSP}%"
    assert f.percent(None) == "–"
    assert f.thousand_kronor(20_766_933) == f"20{NNBSP}767"


def test_swedish_dates():
    assert f.long_date(dt.date(2025, 2, 1)) == "1 februari 2025"
    assert f.long_date("2024-12-31") == "31 december 2024"
    assert f.long_date(None) == "–"
    assert f.MONTHS[4] == "maj"


def test_signed_kronor():
    assert f.signed_kronor(239_359) == f"+239{NNBSP}359{NBSP}kr"
    assert f.signed_kronor(-1).startswith("\u2212")


def test_ticks_cover_range_and_zero():
    ticks = nice_ticks(-120, 980)
    assert ticks[0] <= -120 and ticks[-1] >= 980 and 0 in ticks
    assert nice_ticks(0, 0) == [0, 1] or nice_ticks(0, 0)[0] == 0


def test_charts_are_deterministic_escaped_svg_with_title():
    series = [Series("A & <b>", [1.0, None, 3.0]), Series("B", [2.0, 2.0, -1.0])]
    first = bar_chart("Alt <text> & more", ["2023", "2024", "2025"], series)
    again = bar_chart("Alt <text> & more", ["2023", "2024", "2025"], series)
    assert first == again
    assert first.svg.startswith("<svg") and "<title>Alt &lt;text&gt; &amp; more</title>" in first.svg
    assert "<b>" not in first.svg and "A &amp; &lt;b&gt;" in first.svg
    assert "<text" in first.svg  # labels stay text, not paths
    assert "–" in first.svg  # the missing value is marked
    assert line_chart("t", ["År 1", "År 2", "År 3"], series).svg.count("<polyline") == 2
    assert horizontal_bar_chart("t", ["x", "y", "z"], series).svg.count("<rect") >= 5


@pytest.mark.parametrize("value, expected", [
    (234_262_978, "234\u00a0mnkr"), (20_766_933, "20,8\u00a0mnkr"), (1_250_000, "1,3\u00a0mnkr"),
    (999_960, "1,0\u00a0mnkr"), (912_345, "912\u00a0tkr"), (1_499, "1\u00a0tkr"), (650, "650\u00a0kr"),
    (-239_359, "\u2212239\u00a0tkr"), (99_960_000, "100\u00a0mnkr"), (None, "–"),
])
def test_rounded_kronor_for_running_text(value, expected):
    from reports.formatting import rounded_kronor

    assert rounded_kronor(value) == expected


def test_a_summary_sentence_writes_amounts_rounded_and_shares_in_per_cent():
    from reports.formatting import sentence
    from samverkan.report.summary import Amount, Share

    assert sentence(("Kommun ", Amount(3_445_385), " (", Share(0.97), ").")) == "Kommun 3,4\u00a0mnkr (97\u00a0%)."
