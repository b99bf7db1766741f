"""Every word of a report lies inside the page's text area, read from the PDF's own coordinates (pdftotext -bbox).

The cover has no margins of its own and is checked against the page; every other page against the margins of
``@page`` in reports/static/report.css (18 mm left and right). Footers sit in the bottom margin, so only the
horizontal bounds are checked.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from reports.render import write_report
from reports.sample import FORBUND, sample_inputs

SIDE_MARGIN_PT = 18 * 72 / 25.4
TOLERANCE_PT = 0.5
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</word>')


def words_outside_text_area(pdf: Path) -> list[tuple[int, str, float, float]]:
    bbox = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    outside = []
    for number, (width, body) in enumerate(re.findall(r'<page width="([\d.]+)" height="[\d.]+">(.*?)</page>', bbox,
                                                      re.S), start=1):
        margin = 0.0 if number == 1 else SIDE_MARGIN_PT
        left, right = margin - TOLERANCE_PT, float(width) - margin + TOLERANCE_PT
        for x_min, x_max, word in WORD.findall(body):
            if float(x_min) < left or float(x_max) > right:
                outside.append((number, word, float(x_min), float(x_max)))
    return outside


@pytest.fixture(scope="module")
def sample_pdf(tmp_path_factory) -> Path:
    return write_report(sample_inputs(), FORBUND, tmp_path_factory.mktemp("layout")).pdf


def test_no_text_beyond_the_text_area_on_any_page(sample_pdf):
    assert words_outside_text_area(sample_pdf) == []


def test_the_check_sees_text_beyond_the_margin(sample_pdf, tmp_path):
    # The same report with its tables forced wider than the page must fail the check.
    from weasyprint import CSS, HTML

    html = sample_pdf.with_suffix(".html").read_text(encoding="utf-8")
    wide = tmp_path / "wide.pdf"
    HTML(string=html).write_pdf(wide, stylesheets=[CSS(string="table { width: 130% !important; }")])
    assert words_outside_text_area(wide)
