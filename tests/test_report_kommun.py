"""The Kommun line per member kommun in the report's ledger chapter."""

from __future__ import annotations

from reports.sample import FORBUND, OTHER, sample_inputs
from samverkan.ledger.kommun import NO_COLUMNS
from samverkan.report import build_report_context
from samverkan.report.kommun import NOT_COMPUTED, kommun_section


def test_the_forbund_gets_its_kommuner_summing_to_the_kommun_line() -> None:
    section = build_report_context(sample_inputs(), FORBUND)["kommun_ledger"]
    assert section.available and section.reason == ""
    assert [r.kommun for r in section.rows] == ["Alingsås", "Lerum", "okänd kommun"]
    alingsas = section.rows[0]
    assert (alingsas.own_investment_sek, alingsas.forbund_money_sek, alingsas.investment_sek) == (
        100_000, 390_000, 490_000)
    assert alingsas.net_sek == 2_600_000 - 490_000 == 2_110_000
    # The sample's Kommun line: 750 000 invested, 4 195 385 in present value.
    assert sum(r.investment_sek for r in section.rows) == 750_000
    assert sum(r.effect_pv_sek for r in section.rows) == 4_195_385


def test_without_kommun_columns_the_report_says_why() -> None:
    other = build_report_context(sample_inputs(), OTHER)["kommun_ledger"]
    assert not other.available and other.rows == [] and other.reason == NO_COLUMNS
    assert kommun_section(None, FORBUND).reason == NOT_COMPUTED


def test_a_kommun_with_one_to_four_leavers_shows_no_effect() -> None:
    frame = sample_inputs().ledger_kommun.assign(leavers=[60, 3, 0])
    rows = kommun_section(frame, FORBUND).rows
    assert [r.withheld for r in rows] == [False, True, False]
    lerum = rows[1]
    assert lerum.effect_pv_sek is None and lerum.net_sek is None and lerum.investment_sek == 260_000
