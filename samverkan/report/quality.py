"""The data quality chapter: rows in, accepted and quarantined per dataset, and the most common reasons.

Counted by rule and column only: the problems' messages quote cell values and stay in the quarantine file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from samverkan.report.frames import has, plain
from samverkan.report.labels import DATASET_NAMES
from samverkan.validation_rules import rule_label


@dataclass(frozen=True)
class DatasetRows:
    dataset: str
    name: str
    rows_in: int
    accepted: int
    quarantined: int
    share_quarantined: float | None


@dataclass(frozen=True)
class Reason:
    dataset: str  # the dataset's Swedish name
    column: str
    rule: str
    rule_name: str
    problems: int


@dataclass(frozen=True)
class RowTotals:
    rows_in: int
    accepted: int
    quarantined: int


@dataclass(frozen=True)
class QualitySection:
    available: bool
    datasets: list[DatasetRows] = field(default_factory=list)
    top_reasons: list[Reason] = field(default_factory=list)
    totals: RowTotals | None = None
    problems_total: int = 0


def _dataset_rows(summary: pd.DataFrame) -> list[DatasetRows]:
    rows = []
    for rec in summary.to_dict("records"):
        name = str(rec["dataset"])
        rows_in = int(plain(rec.get("rows_in")) or 0)
        quarantined = int(plain(rec.get("quarantined")) or 0)
        rows.append(DatasetRows(
            dataset=name,
            name=DATASET_NAMES.get(name, name),
            rows_in=rows_in,
            accepted=int(plain(rec.get("accepted")) or 0),
            quarantined=quarantined,
            share_quarantined=(quarantined / rows_in) if rows_in else None,
        ))
    order = list(DATASET_NAMES)
    return sorted(rows, key=lambda d: order.index(d.dataset) if d.dataset in order else 99)


def _top_reasons(problems: pd.DataFrame, top: int) -> list[Reason]:
    grouped = (problems.assign(column=problems["column"].fillna("").astype(str))
               .groupby(["dataset", "column", "rule"], as_index=False).size()
               .sort_values(["size", "dataset", "column", "rule"], ascending=[False, True, True, True]))
    return [Reason(dataset=DATASET_NAMES.get(rec["dataset"], rec["dataset"]), column=rec["column"] or "–",
                   rule=rec["rule"], rule_name=rule_label(rec["rule"]), problems=int(rec["size"]))
            for rec in grouped.head(top).to_dict("records")]


def quality_section(summary: pd.DataFrame | None, problems: pd.DataFrame | None, top: int = 10) -> QualitySection:
    if not has(summary) and not has(problems):
        return QualitySection(available=False)
    datasets = _dataset_rows(summary) if has(summary) else []
    return QualitySection(
        available=True,
        datasets=datasets,
        top_reasons=_top_reasons(problems, top) if has(problems) else [],
        totals=RowTotals(rows_in=sum(d.rows_in for d in datasets), accepted=sum(d.accepted for d in datasets),
                         quarantined=sum(d.quarantined for d in datasets)),
        problems_total=int(len(problems)) if has(problems) else 0,
    )
