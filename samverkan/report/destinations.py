"""Where people went: the year's leavers of the förbund by occupation before → after, for the flow diagram,
its text alternative and the cross table beside it.

The counts arrive unsuppressed for every förbund (``ReportInputs.transition_counts``); the before → after table
is suppressed here against its row and column totals and each side against its own
(``samverkan.transitions.transitions_from_counts``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from samverkan.report.frames import for_forbund, has
from samverkan.suppression import Cell
from samverkan.transitions import LABELS, Transitions, describe, transitions_from_counts

ZERO = Cell(0, False)


@dataclass(frozen=True)
class DestinationRow:
    before: str  # Swedish label of the occupation before
    cells: list[Cell]  # one per DestinationSection.columns
    total: Cell  # the leavers with that occupation before


@dataclass(frozen=True)
class DestinationSection:
    available: bool
    flows: Transitions | None = None
    description: str = ""  # the same figures in words: the diagram's text alternative and the chapter's sentence
    columns: list[str] = field(default_factory=list)  # occupations after, Swedish labels
    rows: list[DestinationRow] = field(default_factory=list)  # the cross table, occupations before in order
    column_totals: list[Cell] = field(default_factory=list)

    def cells(self) -> list[tuple[str, str, Cell]]:
        """(before, after, cell) of every pair, for extracts."""
        return [(r.before, after, cell) for r in self.rows for after, cell in zip(self.columns, r.cells, strict=True)]


def destination_section(counts: pd.DataFrame | None, forbund: str) -> DestinationSection:
    if counts is None:
        return DestinationSection(available=False)
    mine = for_forbund(counts, forbund) if has(counts) else counts
    flows = transitions_from_counts(mine)
    section = DestinationSection(available=True, flows=flows, description=describe(flows))
    if flows.leavers.suppressed or flows.withheld or not flows.links:
        return section  # fewer than five leavers, or a table that would give a small count away: words only
    pairs = {(link.before, link.after): link.count for link in flows.links}
    rows = [DestinationRow(LABELS[b.code], [pairs.get((b.code, a.code), ZERO) for a in flows.after], b.count)
            for b in flows.before]
    return DestinationSection(available=True, flows=flows, description=section.description,
                              columns=[a.label for a in flows.after], rows=rows,
                              column_totals=[a.count for a in flows.after])
