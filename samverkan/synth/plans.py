"""Demo plans for a synthetic inbox's plans/ folder: one for a finished project (plan against outcome) and one
for a new effort after the inbox's last year. Deterministic: derived from the frames, no randomness."""

from __future__ import annotations

import pandas as pd
import yaml

from samverkan.forecast.plan import FIRST_YEAR
from samverkan.support import parse_support


def _finished_project(frames: dict[str, pd.DataFrame]) -> pd.Series | None:
    projects = frames["projects"]
    costs = frames["project_costs"]
    planned = pd.to_numeric(projects["planned_participants"], errors="coerce")
    share = pd.to_numeric(projects["target_share_work_or_studies"], errors="coerce")
    start = pd.to_datetime(projects["start_date"], errors="coerce")
    end = pd.to_datetime(projects["end_date"].replace("", None), errors="coerce")
    fits = planned.notna() & share.notna() & end.notna() & (start.dt.year >= FIRST_YEAR)
    for index in projects.index[fits.to_numpy()]:
        years = pd.to_numeric(costs.loc[costs["project_id"] == projects.at[index, "project_id"], "year"],
                              errors="coerce")
        if len(years) and years.between(start[index].year, end[index].year).all():
            return projects.loc[index]
    return None


def _valid_support(text: str) -> bool:
    try:
        parse_support(text)
    except ValueError:
        return False
    return bool(text.strip())


def _modal(values: pd.Series, default: str) -> str:
    """The most common valid support (a spoiled inbox has invalid ones), ties by name."""
    texts = values.dropna().astype("str")
    counts = texts[texts.map(_valid_support)].value_counts()
    if counts.empty:
        return default
    top = counts[counts == counts.max()].index
    return sorted(top)[0]


def demo_plans(frames: dict[str, pd.DataFrame]) -> dict[str, str]:
    """File name → YAML text of the demo plans; the new effort starts the year after the last cost year."""
    years = pd.to_numeric(frames["project_costs"]["year"], errors="coerce")
    last_year = int(years.max()) if years.notna().any() else 2024
    plans: dict[str, str] = {}
    project = _finished_project(frames)
    if project is not None:
        costs = frames["project_costs"]
        own = costs[costs["project_id"] == project["project_id"]].assign(
            amount_sek=lambda f: pd.to_numeric(f["amount_sek"], errors="coerce").fillna(0.0),
            year=lambda f: pd.to_numeric(f["year"], errors="coerce").astype("int64"))
        summed = own.groupby(["year", "financier"], sort=True)["amount_sek"].sum().reset_index()
        people = frames["participants"][frames["participants"]["project_id"] == project["project_id"]]
        plans["plan_avslutad_insats.yaml"] = yaml.safe_dump({
            "project_id": str(project["project_id"]),
            "forbund": str(project["forbund"]),
            "name": str(project["name"]),
            "start_date": str(project["start_date"]),
            "end_date": str(project["end_date"]),
            "participants": int(float(project["planned_participants"])),
            "expected_share": float(project["target_share_work_or_studies"]),
            "support_before": _modal(people["support_before"], "forsorjningsstod"),
            "occupation_before": "arbetssokande",
            "costs": [{"year": int(r.year), "financier": str(r.financier), "amount_sek": round(float(r.amount_sek))}
                      for r in summed.itertuples()],
        }, allow_unicode=True, sort_keys=False)
    first = str(frames["projects"]["forbund"].iloc[0]) if len(frames["projects"]) else "Samordningsförbundet Demo"
    start = last_year + 1
    plans["plan_ny_insats.yaml"] = yaml.safe_dump({
        "forbund": first,
        "name": "Ny väg till arbete",
        "start_date": f"{start}-01-01",
        "end_date": f"{start + 1}-12-31",
        "participants": 60,
        "expected_share": 0.3,
        "support_before": "forsorjningsstod|sjukpenning:50",
        "occupation_before": "arbetssokande",
        "costs": [{"year": start, "financier": "samordningsforbund", "amount_sek": 1_500_000},
                  {"year": start + 1, "financier": "samordningsforbund", "amount_sek": 1_500_000},
                  {"year": start + 1, "financier": "kommun", "amount_sek": 200_000, "in_kind": True}],
        "prerequisites": {1: 3, 2: 2, 3: 2, 4: 1, 5: 2, 6: 0, 7: 2, 8: 3, 9: 1, 10: 2, 11: 2, 12: 1},
        "scenarios": {"3": {"forbund_locked_share": 0.2}},
    }, allow_unicode=True, sort_keys=False)
    return plans
