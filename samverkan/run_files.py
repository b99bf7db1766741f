"""Check a run's parameters, rules and catalogue files before anything runs.

The CLI calls ``validate_run_files`` and exits 2 on any line; the ledger and success assets load the same
files with the same loaders, so a run launched from the UI fails in its first use with the same lines.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from samverkan.ledger.catalogue import load_catalogue
from samverkan.ledger.parameters import LedgerParameters, load_parameters
from samverkan.overrides import RunFileError
from samverkan.success.rules import load_rules


def _lines(exc: Exception) -> list[str]:
    return exc.lines if isinstance(exc, RunFileError) else [str(exc)]


def validate_run_files(parameters_file: str | Path | None, rules_file: str | Path | None,
                       catalogue_file: str | Path | None, year: int,
                       parameter_overrides: Mapping[str, Any] | None = None) -> list[str]:
    """Every problem of the three files (each partial or complete; empty = the shipped one) as Swedish lines.

    ``parameter_overrides`` is the launchpad's document (``parameters_from_overrides``). Empty list = fine.
    """
    lines: list[str] = []
    parameters: LedgerParameters | None = None
    try:
        parameters = load_parameters(parameters_file or None, parameter_overrides)
    except (OSError, ValueError) as exc:
        lines += _lines(exc)
    try:
        # With a broken parameters file the rules are still checked, against the shipped p0.
        load_rules(rules_file or None, parameters=parameters or load_parameters())
    except (OSError, ValueError) as exc:
        lines += _lines(exc)
    try:
        load_catalogue(year, catalogue_file or None)
    except FileNotFoundError:
        lines.append(f"katalogfilen {catalogue_file} finns inte")
    except (OSError, ValueError) as exc:
        lines += _lines(exc)
    return lines
