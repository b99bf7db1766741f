"""The Kommun line split per member kommun.

The ledger keeps one *Kommun* actor (the law sets the kommuner's share of förbund money together). Where the
data name kommuner, that line is split: effects by the participant's home kommun (``participants.kommun``),
the kommun's own money by the paying kommun (``project_costs.kommun``) and förbund money by the per-kommun
shares configured for the förbund. Every row is a sum of the Kommun actor's contributions, so the split sums
back to the Kommun line.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from samverkan.ledger.investment import FORBUND_MONEY
from samverkan.ledger.parameters import LedgerParameters
from samverkan.ledger.present_value import round_kronor
from samverkan.ledger.trace import EFFECT, INVESTMENT

KOMMUN_ACTOR = "Kommun"
# Where a contribution names no kommun (an empty cell, or förbund money without configured shares).
UNKNOWN_KOMMUN = "okänd kommun"
KOMMUN_COLUMNS = ["forbund", "kommun", "leavers", "own_investment_sek", "forbund_money_sek", "investment_sek",
                  "effect_pv_sek", "net_sek"]
SOURCE_KEY = ["source_file", "source_row"]
NO_COLUMNS = ("Kommunraden delas inte upp per medlemskommun: leveransen anger varken deltagarnas hemkommun "
              "(participants.kommun) eller vilken kommun som betalat (project_costs.kommun).")


@dataclass
class KommunLedger:
    table: pd.DataFrame
    # Swedish sentence saying why there is no split; empty when there is one.
    missing_reason: str


def _has_kommun(frame: pd.DataFrame) -> bool:
    return "kommun" in frame.columns and bool(_clean(frame["kommun"]).ne("").any())


def _clean(values: pd.Series) -> pd.Series:
    return values.astype("string").fillna("").str.strip()


def _source_kommun(rows: pd.DataFrame, source: pd.DataFrame) -> pd.Series:
    """The ``kommun`` of each contribution row's source row (joined on source file and row)."""
    if "kommun" not in source.columns:
        return pd.Series(UNKNOWN_KOMMUN, index=rows.index, dtype="object")
    lookup = source[SOURCE_KEY].astype({"source_file": "str", "source_row": "int64"}).assign(
        kommun=_clean(source["kommun"]).to_numpy()).drop_duplicates(SOURCE_KEY)
    keys = rows[SOURCE_KEY].astype({"source_file": "str", "source_row": "int64"})
    found = keys.merge(lookup, on=SOURCE_KEY, how="left")["kommun"].fillna("").to_numpy(dtype=object)
    return pd.Series(np.where(found == "", UNKNOWN_KOMMUN, found), index=rows.index, dtype="object")


def _forbund_money(rows: pd.DataFrame, parameters: LedgerParameters) -> pd.DataFrame:
    """Förbund money borne by the Kommun actor, spread over the förbund's configured kommun shares."""
    parts = []
    for forbund, group in rows.groupby("forbund", sort=True, observed=True):
        amount = float(group["investment_sek"].sum())
        shares = parameters.kommun_shares.get(str(forbund), {UNKNOWN_KOMMUN: 1.0})
        parts += [{"forbund": str(forbund), "kommun": k, "forbund_money_sek": amount * s} for k, s in shares.items()]
    return pd.DataFrame(parts, columns=["forbund", "kommun", "forbund_money_sek"])


def kommun_ledger(contributions: pd.DataFrame, participants: pd.DataFrame, project_costs: pd.DataFrame,
                  parameters: LedgerParameters) -> KommunLedger:
    """Per förbund and member kommun: own investment, share of förbund money, effect (present value) and net."""
    if not (_has_kommun(participants) or _has_kommun(project_costs)):
        return KommunLedger(pd.DataFrame(columns=KOMMUN_COLUMNS), NO_COLUMNS)
    own = contributions[contributions["actor"].astype("str") == KOMMUN_ACTOR]
    kind = own["kind"].astype("str")
    effects = own[kind == EFFECT]
    # Leavers per kommun: the cohort episodes with an effect for any actor, so the report can withhold a
    # kommun's effect when it would show what happened to one to four people.
    cohort = contributions[contributions["kind"].astype("str") == EFFECT].drop_duplicates(SOURCE_KEY)
    leavers = pd.DataFrame({"forbund": cohort["forbund"].astype("str"), "kommun": _source_kommun(cohort, participants),
                            "leavers": 1})
    invested = own[kind == INVESTMENT]
    pooled = invested["financier"].astype("str") == FORBUND_MONEY
    effect = pd.DataFrame({"forbund": effects["forbund"].astype("str"),
                           "kommun": _source_kommun(effects, participants),
                           "effect_pv_sek": effects["effect_pv_sek"].astype("float64")})
    paid = invested[~pooled]
    paid = pd.DataFrame({"forbund": paid["forbund"].astype("str"), "kommun": _source_kommun(paid, project_costs),
                         "own_investment_sek": paid["investment_sek"].astype("float64")})
    parts = [effect, paid, _forbund_money(invested[pooled], parameters), leavers]
    table = (pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts)
             else pd.DataFrame(columns=["forbund", "kommun"]))
    for column in ("leavers", "own_investment_sek", "forbund_money_sek", "effect_pv_sek"):
        table[column] = table.get(column, pd.Series(dtype="float64")).astype("float64").fillna(0.0)
    table = table.groupby(["forbund", "kommun"], as_index=False, sort=True)[
        ["leavers", "own_investment_sek", "forbund_money_sek", "effect_pv_sek"]].sum()
    table["leavers"] = table["leavers"].astype("int64")
    # Whole kronor as the ledger gives them, rounded after summing; so the rows may differ from the Kommun line
    # by a krona of rounding.
    for column in ("own_investment_sek", "forbund_money_sek", "effect_pv_sek"):
        table[column] = round_kronor(table[column].to_numpy())
    table["investment_sek"] = table["own_investment_sek"] + table["forbund_money_sek"]
    table["net_sek"] = table["effect_pv_sek"] - table["investment_sek"]
    # The unknown row last in each förbund, so the named kommuner read first.
    table["_unknown"] = table["kommun"] == UNKNOWN_KOMMUN
    table = table.sort_values(["forbund", "_unknown", "kommun"], kind="stable").drop(columns="_unknown")
    return KommunLedger(table[KOMMUN_COLUMNS].reset_index(drop=True), "")
