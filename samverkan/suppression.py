"""Small counts hidden so that they cannot be worked out again.

Primary suppression hides every count from 1 to 4 (``privacy.SMALL_COUNT_LIMIT``). That alone is not enough in a
table whose total is published (the breakdowns' totals are the participant flow's): one hidden cell is the total
minus the cells shown, and two hidden cells that must add up to 2 are both 1. So a column gets complementary
cells, smallest first, until every hidden small count has at least two values that agree with the total and the
cells shown. Where even hiding every cell is not enough (:func:`protected`), the line is withheld. A share is hidden
when either of its counts is.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from samverkan.privacy import SMALL_COUNT_LIMIT


@dataclass(frozen=True)
class Cell:
    """One published count, or a share computed from counts: ``value`` is None when it is suppressed or missing."""

    value: int | float | None
    suppressed: bool
    secondary: bool = False  # hidden only so that a small neighbour cannot be worked out


def primary(count: int) -> bool:
    return 0 < count < SMALL_COUNT_LIMIT


def _feasible_values(counts: list[int], hidden: list[bool], secondary: list[bool]) -> list[set[int]]:
    """For each hidden primary cell, every value a reader could give it from the total and the cells shown.

    A reader knows a primary cell is 1..4 and a secondary one is 0 or at least 5 (else it would be primary).
    Columns have a handful of rows, so the 4^k fillings of the primary cells are enumerated.
    """
    rest = sum(c for c, h in zip(counts, hidden, strict=True) if h)
    primaries = [i for i, (h, s) in enumerate(zip(hidden, secondary, strict=True)) if h and not s]
    complements = sum(secondary)
    seen: list[set[int]] = [set() for _ in primaries]
    for combo in itertools.product(range(1, SMALL_COUNT_LIMIT), repeat=len(primaries)):
        left = rest - sum(combo)
        if left == 0 or (complements and left >= SMALL_COUNT_LIMIT):
            for values, value in zip(seen, combo, strict=True):
                values.add(value)
    return seen


def _complete(counts: list[int], hidden: list[bool], secondary: list[bool]) -> bool:
    """Add complementary cells to one line (in place) until no hidden small count in it is determined by the
    line's published total and its shown cells. Returns whether a cell was added."""
    added = False
    # A line with a single hidden cell gives that cell away, complementary or not (in a grid, a complement
    # given away in its column gives the small count away in its row).
    while sum(hidden) == 1 or (any(hidden) and any(len(v) < 2 for v in _feasible_values(counts, hidden, secondary))):
        # Prefer the smallest non-zero cell; a zero only when nothing else is left.
        candidates = sorted((c == 0, c, i) for i, c in enumerate(counts) if not hidden[i])
        if not candidates:
            break  # every cell hidden: what is left to know is the total itself
        index = candidates[0][2]
        hidden[index] = secondary[index] = True
        added = True
    return added


def protected(cells: Sequence[Cell], total: int) -> bool:
    """Whether a reader who sees the shown cells, which hidden cells are small and the line's total can work out
    no small count. Complementary cells fail when everything is hidden and the total still decides the cells
    (two small cells that add up to 8 are both 4): such a line must not be published at all."""
    hidden = [c.suppressed for c in cells]
    if not any(hidden):
        return True
    counts = [0 if c.suppressed else int(c.value or 0) for c in cells]
    # Only the hidden cells' sum matters to the reader: put it in the first hidden cell.
    counts[hidden.index(True)] = total - sum(counts)
    return all(len(values) >= 2 for values in _feasible_values(counts, hidden, [c.secondary for c in cells]))


def suppress_column(counts: list[int]) -> list[Cell]:
    """The column's cells with primary suppression and, since its total is published, complementary cells
    until no hidden small count is determined by the total and the cells shown."""
    hidden = [primary(c) for c in counts]
    secondary = [False] * len(counts)
    _complete(counts, hidden, secondary)
    return [Cell(None if h else int(c), h, s) for c, h, s in zip(counts, hidden, secondary, strict=True)]


def suppress_grid(grid: list[list[int]]) -> list[list[Cell]]:
    """A cross table whose row and column totals are published: every row and every column is completed in
    turn until neither gains a hidden cell (each line is protected against its own total)."""
    hidden = [[primary(c) for c in row] for row in grid]
    secondary = [[False] * len(row) for row in grid]
    columns = range(len(grid[0])) if grid else range(0)
    changed = True
    while changed:
        changed = False
        for r, row in enumerate(grid):
            changed |= _complete(row, hidden[r], secondary[r])
        for c in columns:
            line_hidden = [hidden[r][c] for r in range(len(grid))]
            line_secondary = [secondary[r][c] for r in range(len(grid))]
            if _complete([row[c] for row in grid], line_hidden, line_secondary):
                changed = True
                for r in range(len(grid)):
                    hidden[r][c], secondary[r][c] = line_hidden[r], line_secondary[r]
    return [[Cell(None if h else int(v), h, s) for v, h, s in zip(row, hs, ss, strict=True)]
            for row, hs, ss in zip(grid, hidden, secondary, strict=True)]


def suppress_frame(frame: pd.DataFrame, columns: list[str]) -> dict[str, list[Cell]]:
    """Each count column of a breakdown (one row per category, the total shown apart) suppressed on its own."""
    return {column: suppress_column([int(v) for v in frame[column]]) for column in columns}


def total_cell(count: int) -> Cell:
    """A total is suppressed only when it is itself small."""
    return Cell(None if primary(count) else int(count), primary(count))
