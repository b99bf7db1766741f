"""A run limited to some förbund: which names are known, the validated datasets cut to them, whether the
inbox is the one a full run validated, and whose national reference a scenario's limited run reads.

The cut keeps a förbund's projects and every row that references them (costs, episodes, events, assessments),
so what is computed from the cut for a förbund is what the full run computes for it from the whole inbox, except
what compares förbund with each other: the benchmarks read the national reference instead
(``samverkan.national_reference``).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from samverkan.inbox import inbox_as_now
from samverkan.national_reference import FINGERPRINT_COLUMNS

# The validated datasets a förbund's computations read, by how they are cut.
BY_FORBUND = ("projects",)
BY_PROJECT = ("project_costs", "participants", "project_events", "project_assessments")


class ScopeError(ValueError):
    """Requested förbund that the inbox does not have; ``str`` is the one Swedish line to show."""


def known_forbund(projects: pd.DataFrame) -> list[str]:
    return sorted({str(name) for name in projects["forbund"].dropna()}) if "forbund" in projects.columns else []


def resolve_forbund(requested: Iterable[str], known: Iterable[str]) -> list[str]:
    """The requested förbund, each once and in the given order; an unknown name is refused with the known names
    and, for a near miss (a typo, another case), the name meant."""
    known = sorted(set(known))
    by_folded = {name.casefold(): name for name in known}
    chosen: list[str] = []
    for name in requested:
        name = name.strip()
        if name in known:
            chosen.append(name)
            continue
        # A typo or another case; or the name without "Samordningsförbundet" (the one known name holding it).
        holding = [k for k in known if name.casefold() and name.casefold() in k.casefold()]
        near = by_folded.get(name.casefold()) or (holding[0] if len(holding) == 1 else None) or next(
            iter(difflib.get_close_matches(name, known, n=1, cutoff=0.6)), None)
        hint = f"; menade du {near}?" if near else "."
        listed = ", ".join(known) if known else "inga (inkorgen har inga godkända insatser)"
        raise ScopeError(f"förbundet {name!r} finns inte i årets insatser{hint} Kända förbund: {listed}")
    return list(dict.fromkeys(chosen))


def cut_to_forbund(frames: Mapping[str, pd.DataFrame], names: Iterable[str]) -> dict[str, pd.DataFrame]:
    """The validated datasets in ``frames`` limited to ``names``; datasets not read by förbund pass unchanged."""
    names = set(names)
    projects = frames["projects"]
    project_ids = set(projects.loc[projects["forbund"].isin(names), "project_id"])
    out: dict[str, pd.DataFrame] = {}
    for dataset, frame in frames.items():
        if dataset in BY_FORBUND:
            out[dataset] = frame[frame["forbund"].isin(names)].reset_index(drop=True)
        elif dataset in BY_PROJECT and "project_id" in frame.columns:
            out[dataset] = frame[frame["project_id"].isin(project_ids)].reset_index(drop=True)
        else:
            out[dataset] = frame
    return out


def inbox_fingerprint(inbox: Path) -> pd.DataFrame:
    """Name, size and SHA-256 of every file the ingest reads from ``inbox``, in contract order (the method
    appendix's table of input files)."""
    return inbox_as_now(Path(inbox))[FINGERPRINT_COLUMNS]


def scenario_reference(table: pd.DataFrame, scenario: str, official: bool) -> pd.DataFrame:
    """A full run's national reference as a limited run of ``scenario`` reads it: the source line says whether the
    national figures are the scenario's own full run's, or the official year's (computed with the official
    parameters, rules and unit costs, not the scenario's)."""
    source = str(table["source"].iloc[0]) if len(table) else ""
    if official:
        source = (f"{source}, i det officiella året: scenariot {scenario} har ingen egen fullständig körning av "
                  "året, så de nationella talen är det officiella årets, beräknade med dess parametrar, regler och "
                  "enhetskostnader och inte med scenariots")
    else:
        source = f"{source}, i scenariot {scenario} (med scenariots parametrar, regler och enhetskostnader)"
    return table.assign(source=source)
