"""Charts of the chapters added for issue 20 (where people went), kept apart from ``render.build_charts``.

Each chart's ``<title>`` is its text alternative and states the same figures as the chapter's sentence; hidden
counts are drawn as thin blocks marked – and their bands are left out.
"""

from __future__ import annotations

from typing import Any

from reports import charts as ch
from reports.formatting import percent, rounded_kronor


def destinations_chart(context: dict[str, Any]) -> ch.Chart | None:
    section = context["destinations"]
    flows = section.flows
    if not section.available or flows is None or not flows.links or flows.leavers.suppressed:
        return None
    before = [ch.FlowSide(s.label, s.count.value) for s in flows.before]
    after = [ch.FlowSide(s.label, s.count.value) for s in flows.after]
    index_before = {s.code: i for i, s in enumerate(flows.before)}
    index_after = {s.code: i for i, s in enumerate(flows.after)}
    links = [(index_before[link.before], index_after[link.after], link.count.value) for link in flows.links
             if not link.count.suppressed and link.count.value]
    # A band needs the counts of both its ends to be drawn to scale.
    links = [(b, a, n) for b, a, n in links if before[b].count and after[a].count]
    title = f"Flödesdiagram, sysselsättning före och efter insatsen för {context['forbund']} {context['year']}. " \
            f"{section.description}"
    height = max(200, 34 * max(len(before), len(after)))
    return ch.flow_diagram(title, before, after, links, height=height)


def parameter_value(value: float, unit: str) -> str:
    """A parameter's value as the sensitivity chapter shows it: a share as percent, a horizon in years."""
    return f"{value:g} år" if unit == "years" else percent(value)


def sensitivity_chart(context: dict[str, Any]) -> ch.Chart | None:
    section = context["sensitivity"]
    if not section.available or not section.parameters:
        return None
    rows = section.parameters
    ends = [(r.net_low, r.net_high) for r in rows]
    tips = [(parameter_value(r.low, r.unit), parameter_value(r.high, r.unit)) for r in rows]
    described = "; ".join(f"{r.label} {tip_low} ger {rounded_kronor(r.net_low)}, {tip_high} ger "
                          f"{rounded_kronor(r.net_high)}" for r, (tip_low, tip_high) in zip(rows, tips, strict=True))
    title = (f"Tornadodiagram, nettot för alla aktörer i {context['forbund']} när en parameter i taget sätts till "
             f"sitt låga och sitt höga värde. Bas {rounded_kronor(section.base)}. {described}.")
    return ch.tornado_chart(title, [r.chart_label for r in rows], section.base, ends, tips, tick_label=rounded_kronor)


def section_charts(context: dict[str, Any]) -> dict[str, ch.Chart | None]:
    return {"destinations": destinations_chart(context), "sensitivity": sensitivity_chart(context)}
