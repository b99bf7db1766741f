"""Check a run's parameters, rules and catalogue files before anything runs.

The CLI calls ``validate_run_files`` and exits 2 on any line; the ledger and success assets load the same
files with the same loaders, so a run launched from the UI fails in its first use with the same lines.

Each ledger step checks the files before it loads them, and a limited run (``--forbund``) runs all of those steps
in one process: the answer is kept per process, keyed by the bytes of every file it read (the given ones and the
shipped ones), so a file changed in between is checked again.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from samverkan.ledger.catalogue import default_catalogue_file, default_prisbasbelopp_file, load_catalogue
from samverkan.ledger.parameters import LedgerParameters, default_parameters_file, load_parameters
from samverkan.manifest import sha256_file
from samverkan.overrides import RunFileError
from samverkan.success.rules import DEFAULT_RULES_FILE, load_rules

_CHECKED: dict[tuple, list[str]] = {}


def run_file_digests(parameters_file: str | Path | None, rules_file: str | Path | None,
                     catalogue_file: str | Path | None) -> dict[str, str]:
    """SHA-256 of the parameters, rules and catalogue files a run reads: the given file, or the shipped one when
    none is given (so a copy of the shipped file is the same file); '' for a file that cannot be read."""
    files = {"parameters_file": (parameters_file, default_parameters_file()),
             "rules_file": (rules_file, DEFAULT_RULES_FILE),
             "catalogue_file": (catalogue_file, default_catalogue_file())}
    return {key: _digest(given or shipped) or "" for key, (given, shipped) in files.items()}


def _lines(exc: Exception) -> list[str]:
    return exc.lines if isinstance(exc, RunFileError) else [str(exc)]


def validate_run_files(parameters_file: str | Path | None, rules_file: str | Path | None,
                       catalogue_file: str | Path | None, year: int,
                       parameter_overrides: Mapping[str, Any] | None = None) -> list[str]:
    """Every problem of the three files (each partial or complete; empty = the shipped one) as Swedish lines.

    ``parameter_overrides`` is the launchpad's document (``parameters_from_overrides``). Empty list = fine.
    """
    key = _content_key(parameters_file, rules_file, catalogue_file, year, parameter_overrides)
    if key is None:
        return _problems(parameters_file, rules_file, catalogue_file, year, parameter_overrides)
    if key not in _CHECKED:
        _CHECKED[key] = _problems(parameters_file, rules_file, catalogue_file, year, parameter_overrides)
    return list(_CHECKED[key])


def _digest(path: str | Path | None) -> str | None:
    """The SHA-256 of a file's bytes; '' for none given, None for one that cannot be read."""
    if not path:
        return ""
    try:
        return sha256_file(Path(path))
    except OSError:
        return None


def _content_key(parameters_file, rules_file, catalogue_file, year: int,
                 overrides: Mapping[str, Any] | None) -> tuple | None:
    files = (parameters_file, rules_file, catalogue_file, default_parameters_file(), DEFAULT_RULES_FILE,
             default_catalogue_file(), default_prisbasbelopp_file())
    digests = tuple(_digest(path) for path in files)
    if None in digests:
        return None  # its line names the problem; nothing to keep
    try:
        document = json.dumps(overrides or {}, sort_keys=True, default=str)
    except (TypeError, ValueError):
        return None
    return (year, tuple(str(p or "") for p in files[:3]), digests, document)


def _problems(parameters_file: str | Path | None, rules_file: str | Path | None, catalogue_file: str | Path | None,
              year: int, parameter_overrides: Mapping[str, Any] | None) -> list[str]:
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
