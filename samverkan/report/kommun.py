"""The Kommun line per member kommun, for the ledger chapter (from ledger_kommun)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from samverkan.ledger.kommun import NO_COLUMNS
from samverkan.privacy import SMALL_COUNT_LIMIT
from samverkan.report.frames import for_forbund, has, whole

NOT_COMPUTED = "Kommunraden per medlemskommun är inte beräknad för den här körningen."


@dataclass(frozen=True)
class KommunRow:
    kommun: str
    own_investment_sek: int | None
    forbund_money_sek: int | None
    investment_sek: int | None
    effect_pv_sek: int | None
    net_sek: int | None
    # 1–4 leavers from the kommun: its effect would show what happened to each of them, so it is not shown.
    withheld: bool = False


@dataclass(frozen=True)
class KommunSection:
    available: bool
    rows: list[KommunRow] = field(default_factory=list)
    reason: str = ""  # Swedish: why the table is missing


def kommun_section(frame: pd.DataFrame | None, forbund: str) -> KommunSection:
    """The förbund's rows of ledger_kommun, or why there are none."""
    if frame is None:
        return KommunSection(False, reason=NOT_COMPUTED)
    own = for_forbund(frame, forbund)
    if not has(own):
        return KommunSection(False, reason=NO_COLUMNS)
    rows = []
    for r in own.to_dict("records"):
        withheld = 0 < (whole(r.get("leavers")) or 0) < SMALL_COUNT_LIMIT
        rows.append(KommunRow(str(r["kommun"]), whole(r["own_investment_sek"]), whole(r["forbund_money_sek"]),
                              whole(r["investment_sek"]), None if withheld else whole(r["effect_pv_sek"]),
                              None if withheld else whole(r["net_sek"]), withheld))
    return KommunSection(True, rows)
