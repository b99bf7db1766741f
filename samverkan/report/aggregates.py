"""The report's outcome tables for every förbund at once: counts, never rows about people.

The render steps get these aggregates in the report inputs instead of the participants: one pass over the
inbox's episodes for the whole year, and each förbund's report suppresses its own rows
(``samverkan.suppression``) when its context is built. The counts here are unsuppressed and stay internal; an
extract made from them must go through the same view builders.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from samverkan.breakdowns import breakdown_counts
from samverkan.comparison import yearly_measures
from samverkan.contract import EXIT_REASON_MISREGISTERED, PARTICIPANTS
from samverkan.transitions import transition_counts

BY_FORBUND = ("forbund",)


@dataclass(frozen=True)
class OutcomeTables:
    breakdown_counts: pd.DataFrame  # forbund, dimension, category, participants, exited, to_work_or_studies
    transition_counts: pd.DataFrame  # forbund, before, after, leavers
    measures: pd.DataFrame  # comparison.yearly_measures: per förbund and year of the inbox
    project_leavers: pd.DataFrame  # forbund, project_id, leavers: the year's counted leavers per project


def _with_forbund(participants: pd.DataFrame, projects: pd.DataFrame) -> pd.DataFrame:
    """The episodes with every contract column (an optional one may be absent) and their project's förbund."""
    columns = [c.name for c in PARTICIPANTS.columns]
    frame = participants.reindex(columns=list(dict.fromkeys([*participants.columns, *columns])))
    for column in ("enrolled_on", "exited_on"):
        frame[column] = pd.to_datetime(frame[column])
    forbund = projects.drop_duplicates("project_id").set_index("project_id")["forbund"]
    frame = frame.assign(forbund=frame["project_id"].map(forbund))
    return frame[frame["forbund"].notna()]


def outcome_tables(participants: pd.DataFrame, projects: pd.DataFrame, project_costs: pd.DataFrame,
                   year: int) -> OutcomeTables:
    """Breakdowns and before → after counts of ``year``, and the comparison measures of every year in the
    inbox, for all förbund."""
    episodes = _with_forbund(participants, projects)
    costs = project_costs if {"project_id", "year", "amount_sek"} <= set(project_costs.columns) else \
        pd.DataFrame(columns=["project_id", "year", "amount_sek"])
    years = sorted({int(y) for y in pd.concat([episodes["enrolled_on"].dt.year, episodes["exited_on"].dt.year])
                    .dropna() if int(y) <= year})
    measure_projects = projects if "orientation" in projects.columns else projects.assign(orientation=None)
    return OutcomeTables(
        breakdown_counts=breakdown_counts(episodes, year, by=BY_FORBUND),
        transition_counts=transition_counts(episodes, year, by=BY_FORBUND),
        measures=yearly_measures(episodes, measure_projects, costs, years),
        project_leavers=project_leavers(episodes, year),
    )


def project_leavers(episodes: pd.DataFrame, year: int) -> pd.DataFrame:
    """The year's counted leavers per project (felregistrering is no episode): a project page shows its ledger
    per actor only when they are not a small count."""
    left = episodes[(episodes["exited_on"].dt.year == year).fillna(False).astype(bool)
                    & (episodes["exit_reason"].fillna("") != EXIT_REASON_MISREGISTERED)]
    counts = left.groupby(["forbund", "project_id"], sort=True).size().rename("leavers").reset_index()
    return counts.astype({"leavers": "int64"})
