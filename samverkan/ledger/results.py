"""Results per förbund, project and actor: investment, present value by year, net, return, payback.

Figures are rounded to whole kronor per project and actor; ``Summa`` is the sum of
a project's actor rows and the förbund total (project_id ``ALL``) is the sum of
its project rows, so every published table adds up to the krona.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from samverkan.ledger.actors import ACTOR_DTYPE, ACTORS, ACTORS_WITH_TOTAL, MEMBERS
from samverkan.ledger.parameters import LedgerParameters
from samverkan.ledger.present_value import cumulative_factors, round_kronor

ALL_PROJECTS = "ALL"
LEDGER_COLUMNS = ["forbund", "project_id", "actor", "investment_sek", "effect_pv_sek", "net_sek",
                  "return_ratio", "payback_year"]
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


def _project_grid(contributions: pd.DataFrame, parameters: LedgerParameters) -> tuple[pd.DataFrame, np.ndarray]:
    """Rounded (projects × actors) investment and cumulative effects by year."""
    keys = ["forbund", "project_id", "actor"]
    sums = contributions.groupby(keys, observed=True, sort=False)[["investment_sek", "yearly_effect_sek"]].sum()
    projects = sums.index.droplevel("actor").unique().sort_values()
    grid = pd.MultiIndex.from_tuples([(f, p, a) for f, p in projects for a in ACTORS], names=keys)
    sums.index = sums.index.set_levels(sums.index.levels[2].astype("str"), level=2)
    full = sums.reindex(grid, fill_value=0.0)
    factors = cumulative_factors(parameters.discount_rate, parameters.horizon_years, parameters.drop_off.value)
    by_year = full["yearly_effect_sek"].to_numpy()[:, None] * factors[None, :]
    frame = full.reset_index()[keys]
    frame["investment_sek"] = round_kronor(full["investment_sek"].to_numpy())
    return frame, round_kronor(by_year)


def _with_totals(frame: pd.DataFrame, by_year: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """Add ``Summa`` per project and the förbund totals (``ALL``), all as exact integer sums."""
    n_actors = len(ACTORS)
    n_projects = len(frame) // n_actors
    inv = frame["investment_sek"].to_numpy().reshape(n_projects, n_actors)
    years = by_year.reshape(n_projects, n_actors, -1)
    inv = np.concatenate([inv, inv.sum(axis=1, keepdims=True)], axis=1)
    years = np.concatenate([years, years.sum(axis=1, keepdims=True)], axis=1)
    projects = frame[["forbund", "project_id"]].iloc[::n_actors].reset_index(drop=True)
    forbund_codes, forbund_names = pd.factorize(projects["forbund"], sort=True)
    totals_inv = np.zeros((len(forbund_names), n_actors + 1), dtype="int64")
    totals_years = np.zeros((len(forbund_names), n_actors + 1, years.shape[2]), dtype="int64")
    np.add.at(totals_inv, forbund_codes, inv)
    np.add.at(totals_years, forbund_codes, years)
    heads = pd.concat([pd.DataFrame({"forbund": forbund_names, "project_id": ALL_PROJECTS}), projects],
                      ignore_index=True)
    all_inv = np.concatenate([totals_inv, inv])
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
        "investment_sek": all_inv[order].reshape(-1),
    })
    return out, all_years[order].reshape(len(out), -1)


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
    frame, by_year = _project_grid(contributions, parameters)
    table, years = _with_totals(frame, by_year)
    investment = table["investment_sek"].to_numpy()
    effect = years[:, -1]
    net = effect - investment
    table["effect_pv_sek"] = effect
    table["net_sek"] = net
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(investment > 0, np.round(effect / np.where(investment > 0, investment, 1), 2), np.nan)
    table["return_ratio"] = pd.array(ratio, dtype="Float64")
    table["payback_year"] = payback_years(investment, years)
    table["outcome"] = np.select([net > 0, net < 0], [WINNER, LOSER], default=EVEN)
    for j, column in enumerate(columns):
        table[column] = years[:, j]
    # Every group has its rows in ACTORS_WITH_TOTAL order, so a reshape gives (groups × actors).
    k = len(ACTORS_WITH_TOTAL)
    nets = net.reshape(-1, k)[:, [ACTORS_WITH_TOTAL.index(m) for m in MEMBERS]]
    transfers = member_transfers(table["forbund"].to_numpy()[::k], table["project_id"].to_numpy()[::k], nets)
    return LedgerResults(table=table, transfers=transfers, horizon=horizon)
