"""The outcome chapters as published CSV extracts (breakdowns.csv, transitions.csv, benchmarks.csv).

Made from the very sections the reports print (the view builders of ``breakdowns``, ``destinations`` and
``benchmarks``), so an extract is suppressed exactly as the report is: a hidden count is an empty cell, and
``hidden`` says whether it is small (``liten``) or hidden to protect a small neighbour (``skydd``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from samverkan.report.benchmarks import benchmark_section
from samverkan.report.breakdowns import breakdown_section
from samverkan.report.destinations import destination_section
from samverkan.report.inputs import ReportInputs
from samverkan.suppression import Cell

BREAKDOWN_COLUMNS = ["forbund", "year", "dimension", "category", "participants", "exited", "to_work_or_studies",
                     "share_work_or_studies", "hidden"]
TRANSITION_COLUMNS = ["forbund", "year", "before", "after", "leavers", "hidden"]
# Not comparison.csv: that is the run comparison's file (samverkan.compare), which a new version holds too.
BENCHMARKS_FILE = "benchmarks.csv"
BENCHMARK_COLUMNS = ["forbund", "year", "measure", "value", "median", "percentile", "forbund_compared"]


def _hidden(cells: Iterable[Any]) -> str:
    cells = list(cells)
    if any(c.suppressed and not getattr(c, "secondary", False) for c in cells):
        return "liten"
    return "skydd" if any(c.suppressed for c in cells) else ""


def _counts(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return frame.astype({c: "Int64" for c in columns})


def outcome_extracts(inputs: ReportInputs, names: Iterable[str]) -> dict[str, pd.DataFrame]:
    """File name → the suppressed table over every förbund in ``names``."""
    breakdowns: list[dict[str, Any]] = []
    transitions: list[dict[str, Any]] = []
    benchmarks: list[dict[str, Any]] = []
    year = inputs.year
    for forbund in names:
        for table in breakdown_section(inputs.breakdown_counts, forbund).tables:
            for row in (*table.rows, table.total):
                cells: list[Cell] = [row.participants, row.exited, row.to_work_or_studies]
                breakdowns.append({"forbund": forbund, "year": year, "dimension": table.dimension,
                                   "category": row.category, "participants": cells[0].value,
                                   "exited": cells[1].value, "to_work_or_studies": cells[2].value,
                                   "share_work_or_studies": row.share_work_or_studies, "hidden": _hidden(cells)})
        for before, after, cell in destination_section(inputs.transition_counts, forbund).cells():
            transitions.append({"forbund": forbund, "year": year, "before": before, "after": after,
                                "leavers": cell.value, "hidden": _hidden([cell])})
        for standing in benchmark_section(inputs.outcome_measures, inputs.ledger, forbund, year).standings:
            benchmarks.append({"forbund": forbund, "year": year, "measure": standing.measure,
                               "value": standing.value, "median": standing.national_median,
                               "percentile": standing.percentile, "forbund_compared": standing.forbund_compared})
    return {
        "breakdowns.csv": _counts(pd.DataFrame(breakdowns, columns=BREAKDOWN_COLUMNS),
                                  ["participants", "exited", "to_work_or_studies"]),
        "transitions.csv": _counts(pd.DataFrame(transitions, columns=TRANSITION_COLUMNS), ["leavers"]),
        BENCHMARKS_FILE: pd.DataFrame(benchmarks, columns=BENCHMARK_COLUMNS),
    }
