"""The benchmarks chapter: the förbund beside the other förbund of the same year, and beside its own earlier
years (``samverkan.comparison``).

Which förbund it is compared with (``basis``):

- ``inbox``: the förbund of the inbox (a national run has every förbund; a smaller inbox says how many it
  compares with, and with fewer than ``MIN_FORBUND`` no percentile is given);
- ``reference``: a national reference (``samverkan.national_reference``) of the same year, when the run was given
  one or the inbox holds one: the förbund's own figures from this run against every other förbund's from the
  reference, whose source and year the chapter names;
  a reference computed from this very inbox (a run limited to some förbund after the year's full run) has the
  inbox's förbund and figures, so the chapter is the ``inbox`` one, with one sentence naming the source;
- ``none``: a run limited to some förbund (``--forbund``) without a reference: its inbox cut says nothing about
  the country, so no comparison is shown.

A share is shown only when both its counts are (five or more), as in the participant flow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from samverkan.comparison import MIN_FORBUND, Standing, own_history, standings
from samverkan.files import write_csv_atomic
from samverkan.inbox import inbox_digest
from samverkan.ledger.actors import TOTAL
from samverkan.ledger.results import ALL_PROJECTS
from samverkan.national_reference import (
    FINGERPRINT_COLUMNS,
    REFERENCE_FILE,
    REFERENCE_INBOX_FILE,
    NationalReference,
    exported_source,
    of_inbox,
    reference_table,
)
from samverkan.report.flow import Cell, count_cell, share_cell
from samverkan.report.frames import has, plain
from samverkan.report.inputs import ReportInputs


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
    basis: str = "inbox"  # inbox | reference | none (see the module docstring)
    reference_source: str = ""
    reference_year: int | None = None  # set when the reference is of another year than the report (not compared)

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


def against_reference(measures: pd.DataFrame, returns: pd.Series, forbund: str, year: int,
                       reference: NationalReference) -> tuple[pd.DataFrame, pd.Series]:
    """The reference's förbund as measures and returns of ``year``, with the förbund's own row from this run in
    place of the reference's (a run with other parameters changes its own figures, not the country's)."""
    table = reference.table.drop(index=forbund, errors="ignore")
    own = measures[(measures["year"] == year) & (measures["forbund"] == forbund)]
    others = pd.DataFrame({"forbund": table.index, "year": year,
                           "share_work_or_studies": table["share_work_or_studies"].to_numpy(),
                           "cost_per_participant": table["cost_per_participant"].to_numpy()})
    mine = own[["forbund", "year", "share_work_or_studies", "cost_per_participant"]]
    combined = pd.concat([others, mine], ignore_index=True) if len(mine) else others
    own_return = returns.reindex([forbund]).dropna()
    return combined, pd.concat([table["return_ratio"], own_return]).astype("float64")


def benchmark_section(measures: pd.DataFrame | None, ledger: pd.DataFrame | None, forbund: str, year: int,
                      reference: NationalReference | None = None, scoped: bool = False,
                      inbox_files: pd.DataFrame | None = None) -> BenchmarkSection:
    """The chapter for ``forbund``; ``reference`` replaces the inbox's other förbund, ``scoped`` says the run was
    limited to some förbund (without a reference there is then nothing to compare with), ``inbox_files`` are the
    run's inbox (a reference computed from it is the inbox's own förbund, see the module docstring)."""
    if not has(measures) or forbund not in set(measures["forbund"]):
        return BenchmarkSection(available=False)
    history = [_history_row(rec) for rec in own_history(measures, forbund, year).to_dict("records")]
    any_suppressed = any(c.suppressed for h in history
                         for c in (h.participants, h.exited, h.to_work_or_studies, h.share_work_or_studies))
    if reference is None and scoped:
        return BenchmarkSection(available=True, history=history, any_suppressed=any_suppressed, basis="none")
    if reference is not None and reference.year != year:
        return BenchmarkSection(available=True, history=history, any_suppressed=any_suppressed, basis="reference",
                                reference_source=reference.source, reference_year=reference.year)
    returns = returns_by_forbund(ledger)
    if reference is not None:
        measures, returns = against_reference(measures, returns, forbund, year, reference)
    # The förbund's own share, like every share, only where both its counts are shown.
    own = next((h for h in history if h.year == year), None)
    compared = standings(measures, returns, forbund, year)
    if own is not None and own.share_work_or_studies.suppressed:
        compared = [Standing(s.measure, s.label, None, None, s.national_median, s.forbund_compared)
                    if s.measure == "share_work_or_studies" else s for s in compared]
    return BenchmarkSection(
        available=True,
        forbund_in_year=int((measures["year"] == year).sum()),
        standings=compared,
        history=history,
        any_suppressed=any_suppressed,
        basis="inbox" if reference is None or of_inbox(reference, inbox_files) else "reference",
        reference_source="" if reference is None else reference.source,
    )


def export_reference(inputs: ReportInputs, out: Path) -> tuple[Path, Path]:
    """A full run's national reference (``national_reference.csv``) and the inbox it was computed from
    (``national_reference_inbox.csv``), for later runs limited to some förbund and for one-förbund inboxes."""
    files = inputs.input_files if has(inputs.input_files) else pd.DataFrame(columns=FINGERPRINT_COLUMNS)
    files = files[FINGERPRINT_COLUMNS]
    measures = inputs.outcome_measures if has(inputs.outcome_measures) else pd.DataFrame(
        columns=["forbund", "year", "share_work_or_studies", "cost_per_participant"])
    table = reference_table(measures, returns_by_forbund(inputs.ledger), inputs.year,
                            exported_source(inputs.year, inbox_digest(files)))
    return (write_csv_atomic(table, Path(out) / REFERENCE_FILE),
            write_csv_atomic(files, Path(out) / REFERENCE_INBOX_FILE))
