"""Contributions: the long table every ledger figure is the sum of.

One row per cohort episode and actor with a non-zero effect, and one row per
project cost row and actor with a non-zero share, each carrying its source file
and row and the catalogue and parameters versions that produced it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from samverkan.ledger.actors import ACTOR_DTYPE, ACTORS
from samverkan.ledger.catalogue import Catalogue
from samverkan.ledger.effects import AFTER_BASIS, EpisodeEffects, episode_effects
from samverkan.ledger.investment import investment_shares, year_costs
from samverkan.ledger.parameters import OUTCOMES, LedgerParameters
from samverkan.ledger.present_value import cumulative_factors

EFFECT = "effekt"
INVESTMENT = "investering"
CONTRIBUTION_COLUMNS = [
    "forbund", "project_id", "actor", "kind", "source_dataset", "source_file", "source_row",
    "outcome", "after_basis", "financier", "in_kind", "cost_before_sek", "cost_after_sek",
    "gross_effect_sek", "adjustment", "yearly_effect_sek", "effect_pv_sek", "investment_sek",
    "catalogue_version", "parameters_version",
]


@dataclass
class Contributions:
    frame: pd.DataFrame
    effects: EpisodeEffects
    info: dict[str, object] = field(default_factory=dict)


def _constant(value: str, n: int) -> pd.Categorical:
    return pd.Categorical.from_codes(np.zeros(n, dtype="int8"), categories=[value])


def _effect_rows(effects: EpisodeEffects, parameters: LedgerParameters, pv_factor: float) -> pd.DataFrame:
    gross = effects.gross
    episode, actor = np.nonzero(gross)
    meta = effects.episodes
    yearly = gross[episode, actor] * effects.adjustment[episode]
    n = len(episode)
    return pd.DataFrame({
        "forbund": meta["forbund"].to_numpy()[episode] if n else pd.Categorical([]),
        "project_id": meta["project_id"].to_numpy()[episode] if n else pd.Categorical([]),
        "actor": pd.Categorical.from_codes(actor.astype("int8"), dtype=ACTOR_DTYPE),
        "kind": _constant(EFFECT, n),
        "source_dataset": _constant("participants", n),
        "source_file": meta["source_file"].to_numpy()[episode] if n else pd.Categorical([]),
        "source_row": meta["source_row"].to_numpy()[episode],
        "outcome": pd.Categorical.from_codes(effects.outcome[episode], categories=list(OUTCOMES)),
        "after_basis": meta["after_basis"].to_numpy()[episode] if n else pd.Categorical([], categories=AFTER_BASIS),
        "financier": pd.Categorical([None] * n, categories=[]) if n else pd.Categorical([]),
        "in_kind": pd.array([pd.NA] * n, dtype="boolean"),
        "cost_before_sek": effects.cost_before[episode, actor],
        "cost_after_sek": effects.cost_after[episode, actor],
        "gross_effect_sek": gross[episode, actor],
        "adjustment": effects.adjustment[episode],
        "yearly_effect_sek": yearly,
        "effect_pv_sek": yearly * pv_factor,
        "investment_sek": np.zeros(n),
    })


def _investment_rows(costs: pd.DataFrame, parameters: LedgerParameters) -> pd.DataFrame:
    shares = investment_shares(costs["financier"], costs["forbund"], parameters)
    row, actor = np.nonzero(shares)
    amount = costs["amount_sek"].astype("float64").to_numpy()[row] * shares[row, actor]
    n = len(row)
    take = costs.iloc[row]
    return pd.DataFrame({
        "forbund": take["forbund"].astype("str").to_numpy(),
        "project_id": take["project_id"].astype("str").to_numpy(),
        "actor": pd.Categorical.from_codes(actor.astype("int8"), dtype=ACTOR_DTYPE),
        "kind": _constant(INVESTMENT, n),
        "source_dataset": _constant("project_costs", n),
        "source_file": take["source_file"].astype("str").to_numpy(),
        "source_row": take["source_row"].astype("int64").to_numpy(),
        "outcome": pd.Categorical([None] * n, categories=list(OUTCOMES)),
        "after_basis": pd.Categorical([None] * n, categories=list(AFTER_BASIS)),
        "financier": take["financier"].astype("str").to_numpy(),
        "in_kind": take["in_kind"].astype("boolean").to_numpy(),
        "cost_before_sek": np.full(n, np.nan),
        "cost_after_sek": np.full(n, np.nan),
        "gross_effect_sek": np.zeros(n),
        "adjustment": np.full(n, np.nan),
        "yearly_effect_sek": np.zeros(n),
        "effect_pv_sek": np.zeros(n),
        "investment_sek": amount,
    })


def ledger_contributions(participants: pd.DataFrame, projects: pd.DataFrame, project_costs: pd.DataFrame,
                         year: int, catalogue: Catalogue, parameters: LedgerParameters) -> Contributions:
    """Contributions of report year ``year``: the cohort's effects and the year's investment."""
    effects = episode_effects(participants, projects, year, catalogue, parameters)
    pv_factor = float(cumulative_factors(parameters.discount_rate, parameters.horizon_years,
                                         parameters.drop_off.value)[-1])
    costs, costs_unknown = year_costs(project_costs, projects, year)
    parts = [_effect_rows(effects, parameters, pv_factor), _investment_rows(costs, parameters)]
    frame = pd.concat(parts, ignore_index=True)
    for column in ("forbund", "project_id", "kind", "source_dataset", "source_file", "financier"):
        frame[column] = frame[column].astype("str").astype("category") if column != "financier" else \
            frame[column].astype("category")
    frame["actor"] = frame["actor"].astype(ACTOR_DTYPE)
    frame["outcome"] = frame["outcome"].astype(pd.CategoricalDtype(list(OUTCOMES)))
    frame["after_basis"] = frame["after_basis"].astype(pd.CategoricalDtype(list(AFTER_BASIS)))
    frame["in_kind"] = frame["in_kind"].astype("boolean")
    frame["catalogue_version"] = _constant(catalogue.version, len(frame))
    frame["parameters_version"] = _constant(parameters.version, len(frame))
    frame = frame.sort_values(["forbund", "project_id", "kind", "source_file", "source_row", "actor"],
                              ignore_index=True, kind="stable")
    cohort = effects.cohort
    info = {
        "year": year,
        "cohort_episodes": len(effects.episodes),
        "exited_in_year": cohort.exited,
        "misregistered": cohort.misregistered,
        "unknown_project_episodes": cohort.unknown_project,
        "unknown_project_costs": costs_unknown,
        "cost_rows": len(costs),
        "after_basis": effects.episodes["after_basis"].value_counts().reindex(AFTER_BASIS, fill_value=0).to_dict(),
        "unmatched_codes": effects.unmatched_codes,
        "catalogue_version": catalogue.version,
        "catalogue_note": catalogue.note,
        "parameters_version": parameters.version,
        "actors": list(ACTORS),
    }
    return Contributions(frame=frame[CONTRIBUTION_COLUMNS], effects=effects, info=info)
