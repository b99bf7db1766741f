"""A project's whole life: every year's investment against the effects of all its leavers, at the project's start.

The annual ledger matches the investment of year Y with the effects of Y's leavers. The lifetime ledger takes,
per project and up to the year ``as_of``, every ``project_costs`` row and every leaver (exited, except
``felregistrering``), prices each leaver's situation before and after exactly as the annual ledger does (same
catalogue, same ``situations`` and ``situation_weights``), and applies the counterfactual once to the whole-life
cohort: of the project's N leavers over its life, k to work or studies, max(0, k − p₀·N) are attributable. That
is why it is *not* the sum of the annual ledgers (each year's max(0, ·) differs from the whole life's).

Time: the year of the project's ``start_date`` is year 1 (undiscounted). A cost of year t is discounted by
(1 + r)^−(t−1); a leaver of year t has its effects over the horizon from t, so it is worth yearly × (1 + r)^−(t−1)
× C_H (``cumulative_factors``). Years before the start count as year 1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from samverkan.contract import EXIT_REASON_MISREGISTERED, WORK_OR_STUDIES
from samverkan.ledger.actors import ACTOR_DTYPE, ACTORS, ACTORS_WITH_TOTAL
from samverkan.ledger.catalogue import Catalogue
from samverkan.ledger.effects import project_counts, situation_weights, situations
from samverkan.ledger.investment import investment_shares
from samverkan.ledger.parameters import LedgerParameters
from samverkan.ledger.present_value import cumulative_factors, round_kronor

LIFETIME_COLUMNS = ["forbund", "project_id", "name", "actor", "investment_sek", "effect_pv_sek", "net_sek",
                    "first_year", "last_year", "finished", "leavers", "to_work_or_studies", "p0", "attributable",
                    "basis"]
BASIS = ("hela livstiden till projektets start; kontrafaktiskt på hela livstidens kohort, "
         "därför inte summan av årsboksluten")


def _start_years(projects: pd.DataFrame) -> pd.Series:
    unique = projects.drop_duplicates("project_id").set_index("project_id")
    years = pd.to_datetime(unique["start_date"]).dt.year
    years.index = years.index.astype("str")
    return years


def _offsets(years: pd.Series | np.ndarray, project_id: pd.Series, start: pd.Series) -> np.ndarray:
    """t − start year (0 = year 1), never before the start."""
    first = project_id.astype("str").map(start).to_numpy(dtype="float64")
    return np.maximum(0, np.asarray(years, dtype="float64") - first).astype("int64")


def lifetime_effects(participants: pd.DataFrame, projects: pd.DataFrame, as_of: int, catalogue: Catalogue,
                     parameters: LedgerParameters) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(present value per project and actor, the whole-life counts per project) of every leaver up to ``as_of``."""
    start = _start_years(projects)
    exit_year = participants["exited_on"].dt.year
    keep = ((exit_year <= as_of).fillna(False).to_numpy(dtype=bool)
            & ~(participants["exit_reason"] == EXIT_REASON_MISREGISTERED).fillna(False).to_numpy(dtype=bool)
            & participants["project_id"].astype("str").isin(start.index.astype("str")).to_numpy())
    episodes = participants.loc[keep].reset_index(drop=True)
    empty = pd.DataFrame(columns=["project_id", *ACTORS])
    if episodes.empty:
        return empty, pd.DataFrame(columns=["project_id", "leavers", "to_work_or_studies", "p0", "attributable"])
    found = situations(episodes)
    weights, _ = situation_weights(found.support, found.occupation, catalogue)
    costs = weights @ catalogue.costs
    gross = costs[found.before] - costs[found.after]
    work = np.isin(found.occupation_after, WORK_OR_STUDIES)
    counts = project_counts(episodes["project_id"], work, projects, parameters)
    kept = (counts["attributable"] / counts["to_work_or_studies"].where(counts["to_work_or_studies"] > 0)).fillna(0.0)
    per_episode = pd.Series(kept.to_numpy(), index=counts["project_id"]).reindex(
        episodes["project_id"].astype("str").to_numpy()).to_numpy(dtype="float64")
    share = np.where(work, per_episode, 1.0 - parameters.other_outcomes.value) * parameters.attribution.value
    rate = parameters.discount_rate
    lasting = cumulative_factors(rate, parameters.horizon_years, parameters.drop_off.value)[-1]
    offset = _offsets(episodes["exited_on"].dt.year, episodes["project_id"], start)
    pv = gross * (share * lasting / (1.0 + rate) ** offset)[:, None]
    frame = pd.DataFrame(pv, columns=list(ACTORS))
    frame["project_id"] = episodes["project_id"].astype("str").to_numpy()
    return frame.groupby("project_id", sort=True).sum().reset_index(), counts


def lifetime_investment(project_costs: pd.DataFrame, projects: pd.DataFrame, as_of: int,
                        parameters: LedgerParameters) -> pd.DataFrame:
    """Present value at the project's start of every cost row up to ``as_of``, per project and actor."""
    start = _start_years(projects)
    forbund = projects.drop_duplicates("project_id").set_index("project_id")["forbund"]
    ids = project_costs["project_id"].astype("str")
    rows = project_costs.loc[((project_costs["year"] <= as_of).fillna(False) & ids.isin(start.index)).to_numpy()]
    if rows.empty:
        return pd.DataFrame(columns=["project_id", *ACTORS])
    ids = rows["project_id"].astype("str")
    shares = investment_shares(rows["financier"], ids.map(forbund), parameters)
    offset = _offsets(rows["year"].to_numpy(), ids, start)
    amount = rows["amount_sek"].astype("float64").to_numpy() / (1.0 + parameters.discount_rate) ** offset
    frame = pd.DataFrame(shares * amount[:, None], columns=list(ACTORS))
    frame["project_id"] = ids.to_numpy()
    return frame.groupby("project_id", sort=True).sum().reset_index()


def _years(participants: pd.DataFrame, project_costs: pd.DataFrame, as_of: int) -> pd.DataFrame:
    exits = participants.loc[(participants["exited_on"].dt.year <= as_of).fillna(False).to_numpy(),
                             ["project_id", "exited_on"]]
    spans = pd.concat([
        pd.DataFrame({"project_id": exits["project_id"].astype("str"), "year": exits["exited_on"].dt.year}),
        pd.DataFrame({"project_id": project_costs["project_id"].astype("str"), "year": project_costs["year"]})
        .loc[lambda f: (f["year"] <= as_of).fillna(False)],
    ])
    return spans.groupby("project_id")["year"].agg(first_year="min", last_year="max")


def ledger_lifetime(participants: pd.DataFrame, projects: pd.DataFrame, project_costs: pd.DataFrame, as_of: int,
                    catalogue: Catalogue, parameters: LedgerParameters) -> pd.DataFrame:
    """``LIFETIME_COLUMNS``: per project and actor (Summa last) the whole-life ledger up to ``as_of``.

    Amounts are whole kronor per actor; Summa is the sum of the rounded actor rows.
    """
    effects, counts = lifetime_effects(participants, projects, as_of, catalogue, parameters)
    investment = lifetime_investment(project_costs, projects, as_of, parameters)
    ids = sorted(set(effects["project_id"]) | set(investment["project_id"]))
    if not ids:
        return pd.DataFrame(columns=LIFETIME_COLUMNS)
    eff = round_kronor(effects.set_index("project_id").reindex(ids, fill_value=0.0)[list(ACTORS)].to_numpy())
    inv = round_kronor(investment.set_index("project_id").reindex(ids, fill_value=0.0)[list(ACTORS)].to_numpy())
    eff = np.concatenate([eff, eff.sum(axis=1, keepdims=True)], axis=1)
    inv = np.concatenate([inv, inv.sum(axis=1, keepdims=True)], axis=1)
    info = projects.drop_duplicates("project_id").assign(project_id=lambda f: f["project_id"].astype("str"))
    info = info.set_index("project_id").reindex(ids)
    end = pd.to_datetime(info["end_date"]) if "end_date" in info else pd.Series(pd.NaT, index=info.index)
    finished = (end.dt.year <= as_of).fillna(False).to_numpy(dtype=bool)
    spans = _years(participants, project_costs, as_of).reindex(ids)
    counts = counts.set_index("project_id").reindex(ids)
    k = len(ACTORS_WITH_TOTAL)
    out = pd.DataFrame({
        "forbund": np.repeat(info["forbund"].astype("str").to_numpy(), k),
        "project_id": np.repeat(np.array(ids, dtype=object), k),
        "name": np.repeat(info["name"].astype("str").to_numpy(), k),
        "actor": pd.Categorical(np.tile(np.array(ACTORS_WITH_TOTAL, dtype=object), len(ids)), dtype=ACTOR_DTYPE),
        "investment_sek": inv.reshape(-1),
        "effect_pv_sek": eff.reshape(-1),
        "net_sek": (eff - inv).reshape(-1),
        "first_year": np.repeat(spans["first_year"].astype("Int64").to_numpy(), k),
        "last_year": np.repeat(spans["last_year"].astype("Int64").to_numpy(), k),
        "finished": np.repeat(finished, k),
        "leavers": np.repeat(counts["leavers"].fillna(0).astype("int64").to_numpy(), k),
        "to_work_or_studies": np.repeat(counts["to_work_or_studies"].fillna(0).astype("int64").to_numpy(), k),
        "p0": np.repeat(counts["p0"].astype("float64").to_numpy(), k),
        "attributable": np.repeat(counts["attributable"].fillna(0.0).astype("float64").round(2).to_numpy(), k),
        "basis": BASIS,
    })
    out = out.sort_values(["forbund", "project_id"], kind="stable", ignore_index=True)
    return out[LIFETIME_COLUMNS]
