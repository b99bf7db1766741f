"""Metadata for the Dagster UI: one way to write a table, a column schema, a preview of failing rows and a link.

Markdown tables so every asset's summary looks alike; ``column_schema`` from the data contract; ``failing_rows``
as Dagster table metadata (the first 50, masked for personnummer); ``links`` as ``file://`` URLs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd
from dagster import (
    MetadataValue,
    TableColumn,
    TableColumnConstraints,
    TableMetadataValue,
    TableRecord,
    TableSchema,
)

from samverkan.contract import Column, Dataset
from samverkan.privacy import mask_personal_numbers
from samverkan.validation_rules import rule_label


def _cell(value: object) -> str:
    # A pipe inside a cell would split it; names come from the data.
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[object]], right: Sequence[int] = ()) -> str:
    """A Markdown table; ``right`` holds the indexes of right-aligned (numeric) columns."""
    rule = "|" + "|".join("---:" if i in right else "---" for i in range(len(header))) + "|"
    lines = ["| " + " | ".join(_cell(h) for h in header) + " |", rule]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


# ------------------------------------------------------------------ table metadata and links for the asset pages

# The contract's types as Dagster's column types (the UI shows them in the asset's column list).
COLUMN_TYPES = {"text": "string", "code": "string", "integer": "int", "decimal": "float", "date": "date",
                "boolean": "bool", "support": "string"}
TYPE_NAMES = {"text": "text", "code": "kod", "integer": "heltal", "decimal": "decimaltal", "date": "datum",
              "boolean": "ja/nej", "support": "försörjningskoder"}
PREVIEW_ROWS = 50
PREVIEW_COLUMNS = (("source_file", "fil", "string"), ("source_row", "rad", "int"), ("column", "kolumn", "string"),
                   ("rule_label", "regel", "string"), ("rule", "regelkod", "string"),
                   ("message", "meddelande", "string"))


def _column_text(column: Column) -> str:
    parts = [TYPE_NAMES[column.type], "obligatorisk" if column.required else "frivillig"]
    if column.codes:
        parts.append("koder: " + ", ".join(column.codes))
    if column.minimum is not None:
        parts.append(f"minst {column.minimum:g}")
    if column.maximum is not None:
        parts.append(f"högst {column.maximum:g}")
    return "; ".join(parts) + f" (exempel: {column.example})"


def column_schema(spec: Dataset) -> TableSchema:
    """The dataset's accepted rows as the contract defines them, plus the provenance every row carries."""
    unique = len(spec.key) == 1
    columns = [TableColumn(c.name, COLUMN_TYPES[c.type], description=_column_text(c),
                           constraints=TableColumnConstraints(nullable=not c.required,
                                                              unique=unique and c.name in spec.key))
               for c in spec.columns]
    columns += [TableColumn("source_file", "string", description="filen i inkorgen som raden lästes från"),
                TableColumn("source_row", "int", description="radnumret i filen (rubriken är rad 1)")]
    return TableSchema(columns=columns)


def failing_rows(problems: pd.DataFrame, limit: int = PREVIEW_ROWS) -> TableMetadataValue:
    """The first ``limit`` problem rows (file, row, column, rule, Swedish message) as a table, masked."""
    frame = problems.head(limit)
    labels = frame["rule"].map(rule_label) if "rule_label" not in frame.columns else frame["rule_label"]
    records = [TableRecord({"source_file": mask_personal_numbers(str(f)), "source_row": int(r),
                            "column": mask_personal_numbers(str(c)), "rule_label": str(label), "rule": str(rule),
                            "message": mask_personal_numbers(str(m))})
               for f, r, c, label, rule, m in zip(frame["source_file"], frame["source_row"], frame["column"],
                                                  labels, frame["rule"], frame["message"], strict=True)]
    schema = TableSchema(columns=[TableColumn(key, kind, description=name) for key, name, kind in PREVIEW_COLUMNS])
    return MetadataValue.table(records, schema)


def file_url(path: str | Path) -> str:
    return Path(path).resolve().as_uri()


def links(**paths: str | Path | None) -> dict[str, MetadataValue]:
    """Absolute paths as ``file://`` links that open from the asset page; a missing path is left out."""
    return {name: MetadataValue.url(file_url(path)) for name, path in paths.items() if path}


def quarantine_schema(columns: Sequence[str]) -> TableSchema:
    return TableSchema(columns=[TableColumn(c, "int" if c == "source_row" else "string") for c in columns])


def absolute(path: str | Path) -> MetadataValue:
    return MetadataValue.path(str(Path(path).resolve()))
