"""Workbooks written twice are the same bytes, and still open as the same workbook."""

from __future__ import annotations

import io
import time

import openpyxl
import pandas as pd

from samverkan.synth import SynthSpec, synthesise, write_inbox
from samverkan.xlsx import deterministic


def _workbook() -> bytes:
    buffer = io.BytesIO()
    pd.DataFrame({"project_id": ["P1", "P2"], "name": ["Å", "ö"]}).to_excel(buffer, index=False)
    return buffer.getvalue()


def test_same_content_same_bytes_even_a_second_apart():
    first = deterministic(_workbook())
    time.sleep(1.1)
    assert deterministic(_workbook()) == first
    sheet = openpyxl.load_workbook(io.BytesIO(first)).active
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [["project_id", "name"], ["P1", "Å"], ["P2", "ö"]]


def test_the_synthetic_inbox_is_reproducible_to_the_byte(tmp_path):
    spec = SynthSpec(forbund=1, first_year=2023, last_year=2024, participants_per_year=20, seed=5)
    first = write_inbox(*synthesise(spec), tmp_path / "a")
    time.sleep(1.1)
    second = write_inbox(*synthesise(spec), tmp_path / "b")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
