"""Results per förbund, project and actor: investment, present value by year, net, return, payback.

Figures are rounded to whole kronor per project and actor; ``Summa`` is the sum of
a project's actor rows and the förbund total (project_id ``ALL``) is the sum of
its project rows, so every published table adds up to the krona.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from samverkan.ledger.actors import ACTOR_DTYPE, ACTORS, ACTORS_WITH_TOTAL, MEMBERS, TOTAL
from samverkan.ledger.parameters import LedgerParameters
from samverkan.ledger.present_value import cumulative_factors, round_kronor

ALL_PROJECTS = "ALL"
LEDGER_COLUMNS = ["forbund", "project_id", "actor", "investment_sek", "effect_pv_sek", "net_sek",
                  "return_ratio", "payback_year", "effect_real_pv_sek", "effect_transfer_pv_sek",
                  "society_return_ratio", "participant_effect_established", "not_established_reason",
                  "effect_not_established_pv_sek", "effect_not_established_share"]
TRANSFER_COLUMNS = ["forbund", "project_id", "payer", "payer_net_sek", "receiver", "receiver_net_sek",
                    "amount_sek"]
WINNER, LOSER, EVEN = "vinnare", "förlorare", "jämnt"


def year_columns(horizon: int) -> list[str]:
    return [f"year_{n}" for n in range(1, horizon + 1)]


@dataclass
class LedgerResults:
    table: pd.DataFrame  # LEDGER_COLUMNS + outcome + year_1..year_N, one row per förbund/project/actor
    transfers: pd.DataFrame  # TRANSFER_COLUMNS
    horizon: int

    def ledger_csv_frame(self) -> pd.DataFrame:
        return self.table[LEDGER_COLUMNS]

    def by_year_frame(self) -> pd.DataFrame:
        return self.table[["forbund", "project_id", "actor", *year_columns(self.horizon)]]


def _project_grid(contributions: pd.DataFrame, parameters: LedgerParameters
                  ) -> tuple[pd.DataFrame, np.ndarray, dict[str, np.ndarray]]:
    """Rounded (projects × actors) investment, cumulative effects by year and the per-row extras."""
    keys = ["forbund", "project_id", "actor"]
    value_columns = ["investment_sek", "yearly_effect_sek", "yearly_real_effect_sek"]
    sums = contributions.groupby(keys, observed=True, sort=False)[value_columns].sum()
    projects = sums.index.droplevel("actor").unique().sort_values()
    grid = pd.MultiIndex.from_tuples([(f, p, a) for f, p in projects for a in ACTORS], names=keys)
    sums.index = sums.index.set_levels(sums.index.levels[2].astype("str"), level=2)
    full = sums.reindex(grid, fill_value=0.0)
    factors = cumulative_factors(parameters.discount_rate, parameters.horizon_years, parameters.drop_off.value)
    by_year = round_kronor(full["yearly_effect_sek"].to_numpy()[:, None] * factors[None, :])
    frame = full.reset_index()[keys]
    frame["investment_sek"] = round_kronor(full["investment_sek"].to_numpy())
    established = _established(contributions, frame)
    extras = {
        "investment_sek": frame["investment_sek"].to_numpy(),
        "effect_real_pv_sek": round_kronor(full["yearly_real_effect_sek"].to_numpy() * factors[-1]),
        "effect_not_established_pv_sek": np.where(established, 0, by_year[:, -1]),
    }
    return frame, by_year, extras


def _established(contributions: pd.DataFrame, frame: pd.DataFrame) -> np.ndarray:
    """Per grid row: whether its project's participant effect is established (False when not known)."""
    if "participant_effect_established" not in contributions:
        return np.zeros(len(frame), dtype=bool)
    flags = (contributions.groupby(["forbund", "project_id"], observed=True)["participant_effect_established"]
             .first())
    flags.index = flags.index.set_levels([lvl.astype("str") for lvl in flags.index.levels])
    index = pd.MultiIndex.from_frame(frame[["forbund", "project_id"]].astype("str"))
    return flags.reindex(index).fillna(False).to_numpy(dtype=bool)


def _reasons(contributions: pd.DataFrame, table: pd.DataFrame) -> np.ndarray:
    """Per table row: why its project's effect is not established ('' for established projects and totals)."""
    if "not_established_reason" not in contributions:
        return np.full(len(table), "", dtype=object)
    reasons = contributions.groupby(["forbund", "project_id"], observed=True)["not_established_reason"].first()
    lookup = {(str(f), str(p)): str(r) for (f, p), r in reasons.items()}
    pairs = zip(table["forbund"].astype("str"), table["project_id"].astype("str"), strict=True)
    return np.array([lookup.get(pair, "") for pair in pairs], dtype=object)


def _with_totals(frame: pd.DataFrame, by_year: np.ndarray, extras: dict[str, np.ndarray]
                 ) -> tuple[pd.DataFrame, np.ndarray]:
    """Add ``Summa`` per project and the förbund totals (``ALL``), all as exact integer sums."""
    n_actors = len(ACTORS)
    n_projects = len(frame) // n_actors
    names = list(extras)
    stacked = np.stack([extras[n] for n in names], axis=-1).reshape(n_projects, n_actors, -1)
    years = by_year.reshape(n_projects, n_actors, -1)
    stacked = np.concatenate([stacked, stacked.sum(axis=1, keepdims=True)], axis=1)
    years = np.concatenate([years, years.sum(axis=1, keepdims=True)], axis=1)
    projects = frame[["forbund", "project_id"]].iloc[::n_actors].reset_index(drop=True)
    forbund_codes, forbund_names = pd.factorize(projects["forbund"], sort=True)
    totals = np.zeros((len(forbund_names), n_actors + 1, len(names)), dtype="int64")
    totals_years = np.zeros((len(forbund_names), n_actors + 1, years.shape[2]), dtype="int64")
    np.add.at(totals, forbund_codes, stacked)
    np.add.at(totals_years, forbund_codes, years)
    heads = pd.concat([pd.DataFrame({"forbund": forbund_names, "project_id": ALL_PROJECTS}), projects],
                      ignore_index=True)
    all_values = np.concatenate([totals, stacked])
    all_years = np.concatenate([totals_years, years])
    # ALL first within each förbund, then projects in id order.
    order = np.lexsort((heads["project_id"].to_numpy(), heads["project_id"].ne(ALL_PROJECTS).to_numpy(),
                        heads["forbund"].to_numpy()))
    heads = heads.iloc[order].reset_index(drop=True)
    k = len(ACTORS_WITH_TOTAL)
    out = pd.DataFrame({
        "forbund": np.repeat(heads["forbund"].to_numpy(), k),
        "project_id": np.repeat(heads["project_id"].to_numpy(), k),
        "actor": pd.Categorical(np.tile(np.array(ACTORS_WITH_TOTAL, dtype=object), len(heads)), dtype=ACTOR_DTYPE),
    })
    values = all_values[order].reshape(len(out), -1)
    for j, name in enumerate(names):
        out[name] = values[:, j]
    return out, all_years[order].reshape(len(out), -1)


def _ratio(numerator: np.ndarray, investment: np.ndarray) -> pd.Series:
    """Numerator per krona invested, two decimals; missing where nothing was invested."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(investment > 0, np.round(numerator / np.where(investment > 0, investment, 1), 2), np.nan)
    return pd.Series(pd.array(ratio, dtype="Float64"))


def payback_years(investment: np.ndarray, by_year: np.ndarray) -> pd.array:
    """First year (1-based) the cumulative effect covers the investment; missing when it never does.

    Only defined where something was invested.
    """
    covered = by_year >= investment[:, None]
    first = covered.argmax(axis=1) + 1
    ok = covered.any(axis=1) & (investment > 0)
    values = pd.array(first, dtype="Int64")
    values[~ok] = pd.NA
    return values


def _transfer_amounts(net: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Group, payer and receiver numbers and the rounded amount of every non-zero transfer (rule below)."""
    surplus = np.where(net > 0, net, 0).astype("float64")
    deficit = np.where(net < 0, -net, 0).astype("float64")
    scale = np.maximum(surplus.sum(axis=1), deficit.sum(axis=1))
    # A group with nobody ahead or nobody behind has only zero products: any divisor will do.
    divisor = np.where(scale > 0, scale, 1.0)[:, None, None]
    amounts = round_kronor(surplus[:, :, None] * deficit[:, None, :] / divisor)
    group, payer, receiver = np.nonzero(amounts)  # C order: group, then payer, then receiver
    return group, payer, receiver, amounts[group, payer, receiver]


def member_transfers(forbund: np.ndarray, project_id: np.ndarray, net: np.ndarray) -> pd.DataFrame:
    """Transfers among the members that bring as many of them as possible to a net of zero.

    ``net`` is (groups × MEMBERS), one row per förbund/project named by ``forbund`` and
    ``project_id``. Winners (net > 0) pay losers (net < 0). Let S be the winners' total
    surplus and D the losers' total deficit. Winner i pays loser j ``s_i × d_j / max(S, D)``,
    rounded to whole kronor. When S ≥ D every loser breaks even and the winners keep S − D
    in proportion to their surplus; when S < D every winner ends at zero and the losers
    share the remaining deficit in proportion to theirs. The rule depends on nothing but
    the nets, so it is deterministic and symmetric. Rows come group by group, payers and
    receivers in member order; transfers that round to zero are left out.
    """
    net = np.asarray(net, dtype="int64").reshape(-1, len(MEMBERS))
    group, payer, receiver, amount = _transfer_amounts(net)
    if not len(group):
        return pd.DataFrame(columns=TRANSFER_COLUMNS)
    members = np.array(MEMBERS, dtype=object)
    return pd.DataFrame({
        "forbund": np.asarray(forbund, dtype=object)[group],
        "project_id": np.asarray(project_id, dtype=object)[group],
        "payer": members[payer],
        "payer_net_sek": net[group, payer],
        "receiver": members[receiver],
        "receiver_net_sek": net[group, receiver],
        "amount_sek": amount,
    }, columns=TRANSFER_COLUMNS)


def break_even_transfers(forbund: str, project_id: str, net: dict[str, int]) -> list[tuple]:
    """``member_transfers`` for one förbund or project, nets by member name (absent members count 0)."""
    nets = np.array([[net.get(member, 0) for member in MEMBERS]], dtype="int64")
    # Called per project by the report, so no frame is built for one group.
    _, payer, receiver, amount = _transfer_amounts(nets)
    return [(forbund, project_id, MEMBERS[i], int(nets[0, i]), MEMBERS[j], int(nets[0, j]), int(a))
            for i, j, a in zip(payer.tolist(), receiver.tolist(), amount.tolist(), strict=True)]


def ledger_results(contributions: pd.DataFrame, parameters: LedgerParameters) -> LedgerResults:
    """Aggregate contributions into the ledger table and the break-even transfers."""
    horizon = parameters.horizon_years
    columns = year_columns(horizon)
    if contributions.empty:
        table = pd.DataFrame(columns=[*LEDGER_COLUMNS, "outcome", *columns])
        return LedgerResults(table=table, transfers=pd.DataFrame(columns=TRANSFER_COLUMNS), horizon=horizon)
    frame, by_year, extras = _project_grid(contributions, parameters)
    table, years = _with_totals(frame, by_year, extras)
    investment = table["investment_sek"].to_numpy()
    effect = years[:, -1]
    net = effect - investment
    table["effect_pv_sek"] = effect
    table["net_sek"] = net
    table["return_ratio"] = _ratio(effect, investment)
    table["payback_year"] = payback_years(investment, years)
    real = table.pop("effect_real_pv_sek").to_numpy()
    table["effect_real_pv_sek"] = real
    table["effect_transfer_pv_sek"] = effect - real
    # Society's return counts real resources and production only: on the Summa rows, where they are all summed.
    summa = (table["actor"] == TOTAL).to_numpy()
    table["society_return_ratio"] = _ratio(real, investment).where(summa, pd.NA)
    is_total = (table["project_id"] == ALL_PROJECTS).to_numpy()
    not_established = table.pop("effect_not_established_pv_sek").to_numpy()
    established = _established(contributions, table)
    table["participant_effect_established"] = pd.array(np.where(is_total, False, established), dtype="boolean")
    table.loc[is_total, "participant_effect_established"] = pd.NA
    table["not_established_reason"] = np.where(is_total, "", _reasons(contributions, table))
    table["effect_not_established_pv_sek"] = not_established
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(effect != 0, np.round(not_established / np.where(effect != 0, effect, 1), 3), np.nan)
    table["effect_not_established_share"] = pd.array(share, dtype="Float64")
    table["outcome"] = np.select([net > 0, net < 0], [WINNER, LOSER], default=EVEN)
    for j, column in enumerate(columns):
        table[column] = years[:, j]
    # Every group has its rows in ACTORS_WITH_TOTAL order, so a reshape gives (groups × actors).
    k = len(ACTORS_WITH_TOTAL)
    nets = net.reshape(-1, k)[:, [ACTORS_WITH_TOTAL.index(m) for m in MEMBERS]]
    transfers = member_transfers(table["forbund"].to_numpy()[::k], table["project_id"].to_numpy()[::k], nets)
    return LedgerResults(table=table, transfers=transfers, horizon=horizon)


MEMBER_EFFECT_COLUMNS = ["effect_af_sek", "effect_fk_sek", "effect_kommun_sek", "effect_region_sek"]


def member_effects(contributions: pd.DataFrame, parameters: LedgerParameters) -> pd.DataFrame:
    """Per project: the members' effects (present value, before investment) as the ledger rounds them.

    The success levels read these to flag cost shifting between the members.
    """
    columns = ["project_id", *MEMBER_EFFECT_COLUMNS]
    if contributions.empty:
        return pd.DataFrame(columns=columns)
    factor = cumulative_factors(parameters.discount_rate, parameters.horizon_years, parameters.drop_off.value)[-1]
    # Every project in the ledger gets a row (0 where no member had an effect), as in the ledger table.
    sums = (contributions.assign(actor=contributions["actor"].astype("str"),
                                 project_id=contributions["project_id"].astype("str"))
            .groupby(["project_id", "actor"])["yearly_effect_sek"].sum().unstack("actor", fill_value=0.0)
            .reindex(columns=list(MEMBERS), fill_value=0.0))
    out = pd.DataFrame(round_kronor(sums.to_numpy() * factor), columns=MEMBER_EFFECT_COLUMNS)
    out.insert(0, "project_id", sums.index.to_numpy())
    return out[columns]
