"""Where people went: the year's leavers by occupation before and after the effort.

The leavers are the participant flow's (exited in the report year, ``felregistrering`` left out). An empty
occupation after is counted as the occupation before, as the ledger does; an empty one before as *okänd*. Every
count is suppressed like the rest of the report (``samverkan.suppression``): the totals of each side are
published, so each side's column gets complementary cells, and the before → after cross table is protected
against both its row and its column totals (``suppress_grid``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from samverkan.contract import EXIT_REASON_MISREGISTERED, OCCUPATION
from samverkan.suppression import Cell, protected, suppress_column, suppress_grid, total_cell

UNKNOWN = "okand"
LABELS = {"arbete": "Arbete", "subventionerat_arbete": "Subventionerat arbete", "studier": "Studier",
          "arbetssokande": "Arbetssökande", "ovrigt": "Övrigt", UNKNOWN: "Okänt"}
ORDER = (*OCCUPATION, UNKNOWN)


@dataclass(frozen=True)
class Side:
    code: str
    label: str
    count: Cell


@dataclass(frozen=True)
class Link:
    before: str
    after: str
    count: Cell


@dataclass(frozen=True)
class Transitions:
    leavers: Cell
    before: tuple[Side, ...]
    after: tuple[Side, ...]
    links: tuple[Link, ...]
    # Nothing but the number of leavers is shown: a side or a line of the cross table, even with every cell
    # hidden, would give a small count away through its total.
    withheld: bool = False

    @property
    def any_suppressed(self) -> bool:
        return any(s.count.suppressed for s in (*self.before, *self.after)) or any(
            link.count.suppressed for link in self.links)


def _codes(values: pd.Series, fallback: pd.Series | None = None) -> pd.Series:
    text = values.fillna("").astype("str").str.strip()
    if fallback is not None:
        text = text.where(text != "", fallback)
    return text.where(text.isin(OCCUPATION), UNKNOWN)


def _side(counts: pd.Series) -> tuple[Side, ...]:
    present = [c for c in ORDER if counts.get(c, 0) > 0]
    cells = suppress_column([int(counts[c]) for c in present])
    return tuple(Side(c, LABELS[c], cell) for c, cell in zip(present, cells, strict=True))


def transition_counts(participants: pd.DataFrame, year: int, by: tuple[str, ...] = ()) -> pd.DataFrame:
    """Unsuppressed leavers of ``year`` per group of ``by``, occupation before and after:
    ``*by, before, after, leavers`` (codes; an aggregate for the report's inputs, published only through
    :func:`transitions_from_counts`)."""
    left = participants[(participants["exited_on"].dt.year == year).fillna(False).astype(bool)
                        & (participants["exit_reason"].fillna("") != EXIT_REASON_MISREGISTERED)]
    before = _codes(left["occupation_before"])
    after = _codes(left["occupation_after"], fallback=before)
    frame = pd.DataFrame({**{c: left[c].astype("str") for c in by}, "before": before, "after": after})
    counts = frame.groupby([*by, "before", "after"], sort=True).size().rename("leavers").reset_index()
    return counts.astype({"leavers": "int64"})[[*by, "before", "after", "leavers"]]


def transitions_from_counts(counts: pd.DataFrame) -> Transitions:
    """One group's leavers before → after, suppressed: each side's column against its total, and the cross
    table against both its row and its column totals."""
    pairs = counts.pivot_table(index="before", columns="after", values="leavers", aggfunc="sum", fill_value=0) \
        if len(counts) else pd.DataFrame()
    rows = [b for b in ORDER if b in pairs.index]
    columns = [a for a in ORDER if a in pairs.columns]
    grid = suppress_grid([[int(pairs.loc[b, a]) for a in columns] for b in rows])
    links = tuple(Link(b, a, cell) for b, line in zip(rows, grid, strict=True)
                  # A zero hidden as a complement is listed as hidden: left out, it would read as a known zero.
                  for a, cell in zip(columns, line, strict=True) if int(pairs.loc[b, a]) or cell.suppressed)
    before = counts.groupby("before")["leavers"].sum() if len(counts) else pd.Series(dtype="int64")
    after = counts.groupby("after")["leavers"].sum() if len(counts) else pd.Series(dtype="int64")
    leavers = total_cell(int(counts["leavers"].sum()) if len(counts) else 0)
    sides = _side(before), _side(after)
    # A line of the cross table is checked against its total where that total is published (its side's cell
    # shown); a hidden side cell is protected in its own column, checked last.
    shown = {(key, s.code): s.count for key, side in zip(("before", "after"), sides, strict=True) for s in side}
    lines = [(line, int(before[b])) for b, line in zip(rows, grid, strict=True) if not shown[("before", b)].suppressed]
    lines += [([line[c] for line in grid], int(after[a])) for c, a in enumerate(columns)
              if not shown[("after", a)].suppressed]
    lines += [([s.count for s in side], leavers.value or 0) for side in sides]
    if not leavers.suppressed and not all(protected(cells, total) for cells, total in lines):
        return Transitions(leavers=leavers, before=(), after=(), links=(), withheld=True)
    return Transitions(leavers=leavers, before=sides[0], after=sides[1], links=links)


def transitions(participants: pd.DataFrame, year: int) -> Transitions:
    """Leavers of ``year`` by occupation before → after (one förbund's or one project's episodes)."""
    return transitions_from_counts(transition_counts(participants, year))


def describe(flows: Transitions) -> str:
    """The text alternative of the diagram: the same figures in words."""
    if flows.leavers.value == 0:
        return "Inga deltagare avslutade under året."
    if flows.leavers.suppressed:
        return "Färre än 5 deltagare avslutade under året; fördelningen visas inte."
    if flows.withheld:
        return (f"{flows.leavers.value} deltagare avslutade under året. Fördelningen före och efter insatsen visas "
                "inte: grupperna är så små att ett antal under 5 annars skulle gå att räkna fram.")

    def count(cell: Cell) -> str:
        return str(cell.value) if not cell.suppressed else "dolt" if cell.secondary else "färre än 5"

    def side(sides: tuple[Side, ...]) -> str:
        return ", ".join(f"{s.label.lower()} {count(s.count)}" for s in sides)

    return (f"{flows.leavers.value} deltagare avslutade under året. Före insatsen: {side(flows.before)}. "
            f"Efter insatsen: {side(flows.after)}.")
