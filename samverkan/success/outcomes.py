"""Participants' outcomes per project as of 31 December of a report year, with their uncertainty.

Which episodes count: every exit of the project (``exited_on`` set, not
``felregistrering``) enrolled and exited on or before 31 December of the report
year — all years of the project up to and including the report year, since a
project's effect is judged on everyone it has finished with. Exits without
``occupation_after`` count in the denominator (not known to be in work or
studies). The 12-month follow-up counts only for exits in earlier years: for a
later exit the follow-up day has not come by 31 December.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pandas as pd

from samverkan.contract import EXIT_REASON_MISREGISTERED, WORK_OR_STUDIES

OUTCOME_COLUMNS = ["project_id", "exits", "to_work_or_studies", "unknown_after", "share", "ci_low", "ci_high",
                   "followed", "retained", "retention"]


def wilson_interval(successes: np.ndarray | pd.Series, n: np.ndarray | pd.Series,
                    confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided Wilson score interval for a share; NaN where ``n`` is 0.

    Chosen over the normal (Wald) interval because it stays inside 0–1 and
    behaves at the small counts projects have.
    """
    k = np.asarray(successes, dtype="float64")
    n = np.asarray(n, dtype="float64")
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        low = np.where(n > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
        high = np.where(n > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    return low, high


def counted_exits(participants: pd.DataFrame, year: int) -> pd.DataFrame:
    """The episodes that count for ``year``: exits (not felregistrering) on or before 31 December."""
    year_end = pd.Timestamp(year, 12, 31)
    exited = participants["exited_on"]
    mask = (
        exited.notna()
        & (exited <= year_end)
        & (participants["enrolled_on"] <= year_end)
        & (participants["exit_reason"].fillna("") != EXIT_REASON_MISREGISTERED)
    )
    return participants.loc[mask.fillna(False).astype(bool)]


def project_outcomes(participants: pd.DataFrame, year: int, confidence: float) -> pd.DataFrame:
    """One row per project with counted exits: counts, share in work or studies, its interval, follow-up."""
    exits = counted_exits(participants, year)
    worked = exits["occupation_after"].isin(WORK_OR_STUDIES).fillna(False).astype(bool)
    followed = worked & exits["occupation_12m"].notna() & (exits["exited_on"].dt.year < year)
    kept = followed & exits["occupation_12m"].isin(WORK_OR_STUDIES).fillna(False).astype(bool)
    flags = pd.DataFrame({
        "project_id": exits["project_id"],
        "exits": 1,
        "to_work_or_studies": worked.astype("int64"),
        "unknown_after": exits["occupation_after"].isna().astype("int64"),
        "followed": followed.astype("int64"),
        "retained": kept.astype("int64"),
    })
    counts = flags.groupby("project_id", sort=True).sum()
    low, high = wilson_interval(counts["to_work_or_studies"], counts["exits"], confidence)
    counts["share"] = counts["to_work_or_studies"] / counts["exits"]
    counts["ci_low"] = low
    counts["ci_high"] = high
    counts["retention"] = counts["retained"] / counts["followed"].where(counts["followed"] > 0)
    return counts.reset_index()[OUTCOME_COLUMNS]
