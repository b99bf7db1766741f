"""A förbund beside the other förbund of the same year and beside its own earlier years.

Computed from the same multi-year inbox as the rest of the report, so the report stays reproducible. Only
individual-oriented projects (``individinriktad``) are compared: structural projects have no participants to
count or cost per head, so they are not comparable on these measures.

- *share to work or studies*: the flow's share for the year, over the compared projects' leavers;
- *cost per participant*: all project costs of the year (cash and in kind, every financier) over the year's
  participants;
- *return per krona*: the ledger's return of the förbund as a whole for the report year (other years' ledgers are
  not computed in a year's run, so the history has no return).

The percentile is the mid-rank: the share of förbund with a lower value plus half of those with the same value,
so the median förbund is at 50 whatever the ties. With fewer than ``MIN_FORBUND`` förbund in the year no
percentile and no median are given (it would describe the inbox, not the country, and beside the förbund's own
value the median of two gives the other's away).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from samverkan.contract import EXIT_REASON_MISREGISTERED, WORK_OR_STUDIES
from samverkan.privacy import SMALL_COUNT_LIMIT

COMPARED_ORIENTATION = "individinriktad"
MIN_FORBUND = 5
MEASURES = {
    "share_work_or_studies": "Andel till arbete eller studier",
    "cost_per_participant": "Kostnad per deltagare",
    "return_ratio": "Avkastning per investerad krona",
}


@dataclass(frozen=True)
class Standing:
    measure: str
    label: str
    value: float | None
    percentile: float | None  # 0–100, None when too few förbund or no value
    national_median: float | None
    forbund_compared: int


def yearly_measures(participants: pd.DataFrame, projects: pd.DataFrame, costs: pd.DataFrame,
                    years: list[int]) -> pd.DataFrame:
    """Per förbund and year: participants, leavers, to work or studies, their share, costs and cost per
    participant, over the compared projects."""
    compared = projects[projects["orientation"] == COMPARED_ORIENTATION].drop_duplicates("project_id")
    forbund_of = compared.set_index("project_id")["forbund"]
    episodes = participants[participants["project_id"].isin(forbund_of.index)
                            & (participants["exit_reason"].fillna("") != EXIT_REASON_MISREGISTERED)]
    episodes = episodes.assign(forbund=episodes["project_id"].map(forbund_of))
    spend = costs[costs["project_id"].isin(forbund_of.index)]
    spend = spend.assign(forbund=spend["project_id"].map(forbund_of))
    rows = []
    for year in years:
        start, end = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
        active = (episodes["enrolled_on"] <= end) & (episodes["exited_on"].isna() | (episodes["exited_on"] >= start))
        left = episodes["exited_on"].dt.year == year
        to_work = left & episodes["occupation_after"].isin(WORK_OR_STUDIES)
        flags = pd.DataFrame({"forbund": episodes["forbund"], "participants": active.fillna(False),
                              "exited": left.fillna(False), "to_work_or_studies": to_work.fillna(False)})
        counts = flags.groupby("forbund").sum().astype("int64")
        paid = spend[spend["year"] == year].groupby("forbund")["amount_sek"].sum()
        counts["cost_sek"] = paid.reindex(counts.index).fillna(0.0).astype("float64")
        counts.insert(0, "year", year)
        rows.append(counts.reset_index())
    frame = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(
        columns=["forbund", "year", "participants", "exited", "to_work_or_studies", "cost_sek"])
    return with_rates(frame).sort_values(["forbund", "year"], ignore_index=True)


def with_rates(counts: pd.DataFrame) -> pd.DataFrame:
    """Counts per förbund and year (participants, exited, to_work_or_studies, cost_sek) with the share to work
    or studies and the cost per participant."""
    frame = counts.copy()
    frame["share_work_or_studies"] = (frame["to_work_or_studies"] / frame["exited"].where(frame["exited"] > 0))
    frame["cost_per_participant"] = frame["cost_sek"] / frame["participants"].where(frame["participants"] > 0)
    # A share of fewer than five leavers, or a cost over fewer than five people, tells about individuals.
    frame.loc[frame["exited"] < SMALL_COUNT_LIMIT, "share_work_or_studies"] = np.nan
    frame.loc[frame["participants"] < SMALL_COUNT_LIMIT, "cost_per_participant"] = np.nan
    return frame


def mid_rank_percentile(values: pd.Series, value: float) -> float:
    present = values.dropna().to_numpy(dtype="float64")
    below = float(np.sum(present < value))
    same = float(np.sum(present == value))
    return round(100.0 * (below + same / 2) / len(present), 1)


def standings(measures: pd.DataFrame, returns: pd.Series, forbund: str, year: int) -> list[Standing]:
    """The förbund's place among all förbund of ``year`` on each measure; ``returns`` is the ledger's return
    per krona by förbund for the year."""
    same_year = measures[measures["year"] == year].set_index("forbund")
    table = pd.DataFrame({
        "share_work_or_studies": same_year["share_work_or_studies"],
        "cost_per_participant": same_year["cost_per_participant"],
        "return_ratio": returns.reindex(same_year.index) if len(returns) else np.nan,
    })
    out = []
    for measure, label in MEASURES.items():
        column = table[measure].astype("float64")
        value = column.get(forbund)
        value = None if value is None or pd.isna(value) else float(value)
        compared = int(column.notna().sum())
        percentile = None
        if value is not None and compared >= MIN_FORBUND:
            percentile = mid_rank_percentile(column, value)
        # The median of two förbund is their mean: beside one's own value it gives the other's away.
        median = float(column.median()) if compared >= MIN_FORBUND else None
        out.append(Standing(measure, label, value, percentile, median, compared))
    return out


def own_history(measures: pd.DataFrame, forbund: str, year: int, years_back: int = 4) -> pd.DataFrame:
    """The förbund's own measures for ``year`` and the years before it in the inbox, oldest first."""
    mine = measures[(measures["forbund"] == forbund) & (measures["year"] <= year)
                    & (measures["year"] > year - years_back - 1)]
    return mine.sort_values("year", ignore_index=True)
