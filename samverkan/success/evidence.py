"""Project events as evidence for a report year: which count, which are too late or too early, who is a member.

An event counts for a report year when it is dated on or after the project's
start and on or before 31 December of that year. An implementation decision
counts only when the organisation is a member (af, fk, kommun, region) by the
names and patterns of the rules file.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from samverkan.ledger.actors import CODE_TO_ACTOR
from samverkan.success.rules import MEMBERS, Rules

# How organisations are written in reasons; anything else is shown as the data has it.
ORGANISATION_LABELS = {
    **{code: CODE_TO_ACTOR[code] for code in MEMBERS},
    "samordningsforbund": "Samordningsförbundet",
    "esf": "ESF",
    "ovrig": "Övrig",
}
EVIDENCE_COLUMNS = ["project_id", "date", "kind", "organisation", "reference", "member", "status"]


def member_of(organisation: pd.Series, rules: Rules) -> pd.Series:
    """The member an organisation name stands for (``af``, ``fk``, ``kommun``, ``region``), else missing."""
    names = organisation.fillna("").astype("str").str.strip().str.casefold()

    def matches(patterns: tuple[str, ...]) -> pd.Series:
        compiled = [re.compile(p, re.IGNORECASE) for p in patterns]
        return names.map(lambda name: any(c.search(name) for c in compiled)).astype(bool)

    result = pd.Series(np.nan, index=organisation.index, dtype="object")
    undecided = (names != "") & ~matches(rules.non_member_patterns)
    for member in MEMBERS:
        hit = undecided & (names.isin(rules.member_names[member]) | matches(rules.member_patterns[member]))
        result[hit] = member
        undecided &= ~hit
    return result.astype("str")


def organisation_label(organisation: str) -> str:
    text = str(organisation).strip()
    return ORGANISATION_LABELS.get(text.casefold(), text)


def events_as_of(events: pd.DataFrame, projects: pd.DataFrame, year: int, rules: Rules) -> pd.DataFrame:
    """Every event of a known project with ``member`` and ``status``: counted, late (after 31 Dec) or early."""
    year_end = pd.Timestamp(year, 12, 31)
    start = projects.drop_duplicates("project_id").set_index("project_id")["start_date"]
    frame = events[events["project_id"].isin(start.index) & events["date"].notna()].copy()
    frame["member"] = member_of(frame["organisation"], rules)
    project_start = start.reindex(frame["project_id"]).to_numpy()
    frame["status"] = np.select(
        [frame["date"] > year_end, frame["date"] < project_start],
        ["late", "early"],
        default="counted",
    )
    columns = ["project_id", "date", "kind", "organisation", "reference", "member", "status"]
    return frame[columns].sort_values(["project_id", "date", "kind", "organisation"], kind="stable",
                                      ignore_index=True)
