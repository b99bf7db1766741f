"""The participant flow chapter: participants, new, exited and to work or studies, year by year.

Privacy: counts of people from 1 to 4, and shares computed from them, are replaced by ``None`` with
``suppressed`` set (shown as "–" with a footnote). The years are linked: next year's participants are this year's,
less this year's leavers, plus next year's new ones (felregistrering counts nowhere, so this holds exactly). A
hidden count that is the only hidden one of such an equation could be worked out, so the smallest other count of
the equation is hidden too (``secondary``), until no equation has a single hidden count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from samverkan.privacy import SMALL_COUNT_LIMIT, suppress_small
from samverkan.report.frames import for_forbund, plain
from samverkan.suppression import Cell

FLOW_YEARS_SHOWN = 5


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

    @property
    def any_secondary(self) -> bool:
        return any(cell.secondary for row in self.rows for cell in row.cells())


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


COUNTS = ("participants", "enrolled", "exited", "to_work_or_studies")


def linked_counts(records: list[dict[str, Any]]) -> list[dict[str, Cell]]:
    """Each year's counts as cells, small ones hidden and, across consecutive years, protected against the
    equation participants(y+1) = participants(y) − exited(y) + enrolled(y+1)."""
    raw = [{c: plain(rec.get(c)) for c in COUNTS} for rec in records]
    hidden = [{c: v is not None and 0 < int(v) < SMALL_COUNT_LIMIT for c, v in row.items()} for row in raw]
    secondary = [dict.fromkeys(COUNTS, False) for _ in raw]
    years = [int(rec["year"]) for rec in records]
    changed = True
    while changed:
        changed = False
        for i in range(len(raw) - 1):
            if years[i + 1] != years[i] + 1:
                continue
            equation = [(i, "participants"), (i, "exited"), (i + 1, "enrolled"), (i + 1, "participants")]
            if any(raw[r][c] is None for r, c in equation) or sum(hidden[r][c] for r, c in equation) != 1:
                continue
            shown = sorted((int(raw[r][c]) == 0, int(raw[r][c]), r, c) for r, c in equation if not hidden[r][c])
            _, _, r, c = shown[0]
            hidden[r][c] = secondary[r][c] = changed = True
    return [{c: Cell(None, False) if raw[i][c] is None else
             Cell(None if hidden[i][c] else int(raw[i][c]), hidden[i][c], secondary[i][c]) for c in COUNTS}
            for i in range(len(raw))]


def flow_section(flow: pd.DataFrame | None, forbund: str, year: int, years_shown: int = FLOW_YEARS_SHOWN
                 ) -> FlowSection:
    rows_in = for_forbund(flow, forbund)
    if rows_in.empty:
        return FlowSection(available=False)
    rows_in = rows_in[(rows_in["year"] <= year) & (rows_in["year"] > year - years_shown)].sort_values("year")
    records = rows_in.to_dict("records")
    cells = linked_counts(records)
    rows = []
    for rec, counts in zip(records, cells, strict=True):
        exited, to_work = counts["exited"], counts["to_work_or_studies"]
        rows.append(FlowRow(
            year=int(rec["year"]),
            participants=counts["participants"],
            enrolled=counts["enrolled"],
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
