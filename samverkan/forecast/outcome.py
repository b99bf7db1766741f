"""Plan against outcome: a finished project's lifetime ledger beside its plan's forecast, per member.

A plan belongs to a project by its ``project_id`` key, or else by the same ``forbund`` and ``name`` as in
``projects`` (exactly one project). The forecast compared is the ``projekt`` scenario (the project period alone,
which is what the lifetime ledger measures), priced with the lifetime ledger's own catalogue so both sides use one
price level.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from samverkan.forecast.plan import Plan, PlanError, load_plan
from samverkan.forecast.run import forecast, plan_files
from samverkan.forecast.scenarios import load_scenarios
from samverkan.ledger.actors import MEMBERS, TOTAL
from samverkan.ledger.catalogue import Catalogue
from samverkan.ledger.lifetime import ledger_lifetime
from samverkan.ledger.parameters import LedgerParameters

OUTCOME_COLUMNS = ["forbund", "project_id", "plan", "actor", "planned_participants", "leavers",
                   "planned_successes", "to_work_or_studies", "forecast_investment_sek", "outcome_investment_sek",
                   "forecast_effect_pv_sek", "outcome_effect_pv_sek", "forecast_net_sek", "outcome_net_sek"]
SHOWN = (*MEMBERS, TOTAL)


def matching_project(plan: Plan, projects: pd.DataFrame) -> str | None:
    """The project_id the plan became, or None when no single project matches."""
    ids = projects["project_id"].astype("str")
    if plan.project_id:
        return plan.project_id if (ids == plan.project_id).any() else None
    same = ids[(projects["forbund"].astype("str") == plan.forbund) & (projects["name"].astype("str") == plan.name)]
    return str(same.iloc[0]) if same.nunique() == 1 else None


def plan_against_outcome(plans: list[Plan], lifetime: pd.DataFrame, projects: pd.DataFrame, catalogue: Catalogue,
                         parameters: LedgerParameters) -> pd.DataFrame:
    """``OUTCOME_COLUMNS``: per finished project that has a plan, each member and Summa, forecast beside outcome."""
    rows = []
    finished = lifetime[lifetime["finished"].astype(bool)]
    for plan in plans:
        project_id = matching_project(plan, projects)
        outcome = finished[finished["project_id"] == project_id] if project_id else finished.iloc[0:0]
        if outcome.empty:
            continue
        result = forecast(plan, catalogue, parameters)
        planned = result.table[result.table["scenario"] == "projekt"].set_index("actor")
        actual = outcome.set_index(outcome["actor"].astype("str"))
        for actor in SHOWN:
            p, a = planned.loc[actor], actual.loc[actor]
            rows.append((a["forbund"], project_id, plan.source, actor, plan.participants, int(a["leavers"]),
                         round(result.view.expected_successes, 2), int(a["to_work_or_studies"]),
                         int(p["investment_sek"]), int(a["investment_sek"]), int(p["effect_pv_sek"]),
                         int(a["effect_pv_sek"]), int(p["net_sek"]), int(a["net_sek"])))
    return pd.DataFrame(rows, columns=OUTCOME_COLUMNS)


@dataclass(frozen=True)
class Lifetime:
    table: pd.DataFrame  # LIFETIME_COLUMNS
    against_plan: pd.DataFrame  # OUTCOME_COLUMNS
    plan_problems: tuple[str, ...]  # plans left out of the comparison, one Swedish line per problem


def lifetime_with_plans(participants: pd.DataFrame, projects: pd.DataFrame, project_costs: pd.DataFrame,
                        as_of: int, catalogue: Catalogue, parameters: LedgerParameters,
                        plan_dir: Path | str | None) -> Lifetime:
    """The lifetime ledger up to ``as_of`` and, for its finished projects with a plan in ``plan_dir``, plan
    against outcome. A bad plan does not stop the ledger: it is left out and its problems are returned."""
    table = ledger_lifetime(participants, projects, project_costs, as_of, catalogue, parameters)
    plans, problems = [], []
    for path in plan_files(plan_dir) if plan_dir else []:
        try:
            plan = load_plan(path)
            load_scenarios(plan.scenarios, source=plan.source)
            plans.append(plan)
        except PlanError as exc:
            problems += exc.problems
    against = plan_against_outcome(plans, table, projects, catalogue, parameters)
    return Lifetime(table=table, against_plan=against, plan_problems=tuple(problems))
