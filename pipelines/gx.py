"""Great Expectations glue: the suites generated from the data contract, and running them.

The committed file context in ``expectations/`` (config, one suite, validation
definition and checkpoint per dataset) is written by ``sync_context`` from
``samverkan.contract.DATASETS`` plus the rule tables in ``samverkan.quality``,
with ids derived from the names, so the files are byte-for-byte reproducible
and a test can tell when they have fallen behind the contract
(``python -m pipelines.gx`` rewrites them). A dataset added to the contract
gets its suite the same way.

At run time ``validate`` runs the dataset's checkpoint on the masked validation
frame (see ``samverkan.ingest.validation_frame``); the checkpoint stores the
result under ``expectations/uncommitted/validations/``. The checkpoints carry
no actions: rebuilding Data Docs costs seconds and grows with the stored
results, so ``build_data_docs`` does it once per run (the ``data_quality``
asset, after every ingest step), keeping the newest ``KEEP_RESULTS`` results per
dataset so the store and the site stay bounded. GX is imported only here,
inside the functions: importing it takes seconds.

Severity is GX's own: ``critical`` expectations say the dataset is unusable
(a required column missing, no projects, most rows failing), ``warning``
expectations are row rules whose failing rows are quarantined.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from samverkan import quality
from samverkan.contract import DATASETS, SUPPORT_CODES, SUPPORT_EXTENTS, Column, Dataset
from samverkan.ingest import QUARANTINED

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CONTEXT_DIR = PROJECT_ROOT / "expectations"
DATASOURCE = "samverkan"
BATCH_DEFINITION = "whole_frame"
DATA_DOCS_SITE = "local_site"
# More than this share of rows in quarantine and the dataset is not fit to report on.
MAX_QUARANTINE_SHARE = 0.5
INDEX_COLUMNS = ["source_file", "source_row"]
RESULT_FORMAT = {
    "result_format": "COMPLETE",
    "unexpected_index_column_names": INDEX_COLUMNS,
    "partial_unexpected_count": 20,
    "return_unexpected_index_query": False,
}
GX_VERSION = "1.24.1"
# Stored validation results kept per dataset (about a month of daily runs of every year); older ones are
# deleted before Data Docs are built, so neither the store nor the site grows without bound.
KEEP_RESULTS = 40
_NAMESPACE = uuid.UUID("5b2a3c1e-7d4f-4e8a-9c6b-0a1b2c3d4e5f")

CRITICAL = "critical"
WARNING = "warning"

log = logging.getLogger(__name__)


def _id(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


# ------------------------------------------------------------------ suites from the contract


def _expectation(kind: str, rule: str, severity: str, kwargs: dict[str, Any], note: str,
                 feeds_quarantine: bool = True) -> dict[str, Any]:
    return {
        "type": kind,
        "kwargs": kwargs,
        "meta": {"rule": rule, "feeds_quarantine": feeds_quarantine, "notes_sv": note},
        "severity": severity,
    }


def _support_pattern() -> str:
    code = "(?:" + "|".join(SUPPORT_CODES) + ")"
    extent = "(?::(?:" + "|".join(str(e) for e in SUPPORT_EXTENTS) + "))?"
    return rf"^{code}{extent}(?:\|{code}{extent})*$"


def _column_expectations(spec: Dataset, column: Column) -> list[dict[str, Any]]:
    name = column.name
    out: list[dict[str, Any]] = []
    if column.required:
        out.append(_expectation("expect_column_to_exist", "missing_column", CRITICAL, {"column": name},
                                f"kolumnen {name} är obligatorisk i {spec.name}", feeds_quarantine=False))
        out.append(_expectation("expect_column_values_to_not_be_null", "required", WARNING, {"column": name},
                                f"{name} måste vara ifyllt"))
    if column.type == "code":
        out.append(_expectation("expect_column_values_to_be_in_set", "allowed_codes", WARNING,
                                {"column": name, "value_set": list(column.codes)},
                                f"{name} tar bara kontraktets koder"))
    if column.type == "support":
        out.append(_expectation("expect_column_values_to_match_regex", "support_code", WARNING,
                                {"column": name, "regex": _support_pattern()},
                                f"{name}: stödkoder med '|' och omfattning 25/50/75/100"))
    if column.minimum is not None or column.maximum is not None:
        kwargs: dict[str, Any] = {"column": name}
        if column.minimum is not None:
            kwargs["min_value"] = column.minimum
        if column.maximum is not None:
            kwargs["max_value"] = column.maximum
        out.append(_expectation("expect_column_values_to_be_between", "range", WARNING, kwargs,
                                f"{name} inom kontraktets gränser"))
    if column.type == "date":
        out.append(_expectation("expect_column_values_to_be_between", "future_date", WARNING,
                                {"column": name, "max_value": {"$PARAMETER": "today"}},
                                f"{name} får inte ligga efter körningens dag"))
    if column.type == "text":
        out.append(_expectation("expect_column_values_to_not_match_regex", "formula", WARNING,
                                {"column": name, "regex": quality.FORMULA_PATTERN},
                                f"{name} får inte se ut som en kalkylbladsformel"))
        out.append(_expectation("expect_column_value_lengths_to_be_between", "too_long", WARNING,
                                {"column": name, "max_value": quality.MAX_TEXT_LENGTH},
                                f"{name} högst {quality.MAX_TEXT_LENGTH} tecken"))
    return out


def _extra_expectations(spec: Dataset) -> list[dict[str, Any]]:
    """Rules beyond single columns, from the rule tables that also drive the quarantine."""
    out: list[dict[str, Any]] = []
    if spec.name == "projects":
        out.append(_expectation("expect_table_row_count_to_be_between", "no_rows", CRITICAL, {"min_value": 1},
                                "utan minst ett projekt kan inget år redovisas", feeds_quarantine=False))
    if spec.references_projects and "project_id" in spec.column_names:
        out.append(_expectation("expect_column_values_to_be_in_set", "unknown_project", WARNING,
                                {"column": "project_id", "value_set": {"$PARAMETER": "known_project_ids"}},
                                "project_id ska finnas bland de godkända projekten"))
    key = list(spec.key)
    if len(key) == 1:
        out.append(_expectation("expect_column_values_to_be_unique", "duplicate_key", WARNING, {"column": key[0]},
                                f"{key[0]} är unikt (den första förekomsten behålls)", feeds_quarantine=False))
    elif key:
        out.append(_expectation("expect_compound_columns_to_be_unique", "duplicate_key", WARNING,
                                {"column_list": key, "ignore_row_if": "any_value_is_missing"},
                                f"({', '.join(key)}) är unikt (den första förekomsten behålls)",
                                feeds_quarantine=False))
    for earlier, later in quality.DATE_ORDER.get(spec.name, ()):
        out.append(_expectation("expect_column_pair_values_a_to_be_greater_than_b", "date_order", WARNING,
                                {"column_A": later, "column_B": earlier, "or_equal": True,
                                 "ignore_row_if": "either_value_is_missing"},
                                f"{later} är samma dag som eller efter {earlier}"))
    for present, needed in quality.NEEDS.get(spec.name, ()):
        out.append(_expectation("expect_column_values_to_not_be_null", "needs_value", WARNING,
                                {"column": needed,
                                 "row_condition": {"type": "nullity", "column": {"name": present}, "is_null": False}},
                                f"{needed} måste vara ifyllt när {present} är det"))
    if spec.name == "participants":
        out.append(_expectation("expect_column_values_to_be_between", "range", WARNING,
                                {"column": "birth_year", "max_value": {"$PARAMETER": "latest_birth_year"}},
                                f"deltagaren är minst {quality.MIN_PARTICIPANT_AGE} år"))
    out.append(_expectation("expect_column_values_to_be_in_set", "quarantined", WARNING,
                            {"column": QUARANTINED, "value_set": [False]},
                            "varje rad klarar alla regler (också typ- och formatreglerna)", feeds_quarantine=False))
    out.append(_expectation("expect_column_values_to_be_in_set", "quarantine_share", CRITICAL,
                            {"column": QUARANTINED, "value_set": [False], "mostly": 1 - MAX_QUARANTINE_SHARE},
                            f"högst {MAX_QUARANTINE_SHARE:.0%} av raderna i karantän, annars är datan oanvändbar",
                            feeds_quarantine=False))
    return out


def expectations_for(spec: Dataset) -> list[dict[str, Any]]:
    out = [e for column in spec.columns for e in _column_expectations(spec, column)] + _extra_expectations(spec)
    for number, expectation in enumerate(out):
        expectation["id"] = _id("expectation", spec.name, str(number), expectation["type"])
    return out


def suite_document(spec: Dataset) -> dict[str, Any]:
    return {
        "expectations": [dict(sorted(e.items())) for e in expectations_for(spec)],
        "id": _id("suite", spec.name),
        "meta": {"great_expectations_version": GX_VERSION, "dataset": spec.name,
                 "generated_from": "samverkan.contract (python -m pipelines.gx)"},
        "name": spec.name,
        "notes": f"Genererad från datakontraktet: {spec.description}",
    }


def validation_definition_document(spec: Dataset) -> dict[str, Any]:
    return {
        "data": {
            "asset": {"id": _id("asset", spec.name), "name": spec.name},
            "batch_definition": {"id": _id("batch", spec.name), "name": BATCH_DEFINITION},
            "datasource": {"id": _id("datasource", DATASOURCE), "name": DATASOURCE},
        },
        "id": _id("validation", spec.name),
        "name": spec.name,
        "suite": {"id": _id("suite", spec.name), "name": spec.name},
    }


def checkpoint_document(spec: Dataset) -> dict[str, Any]:
    return {
        # No update_data_docs action: build_data_docs runs once per run instead of once per dataset.
        "actions": [],
        "id": _id("checkpoint", spec.name),
        "name": spec.name,
        "result_format": RESULT_FORMAT,
        "validation_definitions": [{"id": _id("validation", spec.name), "name": spec.name}],
    }


def config_document() -> str:
    assets = "".join(
        f"      {name}:\n"
        f"        type: dataframe\n"
        f"        id: {_id('asset', name)}\n"
        f"        batch_metadata: {{}}\n"
        f"        batch_definitions:\n"
        f"          {BATCH_DEFINITION}:\n"
        f"            id: {_id('batch', name)}\n"
        f"            partitioner:\n"
        for name in DATASETS
    )
    return f"""# Great Expectations file context of samverkansbokslut. Generated by `python -m pipelines.gx`
# from the data contract; do not edit by hand. Results and Data Docs go to uncommitted/ (git-ignored).
config_version: 4.0
config_variables_file_path: uncommitted/config_variables.yml
plugins_directory: plugins/
stores:
  expectations_store:
    class_name: ExpectationsStore
    store_backend:
      class_name: TupleFilesystemStoreBackend
      base_directory: expectations/
  validation_results_store:
    class_name: ValidationResultsStore
    store_backend:
      class_name: TupleFilesystemStoreBackend
      base_directory: uncommitted/validations/
  checkpoint_store:
    class_name: CheckpointStore
    store_backend:
      class_name: TupleFilesystemStoreBackend
      suppress_store_backend_id: true
      base_directory: checkpoints/
  validation_definition_store:
    class_name: ValidationDefinitionStore
    store_backend:
      class_name: TupleFilesystemStoreBackend
      base_directory: validation_definitions/
expectations_store_name: expectations_store
validation_results_store_name: validation_results_store
checkpoint_store_name: checkpoint_store
data_docs_sites:
  {DATA_DOCS_SITE}:
    class_name: SiteBuilder
    show_how_to_buttons: false
    store_backend:
      class_name: TupleFilesystemStoreBackend
      base_directory: uncommitted/data_docs/{DATA_DOCS_SITE}/
    site_index_builder:
      class_name: DefaultSiteIndexBuilder
analytics_enabled: false
data_context_id: {_id('context')}
progress_bars:
  globally: false
  metric_calculations: false
fluent_datasources:
  {DATASOURCE}:
    type: pandas
    id: {_id('datasource', DATASOURCE)}
    assets:
{assets}"""


def context_files() -> dict[str, str]:
    """Every committed file of the context, path relative to the context folder -> content."""
    files = {
        "great_expectations.yml": config_document(),
        ".gitignore": "uncommitted/\n.ge_store_backend_id\n**/.ge_store_backend_id\n",
    }
    for spec in DATASETS.values():
        for folder, document in (
            ("expectations", suite_document(spec)),
            ("validation_definitions", validation_definition_document(spec)),
            ("checkpoints", checkpoint_document(spec)),
        ):
            files[f"{folder}/{spec.name}.json"] = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return files


def sync_context(root: Path = DEFAULT_CONTEXT_DIR) -> list[Path]:
    """Write the context files that differ from the contract; returns the paths written."""
    written = []
    for relative, content in context_files().items():
        path = Path(root) / relative
        if path.exists() and path.read_text(encoding="utf-8") == content:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        written.append(path)
    return written


# ------------------------------------------------------------------ running a checkpoint


@dataclass
class FailedExpectation:
    expectation: str
    column: str
    rule: str
    severity: str
    unexpected: int
    note: str
    examples: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class GxOutcome:
    dataset: str
    success: bool
    evaluated: int
    successful: int
    failed: list[FailedExpectation]
    # Rows a row rule flagged, as problem rows (dataset, source_file, source_row, column, rule, message).
    flagged: pd.DataFrame
    data_docs: str | None = None

    @property
    def critical(self) -> list[FailedExpectation]:
        return [f for f in self.failed if f.severity == CRITICAL]


def parameters_for(today: pd.Timestamp, known_project_ids: pd.Series | None) -> dict[str, Any]:
    ids = sorted(set(known_project_ids.dropna().astype(str))) if known_project_ids is not None else []
    return {
        # A datetime, not a string or date: GX compares it with the frame's Timestamps as it is.
        "today": today.to_pydatetime(),
        "known_project_ids": ids,
        "latest_birth_year": int(today.year) - quality.MIN_PARTICIPANT_AGE,
    }


def context_dir(setting: str = "") -> Path:
    return Path(setting or os.environ.get("SAMVERKAN_GX_DIR", "") or DEFAULT_CONTEXT_DIR)


def _quiet_gx() -> None:
    for name in ("great_expectations", "great_expectations.core", "great_expectations.data_context"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _context(root: Path) -> Any:
    import great_expectations as gx  # noqa: PLC0415 - seconds to import; only validation needs it

    _quiet_gx()
    return gx.get_context(mode="file", context_root_dir=str(root))


def validate(dataset: str, frame: pd.DataFrame, parameters: dict[str, Any], root: Path | None = None,
             data_docs: bool = False) -> GxOutcome:
    """Run the dataset's checkpoint on ``frame`` (already masked), store the result and summarise it.

    Data Docs are not rebuilt here (see ``build_data_docs``) unless ``data_docs=True``.
    """
    root = Path(root or context_dir())
    if not (root / "checkpoints" / f"{dataset}.json").exists():
        # A dataset added to the contract after the files were committed: write its suite now.
        log.warning("GX-filerna saknar %s; skriver dem från kontraktet", dataset)
        sync_context(root)
    context = _context(root)
    frame = frame.copy()
    frame[QUARANTINED] = frame[QUARANTINED].astype(bool)
    result = context.checkpoints.get(dataset).run(batch_parameters={"dataframe": frame},
                                                  expectation_parameters=parameters)
    validation = next(iter(result.run_results.values()))
    if data_docs:
        _build_site(context)
    failed: list[FailedExpectation] = []
    flagged: list[pd.DataFrame] = []
    for item in validation.results:
        config = item.expectation_config
        meta = config.meta or {}
        kwargs = config.kwargs
        column = kwargs.get("column") or kwargs.get("column_A") or "+".join(kwargs.get("column_list", []))
        if item.success:
            continue
        res = item.result or {}
        exception = _exception_message(item.exception_info)
        rows = res.get("unexpected_index_list") or []
        failed.append(FailedExpectation(
            expectation=config.type, column=str(column), rule=meta.get("rule", config.type),
            severity=str(getattr(config.severity, "value", config.severity)),
            unexpected=int(res.get("unexpected_count") or (0 if rows is None else len(rows))),
            note=meta.get("notes_sv", "") + (f" ({exception})" if exception else ""),
            examples=[{k: _plain(v) for k, v in r.items()} for r in rows[:5] if isinstance(r, dict)],
        ))
        if meta.get("feeds_quarantine") and rows and isinstance(rows[0], dict):
            hit = pd.DataFrame(rows)
            flagged.append(pd.DataFrame({
                "dataset": dataset,
                "source_file": hit["source_file"].astype(str).to_numpy(),
                "source_row": hit["source_row"].astype("int64").to_numpy(),
                "column": str(column),
                "rule": meta.get("rule", config.type),
                "message": f"Great Expectations: {meta.get('notes_sv', config.type)}",
            }))
    stats = validation.statistics or {}
    docs = data_docs_index(root)
    flagged_frame = (pd.concat(flagged, ignore_index=True) if flagged
                     else pd.DataFrame(columns=["dataset", *INDEX_COLUMNS, "column", "rule", "message"]))
    return GxOutcome(
        dataset=dataset,
        success=bool(validation.success),
        evaluated=int(stats.get("evaluated_expectations", 0)),
        successful=int(stats.get("successful_expectations", 0)),
        failed=failed,
        flagged=flagged_frame,
        data_docs=str(docs) if docs.exists() else None,
    )


def data_docs_index(root: Path) -> Path:
    return Path(root) / "uncommitted" / "data_docs" / DATA_DOCS_SITE / "index.html"


def prune_results(root: Path, keep: int = KEEP_RESULTS) -> int:
    """Delete all but the newest ``keep`` stored validation results per dataset, and their Data Docs pages.

    The store's layout is ``validations/<suite>/<run name>/<run time>/<batch>.json`` and the site mirrors
    it under ``data_docs/<site>/validations/`` as ``.html``; run times are ISO stamps, so they sort by age.
    Returns the number of results deleted.
    """
    store = Path(root) / "uncommitted" / "validations"
    site = Path(root) / "uncommitted" / "data_docs" / DATA_DOCS_SITE / "validations"
    deleted = 0
    if not store.is_dir():
        return 0
    for suite in sorted(p for p in store.iterdir() if p.is_dir()):
        results = sorted(suite.glob("*/*/*.json"), key=lambda p: (p.parent.name, p.parent.parent.name, p.name))
        for old in results[: max(len(results) - keep, 0)]:
            old.unlink()
            page = site / old.relative_to(store).with_suffix(".html")
            page.unlink(missing_ok=True)
            deleted += 1
        for folder in (suite, site / suite.name):
            # Empty run folders left behind would still be listed by neither store; tidy them anyway.
            for directory in sorted(folder.glob("**/"), key=lambda p: len(p.parts), reverse=True):
                if directory != folder and directory.is_dir() and not any(directory.iterdir()):
                    directory.rmdir()
    return deleted


def _build_site(context: Any) -> None:
    """Render the pages not yet on the site (new results, the suites) and the index.

    A full rebuild re-renders every stored result, seconds that grow with the store; pages of earlier runs do
    not change, so only missing ones are rendered, as the checkpoint action used to do for its own result.
    """
    from great_expectations.data_context.types.resource_identifiers import (  # noqa: PLC0415
        ExpectationSuiteIdentifier,
    )

    site = Path(context.root_directory) / "uncommitted" / "data_docs" / DATA_DOCS_SITE / "validations"
    new = [key for key in context.validation_results_store.list_keys()
           if not site.joinpath(*map(str, key.to_tuple())).with_name(f"{key.to_tuple()[-1]}.html").exists()]
    suites = [ExpectationSuiteIdentifier(name=name) for name in DATASETS]
    context.build_data_docs(site_names=[DATA_DOCS_SITE], resource_identifiers=[*new, *suites])


def build_data_docs(root: Path | None = None, keep: int = KEEP_RESULTS) -> Path | None:
    """Bound the results store, then rebuild the Data Docs site once from every stored result.

    Called once per run after all ingest steps; returns the site's index page (None if GX wrote none).
    """
    root = Path(root or context_dir())
    deleted = prune_results(root, keep)
    if deleted:
        log.info("GX: %d äldre valideringsresultat borttagna (de %d senaste per dataset behålls)", deleted, keep)
    _build_site(_context(root))
    index = data_docs_index(root)
    return index if index.exists() else None


def _exception_message(info: Any) -> str | None:
    """GX nests exceptions per metric; the first message found, if any."""
    if not isinstance(info, dict):
        return None
    if info.get("raised_exception") and info.get("exception_message"):
        return str(info["exception_message"])
    for value in info.values():
        found = _exception_message(value)
        if found:
            return found
    return None


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)


if __name__ == "__main__":
    for path in sync_context():
        print(f"skrev {path}")
