"""The sensitivity chapter's view and tornado chart, on the sample inputs."""

from __future__ import annotations

from reports import charts as ch
from reports.formatting import rounded_kronor
from reports.sample import FORBUND, sample_inputs
from reports.section_charts import sensitivity_chart
from samverkan.report.context import build_report_context
from samverkan.report.sensitivity import sensitivity_section


def test_section_is_widest_first_and_its_base_is_the_ledgers_net() -> None:
    inputs = sample_inputs()
    section = sensitivity_section(inputs.ledger_sensitivity, FORBUND)
    ledger = inputs.ledger
    summa = ledger[(ledger["forbund"] == FORBUND) & (ledger["project_id"] == "ALL") & (ledger["actor"] == "Summa")]
    assert section.base == round(summa["net_sek"].item())
    spreads = [r.spread for r in section.parameters]
    assert spreads == sorted(spreads, reverse=True) and len(spreads) == 7
    assert section.parameters[0].parameter == "horizon_years"  # 3 to 10 years moves the sample the most
    assert section.ten_years == section.parameters[0].net_high
    total = section.cases[-1]
    assert total.is_total and total.pessimistic < total.base < total.optimistic
    assert [c.actor for c in section.cases[:-1]] == list(section.members)


def test_missing_table_gives_an_unavailable_section() -> None:
    assert not sensitivity_section(None, FORBUND).available


def test_tornado_labels_every_tip_and_says_it_in_its_title() -> None:
    context = build_report_context(sample_inputs(), FORBUND)
    chart = sensitivity_chart(context)
    assert chart is not None
    section = context["sensitivity"]
    for row in section.parameters:
        assert rounded_kronor(row.net_low) in chart.alt and rounded_kronor(row.net_high) in chart.alt
        assert f"{row.chart_label}</text>" in chart.svg
    assert chart.svg.count("<rect") == 2 * len(section.parameters) + 2  # two bars a row and the legend's two
    assert f"Bas: {rounded_kronor(section.base)}" in chart.svg
    assert chart.svg.startswith("<svg") and "<title>Tornadodiagram" in chart.svg


def test_tornado_bars_run_from_the_base() -> None:
    chart = ch.tornado_chart("t", ["A"], 100.0, [(50.0, 200.0)], [("låg", "hög")], width=400)
    # The upper bar ends at the base, the lower begins there: both share one x.
    rects = [part for part in chart.svg.split("<rect")[1:3]]
    x_low = float(rects[0].split('x="')[1].split('"')[0]) + float(rects[0].split('width="')[1].split('"')[0])
    x_high = float(rects[1].split('x="')[1].split('"')[0])
    assert abs(x_low - x_high) < 0.02
    assert "låg: 50</text>" in chart.svg and "hög: 200</text>" in chart.svg
