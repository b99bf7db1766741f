"""Where people went: leavers by occupation before and after, suppressed against both sides' totals."""

from __future__ import annotations

import pandas as pd

from samverkan.suppression import suppress_grid
from samverkan.transitions import describe, transitions


def _leavers(pairs: list[tuple[str | None, str | None, int]], year: int = 2024, **extra) -> pd.DataFrame:
    rows = [{"occupation_before": b, "occupation_after": a, "exited_on": f"{year}-06-30", "exit_reason": None,
             **extra} for b, a, n in pairs for _ in range(n)]
    frame = pd.DataFrame(rows)
    frame["exited_on"] = pd.to_datetime(frame["exited_on"])
    return frame


def test_counts_before_and_after_with_unknown_after_taken_as_before():
    frame = pd.concat([_leavers([("arbetssokande", "arbete", 12), ("arbetssokande", None, 8), ("ovrigt", "studier", 6),
                                 ("ovrigt", "ovrigt", 5)]),
                       _leavers([("ovrigt", "arbete", 9)], exit_reason="felregistrering"),
                       _leavers([("ovrigt", "arbete", 9)], year=2023)], ignore_index=True)
    flows = transitions(frame, 2024)
    assert flows.leavers.value == 31
    assert [(s.code, s.count.value) for s in flows.before] == [("arbetssokande", 20), ("ovrigt", 11)]
    assert [(s.code, s.count.value) for s in flows.after] == [("arbete", 12), ("studier", 6),
                                                                ("arbetssokande", 8), ("ovrigt", 5)]
    assert {(link.before, link.after): link.count.value for link in flows.links} == {
        ("arbetssokande", "arbete"): 12, ("arbetssokande", "arbetssokande"): 8, ("ovrigt", "studier"): 6,
        ("ovrigt", "ovrigt"): 5}
    assert "31 deltagare avslutade" in describe(flows) and "arbete 12" in describe(flows)


def test_a_small_link_is_hidden_with_complements_in_its_row_and_its_column():
    flows = transitions(_leavers([("arbetssokande", "arbete", 17), ("arbetssokande", "ovrigt", 3),
                                  ("ovrigt", "arbete", 10), ("ovrigt", "ovrigt", 9)]), 2024)
    cells = {(link.before, link.after): link.count for link in flows.links}
    assert cells[("arbetssokande", "ovrigt")].suppressed
    # 20 - 17 = 3 and 12 - 9 = 3 would give it away: its row and its column get a complement each.
    assert cells[("arbetssokande", "arbete")].suppressed and cells[("ovrigt", "ovrigt")].suppressed
    assert flows.any_suppressed


def test_grid_lines_each_keep_at_least_two_hidden_cells_or_none():
    grid = [[17, 3, 0], [10, 9, 6], [0, 0, 12]]
    cells = suppress_grid(grid)
    for line in [*cells, *map(list, zip(*cells, strict=True))]:
        assert sum(c.suppressed for c in line) != 1


def test_few_leavers_are_described_without_numbers():
    flows = transitions(_leavers([("ovrigt", "arbete", 3)]), 2024)
    assert flows.leavers.suppressed and describe(flows).startswith("Färre än 5")
    assert describe(transitions(_leavers([("ovrigt", "arbete", 3)]), 2020)) == "Inga deltagare avslutade under året."


def test_flow_diagram_labels_every_block_with_its_count_and_draws_only_shown_links():
    from reports.charts import FlowSide, flow_diagram

    before = [FlowSide("Arbetssökande", 20), FlowSide("Övrigt", 11)]
    after = [FlowSide("Arbete", 12), FlowSide("Studier", 6), FlowSide("Övrigt", None)]
    chart = flow_diagram("Före och efter insatsen", before, after, [(0, 0, 12), (1, 1, 6)])
    assert chart.svg.count("<path ") == 2
    for label in ("Arbetssökande 20", "Övrigt 11", "Arbete 12", "Studier 6", "Övrigt –"):
        assert f">{label}</text>" in chart.svg
    assert chart.svg == flow_diagram("Före och efter insatsen", before, after, [(0, 0, 12), (1, 1, 6)]).svg


def test_a_cross_table_whose_totals_decide_its_hidden_cells_is_withheld():
    # 4 + 4 leavers from one occupation before: the side's total 8 decides both hidden links.
    flows = transitions(_leavers([("ovrigt", "arbete", 4), ("ovrigt", "studier", 4)]), 2024)
    assert flows.withheld and flows.links == () and flows.before == () and flows.leavers.value == 8
    assert "visas inte" in describe(flows) and "4" not in describe(flows)
