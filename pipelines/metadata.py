"""Metadata for the Dagster UI: one way to write a table, a column schema, a preview of failing rows and a link,
and the last gate every run-time string passes on its way into the instance.

Markdown tables so every asset's summary looks alike; ``column_schema`` from the data contract; ``failing_rows``
as Dagster table metadata (the first 50, masked for personnummer); ``links`` as ``file://`` URLs.

The gate (``gated`` for metadata, ``gated_log`` for log lines, ``failure`` for a ``Failure``, ``last_gate`` for a
check's description, ``gated_errors`` for an error raised anywhere in a step) sits here because this is where
the assets' strings turn into Dagster's values: what the event log stores is what passed
``samverkan.privacy.last_gate``. A value the gate cannot read (an object it does not know, bytes) is refused
rather than let through; tests/test_gate_wiring.py keeps the assets from bypassing it.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from urllib.parse import quote, unquote

import pandas as pd
from dagster import (
    BoolMetadataValue,
    DagsterAssetMetadataValue,
    Failure,
    FloatMetadataValue,
    IntMetadataValue,
    JsonMetadataValue,
    MarkdownMetadataValue,
    MetadataValue,
    NullMetadataValue,
    PathMetadataValue,
    TableColumn,
    TableColumnConstraints,
    TableMetadataValue,
    TableRecord,
    TableSchema,
    TableSchemaMetadataValue,
    TextMetadataValue,
    TimestampMetadataValue,
    UrlMetadataValue,
)

from samverkan.contract import Column, Dataset
from samverkan.privacy import PersonalNumberError, contains_personal_number, last_gate, mask_personal_numbers
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


# ------------------------------------------------------------------ the last gate for what the instance stores

# Values that hold no text: passed as they are.
_PLAIN = (IntMetadataValue, FloatMetadataValue, BoolMetadataValue, NullMetadataValue, TimestampMetadataValue,
          DagsterAssetMetadataValue)


def _gated_data(value: object) -> object:
    """JSON-like data (a JSON value, a table cell) with every string through the gate, keys too."""
    if isinstance(value, str):
        return last_gate(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Mapping):
        return {last_gate(k) if isinstance(k, str) else k: _gated_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_gated_data(v) for v in value]
    return _refused(value)


def _refused(value: object) -> object:
    # Fail closed: an object the gate cannot walk passes only if its printed form holds nothing.
    if isinstance(value, bytes | bytearray | memoryview) or contains_personal_number(repr(value)):
        raise PersonalNumberError(f"ett metadatavärde av typen {type(value).__name__} kan inte granskas för "
                                  "personnummer; körningen stoppas")
    return value


def _gated_url(url: str) -> str:
    # A file name is percent-encoded in a file:// link (an en dash as %E2%80%93): the gate reads the decoded form.
    decoded = unquote(url)
    return url if last_gate(decoded) == decoded else quote(last_gate(decoded), safe=":/#?&=")


def _gated_schema(schema: TableSchema) -> TableSchema:
    return TableSchema(columns=[TableColumn(last_gate(c.name), c.type, description=c.description and
                                            last_gate(c.description), constraints=c.constraints, tags=c.tags)
                                for c in schema.columns], constraints=schema.constraints)


def _gated_value(value: object) -> object:
    if value is None or isinstance(value, (bool, int, float, *_PLAIN)):
        return value
    if isinstance(value, str):
        return last_gate(value)
    if isinstance(value, MarkdownMetadataValue):
        return MetadataValue.md(last_gate(value.md_str))
    if isinstance(value, TextMetadataValue):
        return MetadataValue.text(last_gate(value.text))
    if isinstance(value, PathMetadataValue):
        return MetadataValue.path(last_gate(value.path))
    if isinstance(value, UrlMetadataValue):
        return MetadataValue.url(_gated_url(value.url))
    if isinstance(value, JsonMetadataValue):
        return MetadataValue.json(_gated_data(value.data))
    if isinstance(value, TableMetadataValue):
        return MetadataValue.table([TableRecord(_gated_data(dict(r.data))) for r in value.records],
                                   _gated_schema(value.schema))
    if isinstance(value, TableSchemaMetadataValue):
        return MetadataValue.table_schema(_gated_schema(value.schema))
    if isinstance(value, Mapping | list | tuple):
        return _gated_data(value)
    return _refused(value)


def gated(metadata: Mapping[str, object] | None) -> dict[str, object]:
    """Run-time metadata with every string through ``last_gate``: plain text, Markdown, paths, links (decoded),
    JSON and table rows; a value that cannot be made safe stops the run with ``PersonalNumberError``."""
    out: dict[str, object] = {}
    for key, value in (metadata or {}).items():
        try:
            out[last_gate(key)] = _gated_value(value)
        except PersonalNumberError as exc:
            raise PersonalNumberError(f"metadata {last_gate(key)!r}: {exc}") from None
    return out


def failure(description: str, metadata: Mapping[str, object] | None = None) -> Failure:
    """A ``Failure`` whose description and metadata passed the gate (raise it: ``raise failure(...)``)."""
    return Failure(description=last_gate(description), metadata=gated(metadata) if metadata else None)


class GatedLog:
    """``context.log`` with every message through the gate first."""

    def __init__(self, log: object) -> None:
        self._log = log

    def debug(self, message: str) -> None:
        self._log.debug(last_gate(message))

    def info(self, message: str) -> None:
        self._log.info(last_gate(message))

    def warning(self, message: str) -> None:
        self._log.warning(last_gate(message))

    def error(self, message: str) -> None:
        self._log.error(last_gate(message))


def gated_log(context: object) -> GatedLog:
    """The step's log, gated: ``gated_log(context).info(...)`` instead of ``context.log.info(...)``."""
    return GatedLog(context.log)


def _messages(exc: BaseException) -> list[str]:
    found, seen = [], set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        found.append(str(exc))
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    return found


def _gated_error(exc: Exception) -> Failure | None:
    """A masked ``Failure`` for an error whose message (or a cause's) holds a personnummer; None when clean."""
    if not any(contains_personal_number(m) for m in _messages(exc)):
        return None
    try:
        description = last_gate(f"{type(exc).__name__}: {exc}")
    except PersonalNumberError:
        description = f"{type(exc).__name__}: ett felmeddelande som liknar ett personnummer visas inte"
    return Failure(description=description + " (felkedjan visas inte: den innehöll ett personnummer)")


def gated_errors(fn: Callable) -> Callable:
    """A step's compute function whose errors never carry a personnummer into the event log or the terminal:
    an error whose message or cause holds one is raised again as a masked ``Failure`` without its chain (which
    Dagster would store); any other error passes unchanged, traceback and all. Put it under ``@asset``/``@op``."""
    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def generator(*args: object, **kwargs: object):
            try:
                yield from fn(*args, **kwargs)
            except Exception as exc:
                masked = _gated_error(exc)
                if masked is None:
                    raise
                raise masked from None
        return generator

    @functools.wraps(fn)
    def function(*args: object, **kwargs: object):
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            masked = _gated_error(exc)
            if masked is None:
                raise
            raise masked from None
    return function
