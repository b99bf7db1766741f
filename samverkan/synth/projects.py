"""Förbund, their projects (with a hidden quality that drives outcomes), project years and costs."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from samverkan.synth.vocabulary import MEMBER_ORGS, PLACES, PROJECT_WORDS, TARGET_GROUP_CODES, TARGET_GROUPS, SynthSpec

HIDDEN_COLUMNS = ["hidden_quality", "hidden_lasting"]


def forbund_names(count: int) -> list[str]:
    names = []
    for i in range(count):
        place = PLACES[i % len(PLACES)]
        suffix = "" if i < len(PLACES) else f" {['norra', 'södra', 'östra', 'västra'][(i // len(PLACES)) % 4]}"
        names.append(f"Samordningsförbundet {place}{suffix}")
    return names


def draw_projects(rng: np.random.Generator, spec: SynthSpec) -> pd.DataFrame:
    """The projects of every förbund, with the hidden drivers in ``HIDDEN_COLUMNS`` (dropped before writing)."""
    rows = []
    for f_index, forbund in enumerate(forbund_names(spec.forbund)):
        count = int(rng.integers(6, 17))
        for p in range(count):
            start_year = int(rng.integers(spec.first_year - 2, spec.last_year + 1))
            start = dt.date(start_year, int(rng.choice([1, 1, 3, 8, 9])), 1)
            length_years = int(rng.integers(1, 6))
            end = dt.date(start_year + length_years - 1, 12, 31)
            ongoing = end.year > spec.last_year or rng.random() < 0.15 and end.year >= spec.last_year - 1
            structural = rng.random() < 0.2
            word = PROJECT_WORDS[int(rng.integers(0, len(PROJECT_WORDS)))]
            name = f"{word} {start_year}" if rng.random() < 0.5 else f"{word} – {forbund.split()[-1]}"
            group = TARGET_GROUPS[int(rng.integers(0, len(TARGET_GROUPS)))]  # drawn after the name, as before
            rows.append(
                {
                    "project_id": f"SF{f_index + 1:02d}-P{p + 1:03d}",
                    "forbund": forbund,
                    "name": name,
                    "start_date": start.isoformat(),
                    "end_date": "" if ongoing else end.isoformat(),
                    "target_group": group,
                    "target_group_code": TARGET_GROUP_CODES[group],
                    "orientation": "strukturovergripande" if structural else "individinriktad",
                    "planned_participants": "" if structural else str(int(rng.integers(20, 200))),
                    "target_share_work_or_studies": "" if structural else f"{rng.choice([0.25, 0.3, 0.35, 0.4])}",
                    "hidden_quality": float(rng.beta(2.2, 3.0)),
                    "hidden_lasting": float(rng.uniform(0.2, 0.95)),
                }
            )
    return pd.DataFrame(rows)


def project_years(projects: pd.DataFrame, spec: SynthSpec) -> pd.DataFrame:
    """One row per project and year it runs within the spec's years."""
    start = pd.to_datetime(projects["start_date"]).dt.year
    end = pd.to_datetime(projects["end_date"].replace("", None)).dt.year.fillna(spec.last_year).astype(int)
    out = []
    for pid, s, e, orientation in zip(projects["project_id"], start, end, projects["orientation"], strict=True):
        for year in range(max(s, spec.first_year), min(e, spec.last_year) + 1):
            out.append((pid, year, orientation))
    return pd.DataFrame(out, columns=["project_id", "year", "orientation"])


def draw_costs(rng: np.random.Generator, years: pd.DataFrame) -> pd.DataFrame:
    """Each project year's costs: the förbund's own, members' in-kind now and then, ESF money sometimes."""
    rows = []
    for pid, year, orientation in years.itertuples(index=False):
        scale = 0.6 if orientation == "strukturovergripande" else 1.0
        rows.append((pid, year, "samordningsforbund", round(float(rng.uniform(0.6, 3.2)) * 1e6 * scale, -3), False))
        for member in MEMBER_ORGS:
            if rng.random() < 0.35:
                rows.append((pid, year, member, round(float(rng.uniform(0.05, 0.6)) * 1e6, -3), True))
        if rng.random() < 0.12:
            rows.append((pid, year, "esf", round(float(rng.uniform(0.3, 1.5)) * 1e6, -3), False))
    return pd.DataFrame(rows, columns=["project_id", "year", "financier", "amount_sek", "in_kind"])
