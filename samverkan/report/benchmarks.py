"""The benchmarks chapter: the förbund beside the other förbund of the same year in the inbox, and beside its
own earlier years (``samverkan.comparison``).

The comparison is with the förbund in the inbox, not with a national reference file: a national run has every
förbund, a smaller inbox says how many it compares with, and with fewer than ``MIN_FORBUND`` no percentile is
given. A share is shown only when both its counts are (five or more), as in the participant flow.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from samverkan.comparison import MIN_FORBUND, Standing, own_history, standings
from samverkan.ledger.actors import TOTAL
from samverkan.ledger.results import ALL_PROJECTS
from samverkan.report.flow import Cell, count_cell, share_cell
from samverkan.report.frames import has, plain


@dataclass(frozen=True)
class HistoryRow:
    year: int
    participants: Cell
    exited: Cell
    to_work_or_studies: Cell
    share_work_or_studies: Cell
    cost_per_participant: float | None  # None when fewer than five participants


@dataclass(frozen=True)
class BenchmarkSection:
    available: bool
    forbund_in_year: int = 0  # förbund of the report year in the inbox with comparable projects
    min_forbund: int = MIN_FORBUND
    standings: list[Standing] = field(default_factory=list)
    history: list[HistoryRow] = field(default_factory=list)  # oldest first, the report year last
    any_suppressed: bool = False

    @property
    def enough_forbund(self) -> bool:
        return self.forbund_in_year >= self.min_forbund


def returns_by_forbund(ledger: pd.DataFrame | None) -> pd.Series:
    """Each förbund's return per krona for the year: the ledger's all-actor row of the förbund as a whole."""
    if not has(ledger):
        return pd.Series(dtype="float64")
    whole = ledger[(ledger["project_id"].astype(str) == ALL_PROJECTS) & (ledger["actor"] == TOTAL)]
    return pd.to_numeric(whole.set_index("forbund")["return_ratio"], errors="coerce").astype("float64")


def _history_row(rec: dict) -> HistoryRow:
    exited, to_work = count_cell(rec["exited"]), count_cell(rec["to_work_or_studies"])
    return HistoryRow(
        year=int(rec["year"]),
        participants=count_cell(rec["participants"]),
        exited=exited,
        to_work_or_studies=to_work,
        share_work_or_studies=share_cell(rec["share_work_or_studies"], exited, to_work),
        cost_per_participant=plain(rec["cost_per_participant"]),
    )


def benchmark_section(measures: pd.DataFrame | None, ledger: pd.DataFrame | None, forbund: str, year: int
                      ) -> BenchmarkSection:
    if not has(measures) or forbund not in set(measures["forbund"]):
        return BenchmarkSection(available=False)
    history = [_history_row(rec) for rec in own_history(measures, forbund, year).to_dict("records")]
    # The förbund's own share, like every share, only where both its counts are shown.
    own = next((h for h in history if h.year == year), None)
    compared = standings(measures, returns_by_forbund(ledger), forbund, year)
    if own is not None and own.share_work_or_studies.suppressed:
        compared = [Standing(s.measure, s.label, None, None, s.national_median, s.forbund_compared)
                    if s.measure == "share_work_or_studies" else s for s in compared]
    return BenchmarkSection(
        available=True,
        forbund_in_year=int((measures["year"] == year).sum()),
        standings=compared,
        history=history,
        any_suppressed=any(c.suppressed for h in history
                           for c in (h.participants, h.exited, h.to_work_or_studies, h.share_work_or_studies)),
    )
