"""One parameter at a time, and all at once: the förbund's net per actor between each parameter's low and high.

Every uncertain parameter of the parameters file (discount rate, p0, the share of other outcomes that would have
happened anyway, drop-off, the unit-cost level, attribution and the horizon) is set to its ``low`` and to its
``high`` while the others keep their value; the pessimistic and optimistic cases set all of them at once to
their unfavourable or favourable end. Unfavourable is fixed per parameter (a higher rate, p0, other share or
drop-off, a lower unit-cost level, attribution or horizon), the direction that lowers a positive effect.

Nothing is rerun: a contribution's effect is its gross effect times the outcome's scale (the Monte Carlo's
``outcome_scales``, with p0 moved as the Monte Carlo moves it) times attribution, the unit-cost level and the
cumulative present-value factor, so each case is a few array operations on the per-project sums. Figures are
rounded per project and actor and then summed, as the ledger rounds, so the base case is the ledger's net.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from samverkan.ledger.actors import ACTOR_DTYPE, ACTORS, ACTORS_WITH_TOTAL
from samverkan.ledger.parameters import OUTCOMES, LedgerParameters, Range
from samverkan.ledger.present_value import cumulative_factors, round_kronor
from samverkan.ledger.results import ALL_PROJECTS
from samverkan.ledger.uncertainty import outcome_scales, project_p0

SENSITIVITY_COLUMNS = ["forbund", "project_id", "actor", "case", "parameter", "value", "net_sek"]
BASE, LOW, HIGH, PESSIMISTIC, OPTIMISTIC = "base", "low", "high", "pessimistic", "optimistic"
# Parameter name → whether its high end lowers a positive effect (then high is the unfavourable end).
PARAMETERS = {
    "discount_rate": True,
    "p0": True,
    "other_outcomes": True,
    "drop_off": True,
    "unit_cost_level": False,
    "attribution": False,
    "horizon_years": False,
}


def parameter_ranges(parameters: LedgerParameters) -> dict[str, Range]:
    """Each varied parameter's base value and low/high ends (rate and horizon: the run's own value as base)."""
    rate, horizon = parameters.discount_range, parameters.horizon_range
    return {
        "discount_rate": Range(parameters.discount_rate, rate.low, rate.high, rate.basis),
        "p0": parameters.p0,
        "other_outcomes": parameters.other_outcomes,
        "drop_off": parameters.drop_off,
        "unit_cost_level": parameters.unit_cost_level,
        "attribution": parameters.attribution,
        "horizon_years": Range(parameters.horizon_years, horizon.low, horizon.high, horizon.basis),
    }


def cases(parameters: LedgerParameters) -> pd.DataFrame:
    """One row per case: ``case``, ``parameter`` ('' for base and the scenarios), its ``value`` and the full set
    of parameter values used (one column per parameter)."""
    ranges = parameter_ranges(parameters)
    base = {name: r.value for name, r in ranges.items()}
    rows = [{"case": BASE, "parameter": "", "value": np.nan, **base}]
    for name, r in ranges.items():
        for case, value in ((LOW, r.low), (HIGH, r.high)):
            rows.append({"case": case, "parameter": name, "value": value, **base, name: value})
    for case, favourable in ((PESSIMISTIC, False), (OPTIMISTIC, True)):
        values = {name: (r.low if high_hurts == favourable else r.high)
                  for (name, r), high_hurts in zip(ranges.items(), PARAMETERS.values(), strict=True)}
        rows.append({"case": case, "parameter": "", "value": np.nan, **values})
    return pd.DataFrame(rows)


def _by_project(frame: pd.DataFrame, column: str, index: pd.MultiIndex) -> np.ndarray:
    """(projects, actors) sums of ``column``, grouped on the categorical codes (no strings per row)."""
    sums = frame.groupby(["forbund", "project_id", "actor"], observed=True)[column].sum().unstack("actor")
    sums.index = sums.index.set_levels([lvl.astype("str") for lvl in sums.index.levels])
    sums.columns = sums.columns.astype("str")
    return sums.reindex(index=index, columns=list(ACTORS), fill_value=0.0).fillna(0.0).to_numpy()


def _project_sums(contributions: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Projects (forbund, project_id), gross yearly effect (projects, outcomes, actors) and investment."""
    projects = (contributions.groupby(["forbund", "project_id"], observed=True).size().index.to_frame(index=False)
                .astype("str").sort_values(["forbund", "project_id"], ignore_index=True))
    index = pd.MultiIndex.from_frame(projects)
    outcome = contributions["outcome"]
    gross = np.stack([_by_project(contributions[outcome == name], "gross_effect_sek", index) for name in OUTCOMES],
                     axis=1)
    return projects, gross, _by_project(contributions, "investment_sek", index)


def sensitivity(contributions: pd.DataFrame, counts: pd.DataFrame, parameters: LedgerParameters) -> pd.DataFrame:
    """``SENSITIVITY_COLUMNS``: per förbund (project_id ALL), case and actor (and Summa) the net in kronor.

    ``counts`` is the effects' ``COUNT_COLUMNS`` per project (leavers N, to work or studies k, p0).
    """
    if contributions.empty:
        return pd.DataFrame(columns=SENSITIVITY_COLUMNS)
    projects, gross, invest = _project_sums(contributions)
    counts = (counts.assign(project_id=counts["project_id"].astype("str")).set_index("project_id")
              .reindex(projects["project_id"])
              .fillna({"leavers": 0, "to_work_or_studies": 0, "p0": parameters.p0.value}).reset_index())
    table = cases(parameters)
    n_cases = len(table)
    k = counts["to_work_or_studies"].to_numpy(dtype="float64")
    drawn = {"worked": np.broadcast_to(k, (n_cases, len(k))),
             "p0": project_p0(parameters, counts, table["p0"].to_numpy()),
             "other": table["other_outcomes"].to_numpy(dtype="float64")}
    work, other = outcome_scales(counts, drawn)
    factor = np.array([cumulative_factors(r, int(h), d)[-1] for r, h, d in
                       table[["discount_rate", "horizon_years", "drop_off"]].itertuples(index=False)])
    scale = (table["unit_cost_level"].to_numpy() * table["attribution"].to_numpy() * factor)[:, None]
    # (cases, projects, actors): each outcome's gross effect times its scale.
    effect = (gross[None, :, 0, :] * (work * scale)[:, :, None] + gross[None, :, 1, :] * (other * scale)[:, :, None])
    net = round_kronor(effect) - round_kronor(invest)[None, :, :]
    codes, names = pd.factorize(projects["forbund"], sort=True)
    per_forbund = np.zeros((n_cases, len(names), len(ACTORS)), dtype="int64")
    np.add.at(per_forbund, (slice(None), codes), net)
    per_forbund = np.concatenate([per_forbund, per_forbund.sum(axis=2, keepdims=True)], axis=2)
    # Rows: förbund, then case in table order, then actor in ledger order.
    values = per_forbund.transpose(1, 0, 2)
    n_actors = len(ACTORS_WITH_TOTAL)
    repeat = n_cases * n_actors
    return pd.DataFrame({
        "forbund": np.repeat(np.asarray(names, dtype=object), repeat),
        "project_id": ALL_PROJECTS,
        "actor": pd.Categorical(np.tile(np.array(ACTORS_WITH_TOTAL, dtype=object), len(names) * n_cases),
                                dtype=ACTOR_DTYPE),
        "case": np.tile(np.repeat(table["case"].to_numpy(dtype=object), n_actors), len(names)),
        "parameter": np.tile(np.repeat(table["parameter"].to_numpy(dtype=object), n_actors), len(names)),
        "value": np.tile(np.repeat(table["value"].to_numpy(dtype="float64"), n_actors), len(names)),
        "net_sek": values.reshape(-1),
    }, columns=SENSITIVITY_COLUMNS)
