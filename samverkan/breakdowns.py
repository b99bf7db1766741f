"""Who took part, who left and who left for work or studies, by gender, age, education and time on support.

Counted as the participant flow counts them (``samverkan.flow``): episodes active in the report year, leavers of
the year (``felregistrering`` is no episode at all), leavers to work or studies. Every count goes through
``samverkan.suppression`` (small counts and the cells that would give them away are hidden).

The age bands and the support bands are ours: the age bands follow the usual labour-market statistics split
(the 16–24 year olds apart, then ten-year bands), the support bands single out more than three years on public
support before enrolment, as the field's long-term measure does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from samverkan.contract import EXIT_REASON_MISREGISTERED, WORK_OR_STUDIES
from samverkan.flow import LONG_SUPPORT_MONTHS
from samverkan.suppression import Cell, protected, suppress_frame, total_cell

COUNT_COLUMNS = ("participants", "exited", "to_work_or_studies")
DIMENSIONS = ("gender", "age_band", "education_level", "support_band")
DIMENSION_LABELS = {
    "gender": "Kön",
    "age_band": "Ålder under året",
    "education_level": "Utbildningsnivå",
    "support_band": "Tid med offentlig försörjning före insatsen",
}
CATEGORY_LABELS = {
    "gender": {"K": "Kvinnor", "M": "Män", "X": "Annat", "okand": "Okänt"},
    "education_level": {"forgymnasial": "Förgymnasial", "gymnasial": "Gymnasial", "eftergymnasial": "Eftergymnasial",
                        "okand": "Okänd"},
}
# (label, lowest age, highest age); None: open.
AGE_BANDS = (("16–24 år", None, 24), ("25–34 år", 25, 34), ("35–44 år", 35, 44), ("45–54 år", 45, 54),
             ("55 år och äldre", 55, None))
# (label, at most this many months); the last band is more than three years, the flow's long-term measure
# (``flow.LONG_SUPPORT_MONTHS``), so that band and the flow's count agree.
SUPPORT_BANDS = (("Under 1 år", 11), ("1–2 år", 23), ("2–3 år", LONG_SUPPORT_MONTHS), ("Mer än 3 år", None))
UNKNOWN = "Okänt"


@dataclass(frozen=True)
class BreakdownRow:
    category: str
    participants: Cell
    exited: Cell
    to_work_or_studies: Cell
    share_work_or_studies: float | None  # None when nobody left or a count is hidden


@dataclass(frozen=True)
class Breakdown:
    dimension: str
    label: str
    rows: tuple[BreakdownRow, ...]
    total: BreakdownRow
    # No row is shown: even with every cell of a column hidden, its total would give a small count away.
    withheld: bool = False

    @property
    def any_suppressed(self) -> bool:
        return any(getattr(r, c).suppressed for r in self.rows for c in COUNT_COLUMNS)


def age_band(age: pd.Series) -> pd.Series:
    labels = pd.Series(UNKNOWN, index=age.index, dtype="str")
    for label, low, high in AGE_BANDS:
        inside = age.notna()
        if low is not None:
            inside &= age >= low
        if high is not None:
            inside &= age <= high
        labels[inside.fillna(False).astype(bool)] = label
    return labels


def support_band(months: pd.Series) -> pd.Series:
    labels = pd.Series(UNKNOWN, index=months.index, dtype="str")
    known = months.notna()
    below = pd.Series(False, index=months.index)
    for label, limit in SUPPORT_BANDS:
        inside = known & ~below if limit is None else known & ~below & (months <= limit)
        labels[inside.fillna(False).astype(bool)] = label
        below |= inside.fillna(False).astype(bool)
    return labels


def year_flags(episodes: pd.DataFrame, year: int) -> pd.DataFrame:
    """Per episode of a real participant: active in the year, left in the year, left to work or studies."""
    enrolled, exited = episodes["enrolled_on"], episodes["exited_on"]
    start, end = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
    active = ((enrolled <= end) & (exited.isna() | (exited >= start))).fillna(False).astype(bool)
    left = (exited.dt.year == year).fillna(False).astype(bool)
    to_work = left & episodes["occupation_after"].isin(WORK_OR_STUDIES).fillna(False).astype(bool)
    return pd.DataFrame({"participants": active, "exited": left, "to_work_or_studies": to_work},
                        index=episodes.index).astype("int64")


def _categories(episodes: pd.DataFrame, year: int) -> pd.DataFrame:
    birth = pd.to_numeric(episodes["birth_year"], errors="coerce")
    codes = {dim: episodes[dim].fillna("okand").astype("str") for dim in ("gender", "education_level")}
    return pd.DataFrame({
        "gender": codes["gender"].map(lambda c: CATEGORY_LABELS["gender"].get(c, c)),
        "age_band": age_band(year - birth),
        "education_level": codes["education_level"].map(lambda c: CATEGORY_LABELS["education_level"].get(c, c)),
        "support_band": support_band(pd.to_numeric(episodes["months_on_support_before"], errors="coerce")),
    }, index=episodes.index)


def _order(dimension: str, present: list[str]) -> list[str]:
    fixed = {
        "gender": list(CATEGORY_LABELS["gender"].values()),
        "education_level": list(CATEGORY_LABELS["education_level"].values()),
        "age_band": [b[0] for b in AGE_BANDS] + [UNKNOWN],
        "support_band": [b[0] for b in SUPPORT_BANDS] + [UNKNOWN],
    }[dimension]
    return [c for c in fixed if c in present] + sorted(c for c in present if c not in fixed)


def _row(category: str, cells: dict[str, Cell]) -> BreakdownRow:
    exited, to_work = cells["exited"], cells["to_work_or_studies"]
    share = None
    if not exited.suppressed and not to_work.suppressed and exited.value:
        share = float(np.round(to_work.value / exited.value, 2))
    return BreakdownRow(category, cells["participants"], exited, to_work, share)


def breakdown_counts(participants: pd.DataFrame, year: int, by: tuple[str, ...] = ()) -> pd.DataFrame:
    """Unsuppressed counts per group of ``by`` (e.g. ``("forbund",)``), dimension and category, in the
    categories' order: ``*by, dimension, category, participants, exited, to_work_or_studies``.

    An aggregate for the report's inputs; it is published only through :func:`breakdowns_from_counts`.
    """
    columns = [*by, "dimension", "category", *COUNT_COLUMNS]
    episodes = participants[participants["exit_reason"].fillna("") != EXIT_REASON_MISREGISTERED]
    if episodes.empty:
        return pd.DataFrame(columns=columns)
    flags = year_flags(episodes, year)
    categories = _categories(episodes, year)
    keys = [episodes[c].astype("str") for c in by]
    parts = []
    for dimension in DIMENSIONS:
        counts = flags.groupby([*keys, categories[dimension].rename("category")], sort=True).sum().reset_index()
        counts = counts[counts["participants"] + counts["exited"] > 0]
        rank = {c: i for i, c in enumerate(_order(dimension, list(counts["category"].unique())))}
        counts = counts.assign(dimension=dimension, _rank=counts["category"].map(rank))
        parts.append(counts.sort_values([*by, "_rank"], kind="stable"))
    return pd.concat(parts, ignore_index=True)[columns]


def breakdowns_from_counts(counts: pd.DataFrame) -> list[Breakdown]:
    """One suppressed breakdown per dimension from one group's rows of :func:`breakdown_counts`."""
    out = []
    for dimension in DIMENSIONS:
        rows_in = counts[counts["dimension"] == dimension]
        columns = suppress_frame(rows_in, list(COUNT_COLUMNS))
        rows = tuple(_row(str(cat), {c: columns[c][i] for c in COUNT_COLUMNS})
                     for i, cat in enumerate(rows_in["category"]))
        total = _row("Totalt", {c: total_cell(int(rows_in[c].sum())) for c in COUNT_COLUMNS})
        withheld = not all(protected(columns[c], getattr(total, c).value) for c in COUNT_COLUMNS
                           if not getattr(total, c).suppressed)
        out.append(Breakdown(dimension, DIMENSION_LABELS[dimension], () if withheld else rows, total, withheld))
    return out


def breakdowns(participants: pd.DataFrame, year: int) -> list[Breakdown]:
    """One breakdown per dimension for the given episodes (one förbund's, or one project's) and report year."""
    return breakdowns_from_counts(breakdown_counts(participants, year))
