"""Project events (the diary behind the success levels), whole evidence chains, prerequisite assessments."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from samverkan.synth.vocabulary import MEMBER_ORGS, SynthSpec


def draw_events(rng: np.random.Generator, projects: pd.DataFrame, spec: SynthSpec) -> pd.DataFrame:
    """Each kind of event drawn independently per project, more often the more mature the project."""
    rows = []
    for project in projects.itertuples(index=False):
        start = dt.date.fromisoformat(project.start_date)
        end = dt.date.fromisoformat(project.end_date) if project.end_date else dt.date(spec.last_year, 12, 31)
        span = max((end - start).days, 30)
        maturity = project.hidden_quality + (0.25 if project.orientation == "strukturovergripande" else 0.0)

        def when(fraction: float, start: dt.date = start, span: int = span) -> str:
            return (start + dt.timedelta(days=int(span * min(fraction, 1.0)))).isoformat()

        number = 0

        def add(kind: str, fraction: float, organisation: str, project=project) -> None:
            nonlocal number
            number += 1
            rows.append((project.project_id, when(fraction), kind, organisation,
                         f"{project.project_id}/{kind[:3].upper()}-{number}"))

        if rng.random() < 0.3 + 0.6 * maturity:
            add("method_documented", rng.uniform(0.2, 0.7), "samordningsforbund")
        if rng.random() < 0.2 + 0.6 * maturity:
            add("implementation_plan", rng.uniform(0.4, 0.9), MEMBER_ORGS[int(rng.integers(0, 4))])
        if rng.random() < 0.05 + 0.6 * maturity:
            add("implementation_decision", rng.uniform(0.5, 1.0), MEMBER_ORGS[int(rng.integers(0, 4))])
        if rng.random() < 0.1 + 0.5 * maturity:
            add("system_finding", rng.uniform(0.2, 0.8), "samordningsforbund")
        if rng.random() < 0.02 + 0.45 * maturity:
            add("system_change_decision", rng.uniform(0.6, 1.0), MEMBER_ORGS[int(rng.integers(0, 4))])
    return pd.DataFrame(rows, columns=["project_id", "date", "kind", "organisation", "reference"])


def evidence_chains(rng: np.random.Generator, projects: pd.DataFrame, spec: SynthSpec) -> pd.DataFrame:
    """Whole chains of evidence for some mature projects, so level 3 occurs in every sizeable inbox.

    Independent event draws alone make level 3 rare. Organisations are named the
    way diaries write them ("Norrdal kommun", "Region Norrdal"), and now and then a
    decision comes from a body that is not a member. Drawn from their own
    generator so the other datasets stay as they were for a seed.
    """
    rows = []
    for project in projects.itertuples(index=False):
        maturity = project.hidden_quality + (0.25 if project.orientation == "strukturovergripande" else 0.0)
        if maturity < 0.55 or rng.random() > 0.35:
            continue
        start = dt.date.fromisoformat(project.start_date)
        end = dt.date.fromisoformat(project.end_date) if project.end_date else dt.date(spec.last_year, 12, 31)
        span = max((end - start).days, 30)
        place = project.forbund.removeprefix("Samordningsförbundet ")
        chain = [
            ("method_documented", rng.uniform(0.1, 0.3), "samordningsforbund"),
            ("system_finding", rng.uniform(0.2, 0.45), "samordningsforbund"),
            ("implementation_decision", rng.uniform(0.35, 0.6),
             (f"{place} kommun", f"Region {place}", "Arbetsförmedlingen", "Försäkringskassan")[
                 int(rng.integers(0, 4))]),
            ("system_change_decision", rng.uniform(0.5, 0.8), ("Regeringen", f"Region {place}", "kommun")[
                int(rng.integers(0, 3))]),
        ]
        if rng.random() < 0.25:
            chain.append(("implementation_decision", rng.uniform(0.3, 0.9), "Stiftelsen Arbetsbron"))
        for number, (kind, fraction, organisation) in enumerate(chain, start=1):
            day = start + dt.timedelta(days=int(span * fraction))
            rows.append((project.project_id, day.isoformat(), kind, organisation, f"{project.project_id}/K-{number}"))
    return pd.DataFrame(rows, columns=["project_id", "date", "kind", "organisation", "reference"])


def draw_assessments(rng: np.random.Generator, projects: pd.DataFrame, project_years: pd.DataFrame) -> pd.DataFrame:
    """Scores on the 12 prerequisites for about half the project years; better projects score higher.

    Drawn from their own generator so the other datasets stay as they were for a seed.
    """
    quality = projects.set_index("project_id")["hidden_quality"]
    chosen = project_years[rng.random(len(project_years)) < 0.5]
    rows = []
    for pid, year, _ in chosen.itertuples(index=False):
        level = 0.5 + 2.5 * quality[pid]
        scores = np.clip(np.rint(rng.normal(level, 0.8, size=12)), 0, 3).astype(int)
        skipped = rng.random(12) < 0.08
        for criterion in range(1, 13):
            if skipped[criterion - 1]:
                continue
            score = int(scores[criterion - 1])
            comment = ("Saknas helt", "Finns i liten grad", "Delvis på plats", "Fungerar väl")[score]
            rows.append((pid, str(year), str(criterion), str(score), comment))
    return pd.DataFrame(rows, columns=["project_id", "year", "criterion", "score", "comment"])
