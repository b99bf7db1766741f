"""Contributions: the long table every ledger figure is the sum of.

One row per cohort episode and actor with a non-zero effect, and one row per
project cost row and actor with a non-zero share, each carrying its source file
and row and the catalogue and parameters versions that produced it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from samverkan.contract import TARGET_GROUP
from samverkan.ledger.actors import ACTOR_DTYPE, ACTORS
from samverkan.ledger.catalogue import Catalogue
from samverkan.ledger.effects import AFTER_BASIS, EpisodeEffects, episode_effects
from samverkan.ledger.investment import investment_shares, year_costs
from samverkan.ledger.parameters import OUTCOMES, LedgerParameters
from samverkan.ledger.present_value import cumulative_factors
from samverkan.success.levels import participant_outcome
from samverkan.success.rules import Rules, default_rules

EFFECT = "effekt"
INVESTMENT = "investering"
CONTRIBUTION_COLUMNS = [
    "forbund", "project_id", "actor", "kind", "source_dataset", "source_file", "source_row",
    "outcome", "after_basis", "target_group", "target_group_basis", "financier", "in_kind", "cost_before_sek",
    "cost_after_sek",
    "gross_effect_sek", "adjustment", "yearly_effect_sek", "effect_pv_sek", "yearly_real_effect_sek",
    "effect_real_pv_sek", "investment_sek", "participant_effect_established", "not_established_reason",
    "catalogue_version", "parameters_version",
]
# Added per row after the effect and investment rows are joined (they are per project).
PROJECT_COLUMNS = ("participant_effect_established", "not_established_reason")


@dataclass
class Contributions:
    frame: pd.DataFrame
    effects: EpisodeEffects
    info: dict[str, object] = field(default_factory=dict)


def _constant(value: str, n: int) -> pd.Categorical:
    return pd.Categorical.from_codes(np.zeros(n, dtype="int8"), categories=pd.Index([value], dtype="str"))


def _take(values: pd.Series, rows: np.ndarray) -> pd.Categorical:
    """Rows of a categorical column, staying categorical (no strings are built)."""
    values = values.astype("str").astype("category") if not isinstance(values.dtype, pd.CategoricalDtype) \
        else values
    return pd.Categorical.from_codes(values.cat.codes.to_numpy()[rows], dtype=values.dtype)


def _missing(n: int, categories: list[str] | tuple[str, ...] = ()) -> pd.Categorical:
    return pd.Categorical.from_codes(np.full(n, -1, dtype="int8"), categories=pd.Index(list(categories), dtype="str"))


def _effect_rows(effects: EpisodeEffects, parameters: LedgerParameters, pv_factor: float) -> pd.DataFrame:
    gross = effects.gross
    episode, actor = np.nonzero(gross)
    meta = effects.episodes
    yearly = gross[episode, actor] * effects.adjustment[episode]
    yearly_real = effects.gross_real[episode, actor] * effects.adjustment[episode]
    n = len(episode)
    return pd.DataFrame({
        "forbund": _take(meta["forbund"], episode),
        "project_id": _take(meta["project_id"], episode),
        "actor": pd.Categorical.from_codes(actor.astype("int8"), dtype=ACTOR_DTYPE),
        "kind": _constant(EFFECT, n),
        "source_dataset": _constant("participants", n),
        "source_file": _take(meta["source_file"], episode),
        "source_row": meta["source_row"].to_numpy()[episode],
        "outcome": pd.Categorical.from_codes(effects.outcome[episode], categories=list(OUTCOMES)),
        "after_basis": _take(meta["after_basis"], episode),
        "target_group": _take(meta["target_group"], episode),
        "target_group_basis": _take(meta["target_group_basis"], episode),
        "financier": _missing(n),
        "in_kind": pd.arrays.BooleanArray(np.zeros(n, dtype=bool), mask=np.ones(n, dtype=bool)),
        "cost_before_sek": effects.cost_before[episode, actor],
        "cost_after_sek": effects.cost_after[episode, actor],
        "gross_effect_sek": gross[episode, actor],
        "adjustment": effects.adjustment[episode],
        "yearly_effect_sek": yearly,
        "effect_pv_sek": yearly * pv_factor,
        "yearly_real_effect_sek": yearly_real,
        "effect_real_pv_sek": yearly_real * pv_factor,
        "investment_sek": np.zeros(n),
    })


def _investment_rows(costs: pd.DataFrame, parameters: LedgerParameters) -> pd.DataFrame:
    shares = investment_shares(costs["financier"], costs["forbund"], parameters)
    row, actor = np.nonzero(shares)
    amount = costs["amount_sek"].astype("float64").to_numpy()[row] * shares[row, actor]
    n = len(row)
    take = costs.iloc[row]
    return pd.DataFrame({
        "forbund": pd.Categorical(take["forbund"].astype("str")),
        "project_id": pd.Categorical(take["project_id"].astype("str")),
        "actor": pd.Categorical.from_codes(actor.astype("int8"), dtype=ACTOR_DTYPE),
        "kind": _constant(INVESTMENT, n),
        "source_dataset": _constant("project_costs", n),
        "source_file": pd.Categorical(take["source_file"].astype("str")),
        "source_row": take["source_row"].astype("int64").to_numpy(),
        "outcome": _missing(n, OUTCOMES),
        "after_basis": _missing(n, AFTER_BASIS),
        "target_group": _missing(n, TARGET_GROUP),
        "target_group_basis": _missing(n),
        "financier": pd.Categorical(take["financier"].astype("str")),
        "in_kind": take["in_kind"].astype("boolean").array,
        "cost_before_sek": np.full(n, np.nan),
        "cost_after_sek": np.full(n, np.nan),
        "gross_effect_sek": np.zeros(n),
        "adjustment": np.full(n, np.nan),
        "yearly_effect_sek": np.zeros(n),
        "effect_pv_sek": np.zeros(n),
        "yearly_real_effect_sek": np.zeros(n),
        "effect_real_pv_sek": np.zeros(n),
        "investment_sek": amount,
    })


def _verdicts(participants: pd.DataFrame, projects: pd.DataFrame, year: int, rules: Rules,
              frame: pd.DataFrame) -> tuple[pd.arrays.BooleanArray, pd.Categorical]:
    """Per contribution row: is its project's participant effect established by the success rules, and why not."""
    verdicts = participant_outcome(projects, participants, year, rules).set_index("project_id")
    # Per project id once, then spread by the categorical codes: no strings are built per row.
    ids = frame["project_id"].astype("category")
    categories = pd.Index(ids.cat.categories.astype("str"))
    established = verdicts["participant_effect_established"].reindex(categories).fillna(False).to_numpy(dtype=bool)
    reason = verdicts["not_established_reason"].reindex(categories).fillna(
        "insatsen bedöms inte av framgångsreglerna detta år").to_numpy(dtype=object)
    reason = np.where(established, "", reason)
    codes = ids.cat.codes.to_numpy()
    flags = pd.arrays.BooleanArray(np.append(established, False)[codes], mask=codes < 0)
    per_category = pd.Categorical(reason.astype(str))
    reasons = pd.Categorical.from_codes(np.where(codes >= 0, per_category.codes[codes], -1),
                                        categories=per_category.categories)
    return flags, reasons


def ledger_contributions(participants: pd.DataFrame, projects: pd.DataFrame, project_costs: pd.DataFrame,
                         year: int, catalogue: Catalogue, parameters: LedgerParameters,
                         rules: Rules | None = None) -> Contributions:
    """Contributions of report year ``year``: the cohort's effects and the year's investment.

    ``rules`` are the success rules whose outcome verdict marks each project's effect as established or not
    (default: the shipped rules with this run's p0).
    """
    rules = rules if rules is not None else default_rules(parameters)
    effects = episode_effects(participants, projects, year, catalogue, parameters)
    pv_factor = float(cumulative_factors(parameters.discount_rate, parameters.horizon_years,
                                         parameters.drop_off.value)[-1])
    costs, costs_unknown = year_costs(project_costs, projects, year)
    parts = [_effect_rows(effects, parameters, pv_factor), _investment_rows(costs, parameters)]
    columns = {}
    for column in (c for c in CONTRIBUTION_COLUMNS[:-2] if c not in PROJECT_COLUMNS):
        first, second = parts[0][column], parts[1][column]
        if isinstance(first.dtype, pd.CategoricalDtype) and first.dtype != second.dtype:
            columns[column] = union_categoricals([first.array, second.array], sort_categories=True)
        else:
            columns[column] = pd.concat([first, second], ignore_index=True)
    frame = pd.DataFrame(columns)
    frame["outcome"] = frame["outcome"].astype(pd.CategoricalDtype(list(OUTCOMES)))
    frame["after_basis"] = frame["after_basis"].astype(pd.CategoricalDtype(list(AFTER_BASIS)))
    frame["target_group"] = frame["target_group"].astype(pd.CategoricalDtype(list(TARGET_GROUP)))
    frame["participant_effect_established"], frame["not_established_reason"] = _verdicts(
        participants, projects, year, rules, frame)
    frame["catalogue_version"] = _constant(catalogue.version, len(frame))
    frame["parameters_version"] = _constant(parameters.version, len(frame))
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
        "target_group_basis": {str(k): int(v) for k, v in
                               effects.episodes["target_group_basis"].value_counts().sort_index().items()},
        "unmatched_codes": effects.unmatched_codes,
        "catalogue_version": catalogue.version,
        "catalogue_note": catalogue.note,
        "parameters_version": parameters.version,
        "actors": list(ACTORS),
        "rules_version": rules.version,
    }
    return Contributions(frame=frame[CONTRIBUTION_COLUMNS], effects=effects, info=info)
