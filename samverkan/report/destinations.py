"""Where people went: the year's leavers of the förbund by occupation before → after, for the flow diagram
and its text alternative.

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


@dataclass(frozen=True)
class DestinationRow:
    before: str  # Swedish label
    after: str
    count: Cell


@dataclass(frozen=True)
class DestinationSection:
    available: bool
    flows: Transitions | None = None
    description: str = ""  # the same figures in words: the diagram's text alternative and the chapter's sentence
    rows: list[DestinationRow] = field(default_factory=list)  # the before → after table, in the flows' order


def destination_section(counts: pd.DataFrame | None, forbund: str) -> DestinationSection:
    if counts is None:
        return DestinationSection(available=False)
    mine = for_forbund(counts, forbund) if has(counts) else counts
    flows = transitions_from_counts(mine)
    rows = [DestinationRow(LABELS[link.before], LABELS[link.after], link.count) for link in flows.links]
    if flows.leavers.suppressed:
        rows = []  # fewer than five leavers in all: no table, as no diagram
    return DestinationSection(available=True, flows=flows, description=describe(flows), rows=rows)
