"""The breakdowns chapter: participants, leavers and leavers to work or studies by gender, age band, education
level and time on support before the effort, for the förbund's episodes of the report year.

The counts arrive unsuppressed for every förbund (``ReportInputs.breakdown_counts``); each table is suppressed
here, column by column against its published total, with complementary cells where a hidden count could
otherwise be worked out (``samverkan.breakdowns.breakdowns_from_counts``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from samverkan.breakdowns import Breakdown, breakdowns_from_counts
from samverkan.report.frames import for_forbund, has


@dataclass(frozen=True)
class BreakdownSection:
    available: bool
    tables: list[Breakdown] = field(default_factory=list)  # one per dimension, in the dimensions' order
    any_suppressed: bool = False
    any_secondary: bool = False  # a cell hidden only to protect a small neighbour


def breakdown_section(counts: pd.DataFrame | None, forbund: str) -> BreakdownSection:
    mine = for_forbund(counts, forbund)
    if not has(mine):
        return BreakdownSection(available=False)
    tables = breakdowns_from_counts(mine)
    cells = [cell for t in tables for r in (*t.rows, t.total)
             for cell in (r.participants, r.exited, r.to_work_or_studies)]
    return BreakdownSection(
        available=True,
        tables=tables,
        any_suppressed=any(c.suppressed for c in cells),
        any_secondary=any(c.secondary for c in cells),
    )
