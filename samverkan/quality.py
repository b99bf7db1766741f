"""Row rules beyond single-cell types: references between datasets, keys, order of dates."""

from __future__ import annotations

import pandas as pd

from samverkan.conform import PROBLEM_COLUMNS


def _problems(typed: pd.DataFrame, mask: pd.Series, dataset: str, column: str, rule: str,
              message: str) -> pd.DataFrame:
    hit = typed.loc[mask]
    return pd.DataFrame(
        {
            "dataset": dataset,
            "source_file": hit["source_file"].to_numpy(),
            "source_row": hit["source_row"].to_numpy(),
            "column": column,
            "rule": rule,
            "message": message,
        },
        columns=PROBLEM_COLUMNS,
    )


def row_problems(dataset: str, typed: pd.DataFrame, known_project_ids: pd.Series | None) -> pd.DataFrame:
    found: list[pd.DataFrame] = []
    if known_project_ids is not None and "project_id" in typed.columns:
        unknown = typed["project_id"].notna() & ~typed["project_id"].isin(known_project_ids)
        if unknown.any():
            found.append(_problems(typed, unknown, dataset, "project_id", "unknown_project",
                                   "projektet finns inte i projects"))
    found = [f for f in found if not f.empty]
    return pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=PROBLEM_COLUMNS)
