"""Present value as the field computes it: the first year undiscounted, cumulative by year.

Year n of the cumulative present value is Σ_{k=0}^{n-1} a_k / (1 + r)^k, where a_k is
the amount of year k + 1. With a constant yearly amount a that decays by drop-off d
per year, a_k = a (1 - d)^k, so the cumulative value is a × C_n with the factors
``cumulative_factors(r, N, d)`` — which is what lets the ledger and the Monte Carlo
keep one number per contribution.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd

from samverkan.ledger.actors import ACTORS, TOTAL, actor_names

# Beyond this a krona amount is no money anyone has: int64 would wrap (to -9 223 372 036 854 775 808 kr), so the
# cast refuses it instead. Far above any real sum, with headroom for the totals built from it.
MAX_KRONOR = 2.0**62


def whole_number_guard(values: np.ndarray, what: str) -> np.ndarray:
    """``values`` as float64, or a Swedish ValueError if any is NaN, infinite or too large for int64."""
    values = np.asarray(values, dtype="float64")
    bad = ~np.isfinite(values) | (np.abs(np.nan_to_num(values, nan=0.0)) >= MAX_KRONOR)
    if bad.any():
        example = values[bad].flat[0]
        raise ValueError(f"{what} kan inte räknas: värdet {example!r} är inte ett ändligt belopp "
                         f"(högst {MAX_KRONOR:.3g}); rätta indata och kör igen")
    return values


def round_kronor(values: np.ndarray | float) -> np.ndarray:
    """Whole kronor, halves away from zero (as accounts round), as int64; impossible amounts raise."""
    values = whole_number_guard(np.asarray(values, dtype="float64"), "beloppet")
    return (np.sign(values) * np.floor(np.abs(values) + 0.5)).astype("int64")


def discount_factors(rate: float, years: int) -> np.ndarray:
    """1 / (1 + r)^k for k = 0..years-1 (year 1 undiscounted)."""
    if years < 1:
        raise ValueError("antal år måste vara minst 1")
    if rate <= -1:
        raise ValueError("diskonteringsräntan måste vara större än -1")
    return 1.0 / (1.0 + rate) ** np.arange(years)


def cumulative_pv(flows: np.ndarray, rate: float) -> np.ndarray:
    """Cumulative present value along the last axis (one column per year)."""
    flows = np.asarray(flows, dtype="float64")
    return np.cumsum(flows * discount_factors(rate, flows.shape[-1]), axis=-1)


def cumulative_factors(rate: float, years: int, drop_off: float | np.ndarray = 0.0) -> np.ndarray:
    """C_n = Σ_{k<n} ((1 - d) / (1 + r))^k for n = 1..years; vectorised over an array of drop-offs.

    With an array of drop-offs of shape (S,) the result has shape (S, years).
    """
    decay = 1.0 - np.asarray(drop_off, dtype="float64")[..., None]
    terms = decay ** np.arange(years) * discount_factors(rate, years)
    return np.cumsum(terms, axis=-1)


def read_flows(path: Path | str | io.StringIO, years: int) -> pd.DataFrame:
    """Yearly amounts per actor from ``actor,amount_sek`` or ``actor,year,amount_sek``.

    Comma- or semicolon-separated, UTF-8 with or without BOM; amounts may use a decimal comma.
    Returns a frame indexed by actor (in ledger order, only actors that appear) with
    columns 1..years. The first form repeats the amount every year; in the second,
    years not given are 0 and several rows for the same actor and year are added.
    """
    text = path.read() if isinstance(path, io.StringIO) else Path(path).read_bytes().decode("utf-8-sig")
    header = text.split("\n", 1)[0]
    # Excel in Swedish writes semicolons and decimal commas.
    frame = pd.read_csv(io.StringIO(text), dtype="str", skipinitialspace=True, sep=";" if ";" in header else ",")
    frame.columns = [c.strip().lower() for c in frame.columns]
    if "actor" not in frame.columns or "amount_sek" not in frame.columns:
        raise ValueError("filen ska ha kolumnerna actor,amount_sek eller actor,year,amount_sek")
    frame = frame.dropna(how="all")
    actors = actor_names(frame["actor"].str.strip())
    if (actors == TOTAL).any():
        raise ValueError("Summa räknas fram; ange den inte i filen")
    amounts = pd.to_numeric(frame["amount_sek"].str.replace(r"[\s\u00a0]", "", regex=True)
                            .str.replace(",", ".", regex=False), errors="raise")
    if "year" in frame.columns:
        year = pd.Series(whole_number_guard(pd.to_numeric(frame["year"], errors="raise").to_numpy(), "året"),
                         index=frame.index).astype("int64")
        if (year < 1).any():
            raise ValueError("år numreras från 1")
    else:
        year = None
    present = [a for a in ACTORS if a in set(actors.astype("str"))]
    table = pd.DataFrame(0.0, index=pd.Index(present, name="actor"), columns=range(1, years + 1))
    if year is None:
        per_actor = amounts.groupby(actors.astype("str").to_numpy()).sum()
        for actor, amount in per_actor.items():
            table.loc[actor, :] = amount
    else:
        keep = (year <= years).to_numpy()
        sums = amounts[keep].groupby([actors.astype("str").to_numpy()[keep], year[keep].to_numpy()]).sum()
        for (actor, y), amount in sums.items():
            table.loc[actor, y] = amount
    return table


def pv_table(flows: pd.DataFrame, rate: float) -> pd.DataFrame:
    """Cumulative present values per actor plus ``Summa`` (computed before rounding)."""
    values = cumulative_pv(flows.to_numpy(), rate)
    table = pd.DataFrame(values, index=flows.index, columns=flows.columns)
    table.loc[TOTAL] = values.sum(axis=0)
    return table


def format_pv_csv(table: pd.DataFrame) -> str:
    """CSV text: header ``actor,1,…,N``, whole kronor, no thousands separators."""
    rounded = round_kronor(table.to_numpy())
    lines = ["actor," + ",".join(str(c) for c in table.columns)]
    for actor, row in zip(table.index, rounded, strict=True):
        lines.append(actor + "," + ",".join(str(v) for v in row))
    return "\n".join(lines) + "\n"


def ledger_command(flows_file: str | Path, rate: float, years: int) -> str:
    """What ``samverkan ledger --flows FILE --rate R --years N`` prints."""
    if not -1 < rate < 1:
        raise ValueError(f"räntan anges som decimaltal, t.ex. 0.04 för 4 %; fick {rate}")
    return format_pv_csv(pv_table(read_flows(flows_file, years), rate))
