"""Monte Carlo over the uncertain parameters: per actor, P(break even) and a 90 % NPV interval.

What varies (parameters file): the outcome — each project's number to work or
studies is drawn binomially from its own count (k* ~ Bin(N, k/N)), so a small
cohort gives a wide interval; p0 (one draw, applied to every target group's value
in proportion), the share of other outcomes that would have happened anyway,
attribution and drop-off (triangular between ``low`` and ``high`` with ``value``
as mode); and every catalogue row's amounts (a lognormal multiplier with mean 1
whose spread follows the row's confidence grade; one draw per row and
simulation, so a wrong wage moves its taxes and production value together). The
rate, the horizon and the recorded investment stay fixed.

A drawn project keeps its average effect per leaver: the work-or-studies effect
is (effect of its k leavers / k) × max(0, k* − p0*·N) × attribution*, the other
outcomes' effect is scaled by (N − k*) / (N − k). A binomial draw cannot vary a
share of 0 or 1 (a known limit, stated in docs/ledger.md).

The effect is linear in the catalogue rows, so the cohort is first reduced to
exposures ``D[group, outcome, row]`` (net full-time years of each catalogue row
before − after); each simulation is then a small matrix product, independent of
how many episodes there are. Förbund totals are the sums of their projects' draws.

An actor that invested nothing has nothing to break even on: its probability is
missing, its interval is the interval of its gain.
"""

from __future__ import annotations

import hashlib

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


def project_p0(parameters: LedgerParameters, counts: pd.DataFrame, p0_values: np.ndarray) -> np.ndarray:
    """(S, projects): each project's p0 when the default p0 is ``p0_values`` (S,) — a target group's own
    value moves in proportion, so the groups keep their order."""
    p0_values = np.asarray(p0_values, dtype="float64")
    if parameters.p0.value == 0:
        return np.broadcast_to(p0_values[:, None], (len(p0_values), len(counts)))
    base_p0 = counts["p0"].to_numpy(dtype="float64")
    return np.clip((p0_values / parameters.p0.value)[:, None] * base_p0[None, :], 0.0, 1.0)


def _project_rng(seed: int, project_id: str) -> np.random.Generator:
    # A project's own stream, keyed on its id: its draws are the same whichever other projects the run holds, so
    # a run limited to one förbund (samverkan run --forbund) gives that förbund the full run's figures.
    key = int.from_bytes(hashlib.sha256(project_id.encode("utf-8")).digest()[:8], "little")
    return np.random.default_rng([seed, key])


def draw(catalogue: Catalogue, parameters: LedgerParameters, counts: pd.DataFrame) -> dict[str, np.ndarray]:
    """The seeded draws: unit-cost multipliers (S, rows), to work or studies (S, projects of ``counts``, each
    project from its own stream), p0 per project (S, projects), other outcomes, attribution and drop-off (S,).
    The shared draws come from one stream in a fixed order, so none of them depends on how many projects there
    are."""
    rng = np.random.default_rng(parameters.mc_seed)
    s = parameters.mc_draws
    sigma = np.array([parameters.unit_cost_sigma[c] for c in catalogue.confidence()])
    multipliers = np.exp(rng.standard_normal((s, len(sigma))) * sigma - sigma**2 / 2)
    n = counts["leavers"].to_numpy(dtype="int64")
    k = counts["to_work_or_studies"].to_numpy(dtype="int64")
    if parameters.mc_outcome_draw and len(n):
        share = np.where(n > 0, k / np.maximum(n, 1), 0.0)
        ids = counts["project_id"].astype("str") if "project_id" in counts else pd.Series(range(len(n))).astype("str")
        worked = np.column_stack([_project_rng(parameters.mc_seed, pid).binomial(n[j], share[j], size=s)
                                  for j, pid in enumerate(ids)])
    else:
        worked = np.broadcast_to(k, (s, len(n)))
    p0 = project_p0(parameters, counts, _triangular(rng, parameters.p0, s))
    return {"multipliers": multipliers, "worked": worked.astype("float64"), "p0": p0,
            "other": _triangular(rng, parameters.other_outcomes, s),
            "attribution": _triangular(rng, parameters.attribution, s),
            "drop_off": _triangular(rng, parameters.drop_off, s)}


def outcome_scales(counts: pd.DataFrame, drawn: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Per draw and project, what multiplies the exposures of each outcome (before attribution):
    work max(0, k* − p0*·N) / k and other (N − k*) / (N − k) × (1 − other*)."""
    n = counts["leavers"].to_numpy(dtype="float64")[None, :]
    k = counts["to_work_or_studies"].to_numpy(dtype="float64")[None, :]
    worked = drawn["worked"]
    with np.errstate(divide="ignore", invalid="ignore"):
        work = np.where(k > 0, np.maximum(0.0, worked - drawn["p0"] * n) / np.where(k > 0, k, 1.0), 0.0)
        other = np.where(n > k, (n - worked) / np.where(n > k, n - k, 1.0), 0.0)
    return work, other * (1.0 - drawn["other"])[:, None]


def simulated_effects(d: np.ndarray, costs: np.ndarray, multipliers: np.ndarray, scales: np.ndarray,
                      pv_factor: np.ndarray, attribution: np.ndarray) -> np.ndarray:
    """Cumulative PV of effects (S, groups, actors) for exposures ``d`` (groups, outcomes, rows) and
    ``scales`` (S, groups, outcomes)."""
    s, n_rows = multipliers.shape
    scaled = (multipliers[:, :, None] * costs[None, :, :]).transpose(1, 0, 2).reshape(n_rows, -1)
    total = np.zeros((s, d.shape[0], costs.shape[1]))
    for o in range(d.shape[1]):
        part = (d[:, o, :] @ scaled).reshape(d.shape[0], s, costs.shape[1]).transpose(1, 0, 2)
        total += part * scales[:, :, o, None]
    return total * (attribution * pv_factor)[:, None, None]


def _investments(contributions: pd.DataFrame, projects: pd.DataFrame) -> np.ndarray:
    invest = (contributions.groupby(["forbund", "project_id", "actor"], observed=True)["investment_sek"].sum()
              .unstack("actor", fill_value=0.0).reindex(columns=list(ACTORS), fill_value=0.0))
    invest.index = invest.index.set_levels([lvl.astype("str") for lvl in invest.index.levels])
    return invest.reindex(pd.MultiIndex.from_frame(projects), fill_value=0.0).to_numpy()


def _summary(npv: np.ndarray, invested: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """P(break even) (NaN where nothing was invested) and the 5/50/95 percentiles, per group and actor."""
    p_even = np.where(invested > 0, (npv >= -0.5).mean(axis=0), np.nan)
    return p_even, np.quantile(npv, [0.05, 0.5, 0.95], axis=0)


def ledger_uncertainty(effects: EpisodeEffects, contributions: pd.DataFrame, catalogue: Catalogue,
                       parameters: LedgerParameters) -> pd.DataFrame:
    """``UNCERTAINTY_COLUMNS`` for every förbund total (ALL) and project, every actor and Summa."""
    if contributions.empty:
        return pd.DataFrame(columns=UNCERTAINTY_COLUMNS)
    projects = (contributions.groupby(["forbund", "project_id"], observed=True).size().index.to_frame(index=False)
                .astype("str").sort_values(["forbund", "project_id"], ignore_index=True))
    d_projects = exposures(effects, projects)
    i_projects = _investments(contributions, projects)
    counts = (effects.counts.set_index("project_id").reindex(projects["project_id"])
              .fillna({"leavers": 0, "to_work_or_studies": 0, "p0": parameters.p0.value, "attributable": 0.0})
              .reset_index())
    codes, names = pd.factorize(projects["forbund"], sort=True)
    drawn = draw(catalogue, parameters, counts)
    work, other = outcome_scales(counts, drawn)
    pv_factor = cumulative_factors(parameters.discount_rate, parameters.horizon_years, drawn["drop_off"])[:, -1]
    k = len(ACTORS_WITH_TOTAL)
    s = parameters.mc_draws
    p_even = np.empty((len(projects), k))
    quantiles = np.empty((3, len(projects), k))
    forbund_npv = np.zeros((s, len(names), len(ACTORS)))
    for start in range(0, len(projects), CHUNK):
        stop = min(start + CHUNK, len(projects))
        scales = np.stack([work[:, start:stop], other[:, start:stop]], axis=-1)
        effect = simulated_effects(d_projects[start:stop], catalogue.costs, drawn["multipliers"], scales,
                                   pv_factor, drawn["attribution"])
        npv = effect - i_projects[None, start:stop, :]
        np.add.at(forbund_npv, (slice(None), codes[start:stop]), npv)
        npv = np.concatenate([npv, npv.sum(axis=2, keepdims=True)], axis=2)
        invested = np.concatenate([i_projects[start:stop], i_projects[start:stop].sum(axis=1, keepdims=True)], axis=1)
        p_even[start:stop], quantiles[:, start:stop] = _summary(npv, invested)
    i_forbund = np.zeros((len(names), len(ACTORS)))
    np.add.at(i_forbund, codes, i_projects)
    forbund_npv = np.concatenate([forbund_npv, forbund_npv.sum(axis=2, keepdims=True)], axis=2)
    p_forbund, q_forbund = _summary(forbund_npv, np.concatenate([i_forbund, i_forbund.sum(axis=1, keepdims=True)],
                                                                axis=1))
    # Same order as the ledger table: the förbund total first, then its projects.
    heads = pd.concat([pd.DataFrame({"forbund": names, "project_id": ALL_PROJECTS}), projects], ignore_index=True)
    p_all = np.concatenate([p_forbund, p_even])
    q_all = np.concatenate([q_forbund, quantiles], axis=1)
    order = np.lexsort((heads["project_id"].to_numpy(), heads["project_id"].ne(ALL_PROJECTS).to_numpy(),
                        heads["forbund"].to_numpy()))
    heads, p_all, q_all = heads.iloc[order].reset_index(drop=True), p_all[order], q_all[:, order]
    return pd.DataFrame({
        "forbund": np.repeat(heads["forbund"].to_numpy(), k),
        "project_id": np.repeat(heads["project_id"].to_numpy(), k),
        "actor": pd.Categorical(np.tile(np.array(ACTORS_WITH_TOTAL, dtype=object), len(heads)), dtype=ACTOR_DTYPE),
        "p_break_even": np.round(p_all.reshape(-1), 3),
        "npv_p05": round_kronor(q_all[0].reshape(-1)),
        "npv_p50": round_kronor(q_all[1].reshape(-1)),
        "npv_p95": round_kronor(q_all[2].reshape(-1)),
    })
