"""A project's whole-life ledger for its page (from ledger_lifetime), and its plan against the outcome."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from samverkan.ledger.actors import MEMBERS, TOTAL
from samverkan.privacy import SMALL_COUNT_LIMIT
from samverkan.report.frames import plain, whole

SHOWN = (*MEMBERS, TOTAL)


@dataclass(frozen=True)
class LifetimeRow:
    actor: str
    investment_sek: int | None
    effect_pv_sek: int | None
    net_sek: int | None
    is_total: bool = False


@dataclass(frozen=True)
class PlanRow:
    actor: str
    forecast_investment_sek: int | None
    outcome_investment_sek: int | None
    forecast_net_sek: int | None
    outcome_net_sek: int | None
    is_total: bool = False


@dataclass(frozen=True)
class LifetimeView:
    available: bool
    first_year: int | None = None
    last_year: int | None = None
    leavers: int | None = None
    rows: list[LifetimeRow] = field(default_factory=list)  # members, then Summa
    plan: list[PlanRow] = field(default_factory=list)  # empty without a plan
    # 1–4 leavers over the whole life: the per-actor effects would show what happened to each of them.
    withheld: bool = False


def lifetime_view(lifetime: list[dict[str, Any]], plan: list[dict[str, Any]]) -> LifetimeView:
    """One project's rows of ledger_lifetime and ledger_lifetime_plan (either may be empty)."""
    if not lifetime:
        return LifetimeView(available=False)
    by_actor = {str(r["actor"]): r for r in lifetime}
    first = next(iter(by_actor.values()))
    leavers = whole(first.get("leavers")) or 0
    base = dict(first_year=whole(first.get("first_year")), last_year=whole(first.get("last_year")), leavers=leavers)
    if 0 < leavers < SMALL_COUNT_LIMIT:
        return LifetimeView(available=True, withheld=True, **base)
    rows = [LifetimeRow(a, whole(r["investment_sek"]), whole(r["effect_pv_sek"]), whole(r["net_sek"]), a == TOTAL)
            for a in SHOWN if (r := by_actor.get(a)) is not None]
    planned = {str(r["actor"]): r for r in plan}
    plan_rows = [PlanRow(a, whole(r["forecast_investment_sek"]), whole(r["outcome_investment_sek"]),
                         whole(r["forecast_net_sek"]), whole(r["outcome_net_sek"]), a == TOTAL)
                 for a in SHOWN if (r := planned.get(a)) is not None and plain(r.get("actor")) is not None]
    return LifetimeView(available=True, rows=rows, plan=plan_rows, **base)
