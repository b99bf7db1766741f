"""The method appendix: parameters, the unit-cost catalogue, versions and the input files with their hashes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from samverkan.ledger.actors import ACTORS
from samverkan.ledger.catalogue import AMOUNT_COLUMNS
from samverkan.privacy import SMALL_COUNT_LIMIT
from samverkan.report.frames import has, plain, records, whole
from samverkan.report.inputs import ReportInputs
from samverkan.report.labels import CONFIDENCE_NAMES, OCCUPATION_NAMES

# The catalogue's amount columns, in the actors' order.
ACTOR_AMOUNT_COLUMNS = dict(zip(AMOUNT_COLUMNS, ACTORS, strict=True))


@dataclass(frozen=True)
class UnitCostRow:
    code: str
    occupation: str
    amounts: list[float | None]  # one per MethodSection.unit_cost_actors
    price_year: int | None
    confidence: str | None
    source: str | None


@dataclass(frozen=True)
class Entry:
    name: str
    value: Any


@dataclass(frozen=True)
class MethodSection:
    # Rows of the parameter table as the report asset gathered them (group, parameter, value, basis, version).
    parameters: list[dict[str, Any]]
    unit_cost_actors: list[str]
    unit_costs: list[UnitCostRow]
    rules_version: str | None
    input_files: list[dict[str, Any]]  # dataset, file, sha256, bytes
    software_version: str
    small_count_limit: int
    extra: list[Entry] = field(default_factory=list)  # further versions and file hashes, by name


def unit_cost_rows(catalogue: pd.DataFrame | None) -> tuple[list[str], list[UnitCostRow]]:
    """The unit-cost catalogue as (actor columns, rows with amounts in actor order, source, price year, confidence)."""
    if not has(catalogue):
        return [], []
    columns = [c for c in ACTOR_AMOUNT_COLUMNS if c in catalogue.columns]
    rows = []
    for rec in catalogue.to_dict("records"):
        occupation = plain(rec.get("occupation")) or ""
        confidence = plain(rec.get("confidence"))
        rows.append(UnitCostRow(
            code=plain(rec.get("support_code", rec.get("code"))) or "",
            occupation=OCCUPATION_NAMES.get(occupation, occupation),
            amounts=[None if plain(rec.get(c)) in (None, "") else float(rec[c]) for c in columns],
            price_year=whole(rec.get("price_year")) if plain(rec.get("price_year")) not in (None, "") else None,
            confidence=CONFIDENCE_NAMES.get(str(confidence), confidence),
            source=plain(rec.get("source")),
        ))
    return [ACTOR_AMOUNT_COLUMNS[c] for c in columns], rows


def method_section(inputs: ReportInputs) -> MethodSection:
    unit_cost_actors, unit_costs = unit_cost_rows(inputs.unit_costs)
    return MethodSection(
        parameters=records(inputs.parameters),
        unit_cost_actors=unit_cost_actors,
        unit_costs=unit_costs,
        rules_version=inputs.rules_version,
        input_files=records(inputs.input_files),
        software_version=inputs.software_version,
        small_count_limit=SMALL_COUNT_LIMIT,
        extra=[Entry(k, v) for k, v in sorted(inputs.extra.items())],
    )
