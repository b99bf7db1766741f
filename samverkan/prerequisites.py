"""The 12 prerequisites for lasting collaboration: a profile per project and year, never a level.

Scores come from the optional ``project_assessments`` dataset (0 absent, 1
weak, 2 partly in place, 3 fully in place). A project assessed in a year gets
all twelve rows, criteria it did not score with an empty score, so a board sees
the gaps as well as the strengths. When a criterion is scored twice for the
same project and year, the first row in file order counts, as at ingest (where
the later row is quarantined as a duplicate key).
"""

from __future__ import annotations

import pandas as pd

PREREQUISITES = {
    1: "Högsta ledningen driver samverkan",
    2: "Ledningsstruktur",
    3: "Strategi och konkret plan",
    4: "Samfinansiering",
    5: "Incitament",
    6: "Uppföljningssystem",
    7: "Samlokalisering",
    8: "Gemensam kompetensutveckling",
    9: "Prövande och risktagande förhållningssätt",
    10: "Bygga på det som fungerar",
    11: "Uthållighet",
    12: "Eldsjälar",
}
# Tom Ling's four dimensions of joined-up working (Public Administration 80(4), 2002), in the Swedish wording
# the field uses; which prerequisite falls under which, and why, is our reading: docs/prerequisites.md.
DIMENSIONS = (
    "Samverkanskultur och helhetstänkande",
    "Nya arbetssätt och metoder",
    "Nya ansvarigheter och incitament för samverkan",
    "Struktur för samordning och innovation",
)
DIMENSION_OF = {
    1: DIMENSIONS[0], 8: DIMENSIONS[0], 9: DIMENSIONS[0], 12: DIMENSIONS[0],
    7: DIMENSIONS[1], 10: DIMENSIONS[1],
    4: DIMENSIONS[2], 5: DIMENSIONS[2], 6: DIMENSIONS[2],
    2: DIMENSIONS[3], 3: DIMENSIONS[3], 11: DIMENSIONS[3],
}
SCORE_LABELS = {0: "saknas", 1: "svag", 2: "delvis på plats", 3: "helt på plats"}
# A prerequisite counts as in place from this score ("delvis på plats") when a plan is summarised as x of 12.
IN_PLACE_FROM = 2
PREREQUISITE_COLUMNS = ["forbund", "project_id", "year", "criterion", "name", "score", "comment"]
NOT_ASSESSED = "Ej bedömd"


def prerequisite_profiles(assessments: pd.DataFrame, projects: pd.DataFrame, year: int) -> pd.DataFrame:
    """Twelve rows per project assessed in ``year``: ``forbund, project_id, year, criterion, name, score, comment``."""
    forbund = projects.drop_duplicates("project_id").set_index("project_id")["forbund"]
    scored = assessments[(assessments["year"] == year).fillna(False).astype(bool)
                         & assessments["project_id"].isin(forbund.index)
                         & assessments["criterion"].isin(list(PREREQUISITES))]
    order = [c for c in ("source_file", "source_row") if c in scored.columns]
    scored = (scored.sort_values(order, kind="stable") if order else scored).drop_duplicates(
        ["project_id", "criterion"], keep="first")
    assessed = sorted(scored["project_id"].unique())
    grid = pd.MultiIndex.from_product([assessed, list(PREREQUISITES)], names=["project_id", "criterion"])
    values = scored.astype({"criterion": "int64"}).set_index(["project_id", "criterion"])[["score", "comment"]]
    profile = values.reindex(grid).reset_index()
    profile.insert(0, "forbund", profile["project_id"].map(forbund).astype("str"))
    profile.insert(2, "year", pd.Series(year, index=profile.index, dtype="int64"))
    profile["name"] = profile["criterion"].map(PREREQUISITES).astype("str")
    profile["score"] = profile["score"].astype("Int64")
    comment = profile["comment"].astype("str")
    profile["comment"] = comment.where(profile["score"].notna(), NOT_ASSESSED).fillna("").astype("str")
    profile["criterion"] = profile["criterion"].astype("int64")
    return profile[PREREQUISITE_COLUMNS].sort_values(["forbund", "project_id", "criterion"], ignore_index=True)


def profile_summary(profiles: pd.DataFrame) -> pd.DataFrame:
    """Per criterion: how many projects scored it and their mean score (for metadata and the report)."""
    grouped = profiles.groupby("criterion")["score"]
    summary = pd.DataFrame({
        "criterion": list(PREREQUISITES),
        "name": list(PREREQUISITES.values()),
    })
    summary["projects_scored"] = summary["criterion"].map(grouped.count()).fillna(0).astype("int64")
    summary["mean_score"] = summary["criterion"].map(grouped.mean().astype("float64")).round(2)
    return summary


def dimension_profile(profiles: pd.DataFrame) -> pd.DataFrame:
    """Per förbund, year and dimension: the criteria under it, how many scores it rests on, their mean (0–3).

    The förbund's own profile of joined-up work, from its projects' assessments of the year; a dimension nobody
    scored has no mean.
    """
    columns = ["forbund", "year", "dimension", "criteria", "scores", "mean_score"]
    # Criteria may come back from a CSV or a hand-made table as text ("3"): the mapping is by number.
    criterion = pd.to_numeric(profiles["criterion"], errors="coerce")
    scored = profiles.assign(dimension=criterion.map(DIMENSION_OF),
                             score=pd.to_numeric(profiles["score"], errors="coerce"))
    rows = []
    for (forbund, year), group in scored.groupby(["forbund", "year"], sort=True):
        for dimension in DIMENSIONS:
            criteria = sorted(k for k, d in DIMENSION_OF.items() if d == dimension)
            scores = group.loc[group["dimension"] == dimension, "score"].dropna()
            rows.append({"forbund": forbund, "year": int(year), "dimension": dimension,
                         "criteria": ", ".join(str(c) for c in criteria), "scores": int(len(scores)),
                         "mean_score": round(float(scores.mean()), 2) if len(scores) else None})
    frame = pd.DataFrame(rows, columns=columns)
    frame["mean_score"] = frame["mean_score"].astype("Float64")
    return frame


def in_place(scores: dict[int, int | None]) -> tuple[int, list[str]]:
    """How many of the twelve are in place (score ``IN_PLACE_FROM`` or more) and the names of those that are not."""
    missing = [name for number, name in PREREQUISITES.items()
               if scores.get(number) is None or scores[number] < IN_PLACE_FROM]
    return len(PREREQUISITES) - len(missing), missing
