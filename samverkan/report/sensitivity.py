"""The sensitivity chapter: the förbund's net at each uncertain parameter's low and high end, and three cases."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from samverkan.ledger.actors import MEMBERS, TOTAL
from samverkan.ledger.results import ALL_PROJECTS
from samverkan.report.frames import for_forbund, has

# Parameter → Swedish label for the table, a short one for the chart, and how its value is shown (percent: a
# share; years: whole years).
PARAMETER_LABELS = {
    "discount_rate": ("Diskonteringsränta", "Diskonteringsränta", "percent"),
    "p0": ("Andel som ändå hade nått arbete eller studier (p0)", "Dödvikt, arbete/studier", "percent"),
    "other_outcomes": ("Andel andra utfall som ändå hade skett", "Dödvikt, andra utfall", "percent"),
    "drop_off": ("Avtagande effekt per år", "Avtagande effekt", "percent"),
    "unit_cost_level": ("Nivå på enhetskostnaderna", "Enhetskostnader", "percent"),
    "attribution": ("Andel av förändringen som tillskrivs insatserna", "Tillskrivning", "percent"),
    "horizon_years": ("Horisont", "Horisont", "years"),
}
SHOWN_ACTORS = (*MEMBERS, TOTAL)


@dataclass(frozen=True)
class ParameterRow:
    """One bar of the tornado: the net (all actors) at the parameter's low and high end."""

    parameter: str
    label: str
    chart_label: str
    unit: str  # percent | years
    low: float
    high: float
    net_low: int
    net_high: int
    members_low: tuple[int, ...]  # per member, MEMBERS order
    members_high: tuple[int, ...]

    @property
    def spread(self) -> int:
        return abs(self.net_high - self.net_low)


@dataclass(frozen=True)
class CaseRow:
    """One actor's net in the pessimistic, base and optimistic cases."""

    actor: str
    pessimistic: int
    base: int
    optimistic: int
    is_total: bool


@dataclass(frozen=True)
class SensitivitySection:
    available: bool
    base: int | None = None  # the net for all actors at the parameters' values (the ledger's net)
    parameters: tuple[ParameterRow, ...] = ()  # widest spread first, as the tornado draws them
    cases: tuple[CaseRow, ...] = ()
    members: tuple[str, ...] = MEMBERS
    ten_years: int | None = None  # the net for all actors at a ten-year horizon, when the range reaches it


def _nets(frame: pd.DataFrame, case: str, parameter: str = "") -> dict[str, int]:
    rows = frame[(frame["case"] == case) & (frame["parameter"] == parameter)]
    return {str(a): int(v) for a, v in zip(rows["actor"], rows["net_sek"], strict=True)}


def sensitivity_section(table: pd.DataFrame | None, forbund: str) -> SensitivitySection:
    """The chapter's figures for one förbund from the ``ledger_sensitivity`` table."""
    frame = for_forbund(table, forbund)
    if not has(frame):
        return SensitivitySection(available=False)
    frame = frame[frame["project_id"].astype("str") == ALL_PROJECTS]
    frame = frame.assign(actor=frame["actor"].astype("str"), case=frame["case"].astype("str"),
                         parameter=frame["parameter"].fillna("").astype("str"))
    base = _nets(frame, "base")
    if TOTAL not in base:
        return SensitivitySection(available=False)
    rows = []
    for name, (label, chart_label, unit) in PARAMETER_LABELS.items():
        low, high = _nets(frame, "low", name), _nets(frame, "high", name)
        if TOTAL not in low or TOTAL not in high:
            continue
        values = frame[(frame["parameter"] == name)].drop_duplicates("case").set_index("case")["value"]
        rows.append(ParameterRow(
            parameter=name, label=label, chart_label=chart_label, unit=unit,
            low=float(values["low"]), high=float(values["high"]), net_low=low[TOTAL], net_high=high[TOTAL],
            members_low=tuple(low.get(m, 0) for m in MEMBERS), members_high=tuple(high.get(m, 0) for m in MEMBERS)))
    # Widest first; ties in the parameters file's order, so the chart is the same every run.
    rows.sort(key=lambda r: -r.spread)
    pessimistic, optimistic = _nets(frame, "pessimistic"), _nets(frame, "optimistic")
    cases = tuple(CaseRow(actor, pessimistic.get(actor, 0), base.get(actor, 0), optimistic.get(actor, 0),
                          actor == TOTAL) for actor in SHOWN_ACTORS)
    horizon = next((r for r in rows if r.parameter == "horizon_years"), None)
    ten = horizon.net_high if horizon is not None and horizon.high == 10 else None
    return SensitivitySection(available=True, base=base[TOTAL], parameters=tuple(rows), cases=cases, ten_years=ten)
