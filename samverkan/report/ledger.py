"""The ledger chapter: per actor the investment, the effects' present value, net, return and payback year;
the members' winners and losers, the transfers that let every member break even, the chance of breaking even.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from samverkan.ledger.actors import ACTORS_WITH_TOTAL, MEMBERS, TOTAL
from samverkan.ledger.results import ALL_PROJECTS, EVEN, LOSER, WINNER
from samverkan.report.frames import by_project, for_forbund, has, plain, whole
from samverkan.report.inputs import ReportInputs


@dataclass(frozen=True)
class LedgerRow:
    actor: str
    is_member: bool
    is_total: bool
    investment_sek: float | None
    effect_pv_sek: float | None
    net_sek: float | None
    return_ratio: float | None
    payback_year: int | None
    outcome: str | None  # vinnare, förlorare or jämnt
    cumulative: list[float | None]  # present value of the effects after year 1, 2, … (``years``)
    # Real resources and production only (no transfers): on the Summa row, society's own figure and return.
    effect_real_pv_sek: float | None = None
    society_return_ratio: float | None = None
    # The success rules could not establish the participant effect (skenbar framgång, too few leavers).
    established: bool = True
    not_established_reason: str | None = None
    not_established_share: float | None = None  # share of the effect resting on projects like that


@dataclass(frozen=True)
class LedgerTable:
    """One förbund's or project's ledger, a row per actor in the actors' order and ``Summa`` last."""

    available: bool
    rows: list[LedgerRow] = field(default_factory=list)
    years: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class BreakEven:
    actor: str
    p_break_even: float | None
    npv_p05: float | None
    npv_p50: float | None
    npv_p95: float | None


BREAK_EVEN_COLUMNS = ("actor", "p_break_even", "npv_p05", "npv_p50", "npv_p95")

@dataclass(frozen=True)
class LedgerSection(LedgerTable):
    """The förbund's table, and what it means for the members."""

    members: list[LedgerRow] = field(default_factory=list)
    winners: list[str] = field(default_factory=list)
    losers: list[str] = field(default_factory=list)
    total: LedgerRow | None = None
    # The ledger's transfer rows as it wrote them (payer, payer_net_sek, receiver, receiver_net_sek, amount_sek).
    transfers: list[dict[str, Any]] = field(default_factory=list)
    transfers_available: bool = False
    break_even: list[BreakEven] = field(default_factory=list)


def _year_columns(frame: pd.DataFrame) -> list[str]:
    cols = [c for c in frame.columns if re.fullmatch(r"year_\d+", str(c))]
    return sorted(cols, key=lambda c: int(c.split("_")[1]))


def _actor_order(actor: str) -> int:
    return ACTORS_WITH_TOTAL.index(actor) if actor in ACTORS_WITH_TOTAL else len(ACTORS_WITH_TOTAL)


def _transfer_rows(transfers: pd.DataFrame) -> Callable[[str], list[dict[str, Any]]]:
    """One project's transfer rows by id; a transfers table without project ids applies to every project."""
    if has(transfers) and "project_id" not in transfers.columns:
        rows = transfers.to_dict("records")
        return lambda project_id: rows
    groups = by_project(transfers)
    return lambda project_id: groups.get(project_id, [])


def _outcome(net: float | None) -> str | None:
    if net is None:
        return None
    return WINNER if net > 0 else LOSER if net < 0 else EVEN


def _ledger_table(rows: list[dict[str, Any]], year_cols: list[str]) -> LedgerTable:
    if not rows:
        return LedgerTable(available=False)
    by_actor = {r["actor"]: r for r in rows}
    table = []
    for actor in sorted(by_actor, key=_actor_order):
        rec = by_actor[actor]
        net = plain(rec.get("net_sek"))
        table.append(LedgerRow(
            actor=actor,
            is_member=actor in MEMBERS,
            is_total=actor == TOTAL,
            investment_sek=plain(rec.get("investment_sek")),
            effect_pv_sek=plain(rec.get("effect_pv_sek")),
            net_sek=net,
            return_ratio=plain(rec.get("return_ratio")),
            payback_year=whole(rec.get("payback_year")),
            outcome=_outcome(net),
            cumulative=[plain(rec.get(c)) for c in year_cols],
            effect_real_pv_sek=plain(rec.get("effect_real_pv_sek")),
            society_return_ratio=plain(rec.get("society_return_ratio")),
            established=plain(rec.get("participant_effect_established")) is not False,
            not_established_reason=plain(rec.get("not_established_reason")) or None,
            not_established_share=plain(rec.get("effect_not_established_share")),
        ))
    return LedgerTable(available=True, rows=table, years=[int(c.split("_")[1]) for c in year_cols])


@dataclass(frozen=True)
class LedgerRecords:
    """A förbund's ledger tables as records by project id (``ALL`` for the förbund as a whole), built once
    per report and read by both the ledger chapter and the project pages."""

    ledger: dict[str, list[dict[str, Any]]]
    year_columns: list[str]
    transfer_rows: Callable[[str], list[dict[str, Any]]]
    uncertainty: dict[str, list[dict[str, Any]]]

    def table(self, project_id: str) -> LedgerTable:
        """Ledger rows per actor for one project (or ``ALL``), with the cumulative present value by year."""
        return _ledger_table(self.ledger.get(project_id, []), self.year_columns)

    def transfers(self, project_id: str) -> list[dict[str, Any]]:
        return [{c: plain(v) for c, v in rec.items() if c not in ("forbund", "project_id")}
                for rec in self.transfer_rows(project_id)]

    def break_even(self, project_id: str) -> list[BreakEven]:
        rows = [BreakEven(**{c: plain(rec.get(c)) for c in BREAK_EVEN_COLUMNS})
                for rec in self.uncertainty.get(project_id, []) if rec["actor"] in MEMBERS]
        return sorted(rows, key=lambda r: _actor_order(r.actor))


def ledger_records(inputs: ReportInputs, forbund: str) -> LedgerRecords:
    ledger = for_forbund(inputs.ledger, forbund)
    return LedgerRecords(
        ledger=by_project(ledger),
        year_columns=_year_columns(ledger) if has(ledger) else [],
        transfer_rows=_transfer_rows(for_forbund(inputs.transfers, forbund)),
        uncertainty=by_project(for_forbund(inputs.ledger_uncertainty, forbund)),
    )


def ledger_section(inputs: ReportInputs, records: LedgerRecords) -> LedgerSection:
    table = records.table(ALL_PROJECTS)
    members = [r for r in table.rows if r.is_member]
    return LedgerSection(
        available=table.available,
        rows=table.rows,
        years=table.years,
        members=members,
        winners=[r.actor for r in members if r.outcome == WINNER],
        losers=[r.actor for r in members if r.outcome == LOSER],
        total=next((r for r in table.rows if r.is_total), None),
        transfers=records.transfers(ALL_PROJECTS),
        transfers_available=has(inputs.transfers),
        break_even=records.break_even(ALL_PROJECTS),
    )
