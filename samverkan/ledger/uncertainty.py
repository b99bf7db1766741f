"""Monte Carlo over the uncertain parameters: per actor, P(break even) and a 90 % NPV interval.

What varies (parameters file, ``monte_carlo``): deadweight per outcome and
drop-off (triangular between ``low`` and ``high`` with ``value`` as mode) and every
catalogue row's amounts (a lognormal multiplier with mean 1 whose spread follows
the row's confidence grade; one draw per row and simulation, so a wrong wage moves
its taxes and production value together). The rate, the horizon and the recorded
investment stay fixed.

The effect is linear in the catalogue rows, so the cohort is first reduced to
exposures ``D[group, outcome, row]`` (net full-time years of each catalogue row
before − after); each simulation is then a small matrix product, independent of
how many episodes there are. Förbund totals use the same draws as their projects.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from samverkan.ledger.actors import ACTOR_DTYPE, ACTORS, ACTORS_WITH_TOTAL
from samverkan.ledger.catalogue import Catalogue
from samverkan.ledger.effects import EpisodeEffects
from samverkan.ledger.parameters import OUTCOMES, LedgerParameters, Range
from samverkan.ledger.present_value import cumulative_factors, round_kronor
from samverkan.ledger.results import ALL_PROJECTS

UNCERTAINTY_COLUMNS = ["forbund", "project_id", "actor", "p_break_even", "npv_p05", "npv_p50", "npv_p95"]
CHUNK = 256


def exposures(effects: EpisodeEffects, groups: pd.DataFrame) -> np.ndarray:
    """``D[g, o, r]``: Σ over the group's episodes with outcome o of (weight before − weight after) of row r."""
    # A project id belongs to one förbund (it is the key of projects), so the project decides the group.
    project = effects.episodes["project_id"].astype("category")
    per_category = pd.Index(groups["project_id"].astype("str")).get_indexer(project.cat.categories.astype("str"))
    codes = project.cat.codes.to_numpy()
    episode_group = np.where(codes >= 0, per_category[codes], -1)
    # A project whose episodes all have zero effect has no contribution rows and no group;
    # its episodes are dropped here too so the base case of the simulation equals the ledger.
    known = episode_group >= 0
    n_sit, n_rows = effects.weights.shape
    n_out = len(OUTCOMES)
    cell = (episode_group[known].astype("int64") * n_out + effects.outcome[known]) * n_sit
    size = len(groups) * n_out * n_sit
    counts = (np.bincount(cell + effects.before[known], minlength=size)
              - np.bincount(cell + effects.after[known], minlength=size)).astype("float64")
    return (counts.reshape(len(groups) * n_out, n_sit) @ effects.weights).reshape(len(groups), n_out, n_rows)


def _triangular(rng: np.random.Generator, r: Range, size: int) -> np.ndarray:
    if r.high <= r.low:
        return np.full(size, r.value)
    return rng.triangular(r.low, r.value, r.high, size=size)


def draw(catalogue: Catalogue, parameters: LedgerParameters) -> dict[str, np.ndarray]:
    """The seeded draws: unit-cost multipliers (S, rows), deadweight (S, outcomes), drop-off (S,)."""
    rng = np.random.default_rng(parameters.mc_seed)
    s = parameters.mc_draws
    sigma = np.array([parameters.unit_cost_sigma[c] for c in catalogue.confidence()])
    multipliers = np.exp(rng.standard_normal((s, len(sigma))) * sigma - sigma**2 / 2)
    deadweight = np.column_stack([_triangular(rng, parameters.deadweight[o], s) for o in OUTCOMES])
    drop_off = _triangular(rng, parameters.drop_off, s)
    return {"multipliers": multipliers, "deadweight": deadweight, "drop_off": drop_off}


def simulated_effects(d: np.ndarray, costs: np.ndarray, multipliers: np.ndarray, deadweight: np.ndarray,
                      pv_factor: np.ndarray, attribution: float) -> np.ndarray:
    """Cumulative PV of effects (S, groups, actors) for exposures ``d`` (groups, outcomes, rows)."""
    s, n_rows = multipliers.shape
    scaled = (multipliers[:, :, None] * costs[None, :, :]).transpose(1, 0, 2).reshape(n_rows, -1)
    total = np.zeros((s, d.shape[0], costs.shape[1]))
    for o in range(d.shape[1]):
        part = (d[:, o, :] @ scaled).reshape(d.shape[0], s, costs.shape[1]).transpose(1, 0, 2)
        total += part * (1.0 - deadweight[:, o])[:, None, None]
    return total * (attribution * pv_factor)[:, None, None]


def ledger_uncertainty(effects: EpisodeEffects, contributions: pd.DataFrame, catalogue: Catalogue,
                       parameters: LedgerParameters) -> pd.DataFrame:
    """``UNCERTAINTY_COLUMNS`` for every förbund total (ALL) and project, every actor and Summa."""
    if contributions.empty:
        return pd.DataFrame(columns=UNCERTAINTY_COLUMNS)
    projects = (contributions.groupby(["forbund", "project_id"], observed=True).size().index.to_frame(index=False)
                .astype("str").sort_values(["forbund", "project_id"], ignore_index=True))
    d_projects = exposures(effects, projects)
    invest = (contributions.groupby(["forbund", "project_id", "actor"], observed=True)["investment_sek"].sum()
              .unstack("actor", fill_value=0.0).reindex(columns=list(ACTORS), fill_value=0.0))
    invest.index = invest.index.set_levels([lvl.astype("str") for lvl in invest.index.levels])
    i_projects = invest.reindex(pd.MultiIndex.from_frame(projects), fill_value=0.0).to_numpy()
    codes, names = pd.factorize(projects["forbund"], sort=True)
    d_forbund = np.zeros((len(names), *d_projects.shape[1:]))
    i_forbund = np.zeros((len(names), len(ACTORS)))
    np.add.at(d_forbund, codes, d_projects)
    np.add.at(i_forbund, codes, i_projects)
    # Same order as the ledger table: the förbund total first, then its projects.
    heads = pd.concat([pd.DataFrame({"forbund": names, "project_id": ALL_PROJECTS}), projects], ignore_index=True)
    d_all = np.concatenate([d_forbund, d_projects])
    i_all = np.concatenate([i_forbund, i_projects])
    order = np.lexsort((heads["project_id"].to_numpy(), heads["project_id"].ne(ALL_PROJECTS).to_numpy(),
                        heads["forbund"].to_numpy()))
    heads, d_all, i_all = heads.iloc[order].reset_index(drop=True), d_all[order], i_all[order]

    drawn = draw(catalogue, parameters)
    pv_factor = cumulative_factors(parameters.discount_rate, parameters.horizon_years, drawn["drop_off"])[:, -1]
    k = len(ACTORS_WITH_TOTAL)
    p_even = np.empty((len(heads), k))
    quantiles = np.empty((3, len(heads), k))
    for start in range(0, len(heads), CHUNK):
        stop = min(start + CHUNK, len(heads))
        effect = simulated_effects(d_all[start:stop], catalogue.costs, drawn["multipliers"], drawn["deadweight"],
                                   pv_factor, parameters.attribution)
        npv = effect - i_all[None, start:stop, :]
        npv = np.concatenate([npv, npv.sum(axis=2, keepdims=True)], axis=2)
        p_even[start:stop] = (npv >= -0.5).mean(axis=0)
        quantiles[:, start:stop] = np.quantile(npv, [0.05, 0.5, 0.95], axis=0)
    return pd.DataFrame({
        "forbund": np.repeat(heads["forbund"].to_numpy(), k),
        "project_id": np.repeat(heads["project_id"].to_numpy(), k),
        "actor": pd.Categorical(np.tile(np.array(ACTORS_WITH_TOTAL, dtype=object), len(heads)), dtype=ACTOR_DTYPE),
        "p_break_even": np.round(p_even.reshape(-1), 3),
        "npv_p05": round_kronor(quantiles[0].reshape(-1)),
        "npv_p50": round_kronor(quantiles[1].reshape(-1)),
        "npv_p95": round_kronor(quantiles[2].reshape(-1)),
    })
