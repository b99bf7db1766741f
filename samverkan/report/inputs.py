"""What a report is made from: the computed tables, and where they came from (files, parameters, dates)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from samverkan.national_reference import NationalReference, of_inbox
from samverkan.report.frames import has, records

REPORT_FORMAT_VERSION = "1.0"


@dataclass
class ReportInputs:
    """The tables a report is made from. Anything not yet computed may be ``None``."""

    year: int
    flow: pd.DataFrame | None = None
    projects: pd.DataFrame | None = None
    # Per förbund (project_id ALL), project and actor: the figures and the cumulative year_1..year_N columns.
    ledger: pd.DataFrame | None = None
    ledger_uncertainty: pd.DataFrame | None = None
    ledger_sensitivity: pd.DataFrame | None = None  # per förbund, case and actor: the net (ledger_sensitivity)
    transfers: pd.DataFrame | None = None  # the ledger's break-even transfers (ledger_transfers)
    ledger_kommun: pd.DataFrame | None = None  # the Kommun line per member kommun (ledger_kommun)
    ledger_lifetime: pd.DataFrame | None = None  # per project and actor over its whole life (ledger_lifetime)
    ledger_lifetime_plan: pd.DataFrame | None = None  # plan against outcome (ledger_lifetime_plan.csv)
    success_levels: pd.DataFrame | None = None
    prerequisite_profiles: pd.DataFrame | None = None
    # The outcome aggregates of every förbund (``aggregates.outcome_tables``), unsuppressed: the view builders
    # suppress each förbund's rows. No participant-level rows travel to the render steps.
    breakdown_counts: pd.DataFrame | None = None
    transition_counts: pd.DataFrame | None = None
    outcome_measures: pd.DataFrame | None = None
    project_leavers: pd.DataFrame | None = None  # forbund, project_id, leavers of the year
    quality_summary: pd.DataFrame | None = None
    quality_problems: pd.DataFrame | None = None
    parameters: pd.DataFrame | None = None  # name, value, unit, basis, version
    unit_costs: pd.DataFrame | None = None  # code, actor/amount columns, source, price_year, confidence
    input_files: pd.DataFrame | None = None  # dataset, file, sha256, bytes
    rules_version: str | None = None
    data_date: dt.date | None = None
    software_version: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    # The run's limit to some förbund (empty: the whole inbox), and the national reference it compares with.
    forbund_scope: tuple[str, ...] = ()
    national_reference: NationalReference | None = None
    scenario: str = ""  # the what-if the run is of (pipelines/scenarios.py); "" the official year


def input_fingerprint(inputs: ReportInputs) -> str:
    """SHA-256 over everything the numbers depend on: input file hashes, parameters, catalogue, rules version."""
    digest = hashlib.sha256()
    parts = {
        "files": records(inputs.input_files),
        "parameters": records(inputs.parameters),
        "unit_costs": records(inputs.unit_costs),
        "rules_version": inputs.rules_version,
        "software": inputs.software_version,
        "format": REPORT_FORMAT_VERSION,
    }
    # Only a reference from elsewhere: one computed from these very files adds nothing they do not determine, and
    # a run limited to some förbund then has the full run's fingerprint.
    if inputs.national_reference is not None and not of_inbox(inputs.national_reference, inputs.input_files):
        reference = inputs.national_reference
        parts["national_reference"] = [reference.year, reference.source,
                                       records(reference.table.reset_index())]
    digest.update(json.dumps(parts, sort_keys=True, default=str, ensure_ascii=True).encode())
    return digest.hexdigest()


def latest_data_date(frames: Iterable[pd.DataFrame | None], columns: Iterable[str]) -> dt.date | None:
    """The latest date found in the given columns: the report's 'data as of' date, taken from the data itself."""
    columns = list(columns)
    latest: pd.Timestamp | None = None
    for frame in frames:
        if not has(frame):
            continue
        for column in columns:
            if column in frame.columns:
                value = pd.to_datetime(frame[column], errors="coerce").max()
                if pd.notna(value) and (latest is None or value > latest):
                    latest = value
    return None if latest is None else latest.date()


def input_files_table(record: pd.DataFrame, inbox: Path, profile_file: str = "") -> pd.DataFrame:
    """The inbox files the ingest steps read (``samverkan.inbox``: SHA-256 of the bytes parsed), for the method
    appendix; ``InboxChangedError`` if the inbox no longer holds exactly those files, so a report never lists a
    hash of bytes that were not read."""
    # Imported here: only the step that gathers the report inputs checks the inbox, not every render step.
    from samverkan.inbox import INBOX_COLUMNS, InboxChangedError, inbox_change

    change = inbox_change(Path(inbox), record, profile_file)
    if change is not None:
        raise InboxChangedError(change)
    return record[INBOX_COLUMNS].reset_index(drop=True)
