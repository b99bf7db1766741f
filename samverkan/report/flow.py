"""The participant flow chapter: participants, new, exited and to work or studies, year by year.

Privacy: counts of people from 1 to 4, and shares computed from them, are replaced by ``None`` with
``suppressed`` set (shown as "–" with a footnote).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from samverkan.privacy import suppress_small
from samverkan.report.frames import for_forbund, plain

FLOW_YEARS_SHOWN = 5


@dataclass(frozen=True)
class Cell:
    """A count of people or a share computed from counts; ``value`` is ``None`` when suppressed or missing."""

    value: int | float | None
    suppressed: bool
    secondary: bool = False  # as ``suppression.Cell``: the flow hides small counts only, never a neighbour


@dataclass(frozen=True)
class FlowRow:
    year: int
    participants: Cell
    enrolled: Cell
    exited: Cell
    to_work_or_studies: Cell
    share_work_or_studies: Cell

    def cells(self) -> tuple[Cell, ...]:
        return (self.participants, self.enrolled, self.exited, self.to_work_or_studies, self.share_work_or_studies)


@dataclass(frozen=True)
class FlowSection:
    available: bool
    rows: list[FlowRow] = field(default_factory=list)  # oldest year first
    any_suppressed: bool = False
    current: FlowRow | None = None  # the report year's row
    first_year: int | None = None
    last_year: int | None = None


def count_cell(value: Any) -> Cell:
    """A count of people, suppressed when 1..4."""
    raw = plain(value)
    if raw is None:
        return Cell(None, False)
    shown = suppress_small(int(raw))
    return Cell(None if shown is None else int(shown), shown is None)


def share_cell(share: Any, *parts: Cell) -> Cell:
    """A share, suppressed when any count it is computed from is."""
    hidden = any(p.suppressed for p in parts)
    value = plain(share)
    return Cell(None if hidden or value is None else float(value), hidden)


def flow_section(flow: pd.DataFrame | None, forbund: str, year: int, years_shown: int = FLOW_YEARS_SHOWN
                 ) -> FlowSection:
    rows_in = for_forbund(flow, forbund)
    if rows_in.empty:
        return FlowSection(available=False)
    rows_in = rows_in[(rows_in["year"] <= year) & (rows_in["year"] > year - years_shown)].sort_values("year")
    rows = []
    for rec in rows_in.to_dict("records"):
        exited = count_cell(rec["exited"])
        to_work = count_cell(rec["to_work_or_studies"])
        rows.append(FlowRow(
            year=int(rec["year"]),
            participants=count_cell(rec["participants"]),
            enrolled=count_cell(rec.get("enrolled")),
            exited=exited,
            to_work_or_studies=to_work,
            share_work_or_studies=share_cell(rec["share_work_or_studies"], exited, to_work),
        ))
    return FlowSection(
        available=bool(rows),
        rows=rows,
        any_suppressed=any(cell.suppressed for row in rows for cell in row.cells()),
        current=next((r for r in rows if r.year == year), None),
        first_year=rows[0].year if rows else None,
        last_year=rows[-1].year if rows else None,
    )
