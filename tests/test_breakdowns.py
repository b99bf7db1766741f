"""Breakdowns by gender, age, education and time on support, and the suppression that keeps them safe."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

from samverkan.breakdowns import age_band, breakdowns, support_band
from samverkan.suppression import suppress_column


def _episodes(rows: list[dict]) -> pd.DataFrame:
    base = {"gender": "K", "birth_year": 1990, "education_level": "gymnasial", "months_on_support_before": 6,
            "enrolled_on": "2024-02-01", "exited_on": None, "exit_reason": None, "occupation_after": None}
    frame = pd.DataFrame([{**base, **r} for r in rows])
    for column in ("enrolled_on", "exited_on"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def _readings(cells, total: int) -> list[tuple[int, ...]]:
    """Every filling of the hidden cells a reader could make: a primary cell is 1..4, a complementary one 0 or
    5..total (it would be primary otherwise), and all of them add up to the total less the cells shown."""
    shown = sum(c.value for c in cells if not c.suppressed)
    ranges = [range(1, 5) if not c.secondary else [0, *range(5, total + 1)] for c in cells if c.suppressed]
    return [combo for combo in itertools.product(*ranges) if sum(combo) + shown == total]


@pytest.mark.parametrize("counts", [
    [3, 40, 12], [0, 7, 2], [1, 1, 30], [4, 0, 0, 9], [2, 5, 5, 5], [12, 9, 4, 0, 20], [3, 3, 3], [5, 6, 7],
    [4, 4, 5, 6], [1, 2, 3, 50], [0, 0, 4, 11],
])
def test_no_hidden_cell_can_be_worked_out_from_the_total(counts):
    cells = suppress_column(counts)
    total = sum(counts)
    for count, cell in zip(counts, cells, strict=True):
        assert cell.suppressed == (cell.value is None)
        assert cell.suppressed or cell.value == count
        if 0 < count < 5:
            assert cell.suppressed and not cell.secondary
    readings = _readings(cells, total)
    hidden = [i for i, c in enumerate(cells) if c.suppressed]
    assert tuple(counts[i] for i in hidden) in readings
    for position, index in enumerate(hidden):
        if not cells[index].secondary:
            assert len({r[position] for r in readings}) >= 2, (counts, cells)


def test_a_single_small_cell_gets_a_complement_and_zeros_are_not_complements():
    cells = suppress_column([3, 0, 40, 12])
    assert [c.value for c in cells] == [None, 0, 40, None]
    assert cells[3].secondary and not cells[0].secondary
    assert [c.value for c in suppress_column([5, 6, 7])] == [5, 6, 7]


def test_bands():
    assert list(age_band(pd.Series([16, 24, 25, 54, 55, 70, None]))) == [
        "16–24 år", "16–24 år", "25–34 år", "45–54 år", "55 år och äldre", "55 år och äldre", "Okänt"]
    # Exactly three years is not more than three years, as in the flow's long_support_before.
    assert list(support_band(pd.Series([0, 11, 12, 35, 36, 37, 120, None]))) == [
        "Under 1 år", "Under 1 år", "1–2 år", "2–3 år", "2–3 år", "Mer än 3 år", "Mer än 3 år", "Okänt"]


def test_counts_by_gender_with_felregistrering_left_out_and_small_cells_hidden():
    rows = (
        [{"gender": "K", "exited_on": "2024-06-01", "occupation_after": "arbete"}] * 6
        + [{"gender": "K", "exited_on": "2024-07-01", "occupation_after": "arbetssokande"}] * 4
        + [{"gender": "M"}] * 9
        + [{"gender": "M", "exited_on": "2024-05-01", "occupation_after": "studier"}] * 2
        + [{"gender": "X", "exited_on": "2024-05-01", "exit_reason": "felregistrering"}] * 3
        + [{"gender": "K", "enrolled_on": "2022-01-01", "exited_on": "2023-03-01"}] * 7  # not active in 2024
    )
    gender = {b.dimension: b for b in breakdowns(_episodes(rows), 2024)}["gender"]
    by = {r.category: r for r in gender.rows}
    assert set(by) == {"Kvinnor", "Män"}  # the felregistrering episodes are nobody
    assert by["Kvinnor"].participants.value == 10 and by["Män"].participants.value == 11
    # Two leavers among the men: hidden, and so are the women's 10 and 6, or the totals would give them away.
    for column in ("exited", "to_work_or_studies"):
        assert getattr(by["Män"], column).suppressed and not getattr(by["Män"], column).secondary
        assert getattr(by["Kvinnor"], column).secondary
    assert by["Män"].share_work_or_studies is None and by["Kvinnor"].share_work_or_studies is None
    assert (gender.total.participants.value, gender.total.exited.value, gender.total.to_work_or_studies.value) \
        == (21, 12, 8)
    assert gender.any_suppressed


def test_age_and_support_bands_are_counted_from_the_report_year():
    rows = [{"birth_year": 2004, "months_on_support_before": 48}] * 5 + [{"birth_year": 1960}] * 5
    got = {b.dimension: b for b in breakdowns(_episodes(rows), 2024)}
    assert [(r.category, r.participants.value) for r in got["age_band"].rows] == [
        ("16–24 år", 5), ("55 år och äldre", 5)]
    assert [(r.category, r.participants.value) for r in got["support_band"].rows] == [
        ("Under 1 år", 5), ("Mer än 3 år", 5)]


def test_a_column_whose_total_decides_every_hidden_cell_is_withheld():
    # Two groups of four: both hidden, and still 8 = 4 + 4 gives them away; the table is not shown.
    rows = [{"gender": "K"}] * 4 + [{"gender": "M"}] * 4
    gender = {b.dimension: b for b in breakdowns(_episodes(rows), 2024)}["gender"]
    assert gender.withheld and gender.rows == () and gender.total.participants.value == 8
    # Three and four: 7 = 3 + 4 = 4 + 3, nothing is decided, so the table is shown with both hidden.
    rows = [{"gender": "K"}] * 3 + [{"gender": "M"}] * 4
    gender = {b.dimension: b for b in breakdowns(_episodes(rows), 2024)}["gender"]
    assert not gender.withheld and [r.participants.suppressed for r in gender.rows] == [True, True]
