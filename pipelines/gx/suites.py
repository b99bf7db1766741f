"""Great Expectations suites generated from the data contract, written by GX into the file context.

The committed context in ``expectations/`` (config, one suite, validation
definition and checkpoint per dataset) comes from
``samverkan.contract.DATASETS``, the rule tables in ``samverkan.quality`` and
the severities in ``samverkan.validation_rules``. Expectations are GX's own
classes (``great_expectations.expectations``), so a typo fails when the suite
is built; GX writes the files through its stores. A new suite's expectations
get random ids from GX, so each object is added first and then saved again with
ids derived from the names: the files are byte for byte reproducible, and a
test tells when they have fallen behind the contract (``python -m pipelines.gx``
rewrites them). A dataset added to the contract gets its suite the same way.

Severity is GX's own: ``critical`` expectations say the dataset is unusable
(a required column missing, no projects, most rows failing), ``warning``
expectations are row rules whose failing rows are quarantined.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from pipelines.gx.context import (
    BATCH_DEFINITION,
    DATA_DOCS_SITE,
    DATASOURCE,
    DEFAULT_CONTEXT_DIR,
    GX_VERSION,
    RESULTS_CONFIG_VARIABLE,
    fixed_id,
    open_context,
)
from samverkan import quality
from samverkan import validation_rules as rules
from samverkan.contract import DATASETS, SUPPORT_CODES, SUPPORT_EXTENTS, Column, Dataset
from samverkan.ingest import QUARANTINED

INDEX_COLUMNS = ["source_file", "source_row"]
RESULT_FORMAT = {
    "result_format": "COMPLETE",
    "unexpected_index_column_names": INDEX_COLUMNS,
    "partial_unexpected_count": 20,
    "return_unexpected_index_query": False,
}
GITIGNORE = "uncommitted/\n.ge_store_backend_id\n**/.ge_store_backend_id\n"
# Row rules whose GX expectation does not name exactly the quarantined rows: GX's uniqueness flags the first
# copy of a key as well (the row rules keep it), and ``quarantined`` is the summary of every rule.
NOT_ROW_BY_ROW = {rules.DUPLICATE_KEY.name, rules.QUARANTINED.name}


# 'ingen' (with or without extent) in a cell that holds more than one code.
NONE_WITH_OTHER_PATTERN = rf"^(?=.*(?:^|\|){quality.NO_SUPPORT}(?::\d+)?(?:\||$)).*\|"


def _expectation(kind: str, rule: rules.Rule, note: str, **kwargs: Any) -> Any:
    """An expectation of GX class ``kind`` carrying its rule, severity and Swedish note."""
    import great_expectations.expectations as gxe  # noqa: PLC0415 - seconds to import

    row_by_row = rule.severity == rules.WARNING and rule.name not in NOT_ROW_BY_ROW
    return getattr(gxe, kind)(**kwargs, severity=rule.severity,
                              meta={"rule": rule.name, "feeds_quarantine": row_by_row, "notes_sv": note})


def _support_pattern() -> str:
    code = "(?:" + "|".join(SUPPORT_CODES) + ")"
    extent = "(?::(?:" + "|".join(str(e) for e in SUPPORT_EXTENTS) + "))?"
    return rf"^{code}{extent}(?:\|{code}{extent})*$"


def _column_expectations(spec: Dataset, column: Column) -> list[Any]:
    name = column.name
    out: list[Any] = []
    if column.required:
        out.append(_expectation("ExpectColumnToExist", rules.MISSING_COLUMN,
                                f"kolumnen {name} är obligatorisk i {spec.name}", column=name))
        out.append(_expectation("ExpectColumnValuesToNotBeNull", rules.REQUIRED, f"{name} måste vara ifyllt",
                                column=name))
    if column.type == "code":
        out.append(_expectation("ExpectColumnValuesToBeInSet", rules.ALLOWED_CODES,
                                f"{name} tar bara kontraktets koder", column=name, value_set=list(column.codes)))
    if column.type == "support":
        out.append(_expectation("ExpectColumnValuesToMatchRegex", rules.SUPPORT_CODE,
                                f"{name}: stödkoder med '|' och omfattning 25/50/75/100", column=name,
                                regex=_support_pattern()))
    if column.minimum is not None or column.maximum is not None:
        bounds = {k: v for k, v in (("min_value", column.minimum), ("max_value", column.maximum)) if v is not None}
        out.append(_expectation("ExpectColumnValuesToBeBetween", rules.RANGE, f"{name} inom kontraktets gränser",
                                column=name, **bounds))
    if column.type == "date":
        out.append(_expectation("ExpectColumnValuesToBeBetween", rules.FUTURE_DATE,
                                f"{name} får inte ligga efter körningens dag", column=name,
                                max_value={"$PARAMETER": "today"}))
    if column.type == "text":
        out.append(_expectation("ExpectColumnValuesToNotMatchRegex", rules.FORMULA,
                                f"{name} får inte se ut som en kalkylbladsformel", column=name,
                                regex=quality.FORMULA_PATTERN))
        out.append(_expectation("ExpectColumnValueLengthsToBeBetween", rules.TOO_LONG,
                                f"{name} högst {quality.MAX_TEXT_LENGTH} tecken", column=name,
                                max_value=quality.MAX_TEXT_LENGTH))
    return out


def _extra_expectations(spec: Dataset) -> list[Any]:
    """Rules beyond single columns, from the rule tables that also drive the quarantine."""
    from great_expectations.expectations.row_conditions import Column as RowColumn  # noqa: PLC0415
    from great_expectations.expectations.row_conditions import NullityCondition  # noqa: PLC0415

    out: list[Any] = []
    if spec.name == "projects":
        out.append(_expectation("ExpectTableRowCountToBeBetween", rules.NO_ROWS,
                                "utan minst ett projekt kan inget år redovisas", min_value=1))
    if spec.references_projects and "project_id" in spec.column_names:
        out.append(_expectation("ExpectColumnValuesToBeInSet", rules.UNKNOWN_PROJECT,
                                "project_id ska finnas bland de godkända projekten", column="project_id",
                                value_set={"$PARAMETER": "known_project_ids"}))
    key = list(spec.key)
    if len(key) == 1:
        out.append(_expectation("ExpectColumnValuesToBeUnique", rules.DUPLICATE_KEY,
                                f"{key[0]} är unikt (den första förekomsten behålls)", column=key[0]))
    elif key:
        out.append(_expectation("ExpectCompoundColumnsToBeUnique", rules.DUPLICATE_KEY,
                                f"({', '.join(key)}) är unikt (den första förekomsten behålls)",
                                column_list=key, ignore_row_if="any_value_is_missing"))
    for earlier, later in quality.DATE_ORDER.get(spec.name, ()):
        out.append(_expectation("ExpectColumnPairValuesAToBeGreaterThanB", rules.DATE_ORDER,
                                f"{later} är samma dag som eller efter {earlier}", column_A=later, column_B=earlier,
                                or_equal=True, ignore_row_if="either_value_is_missing"))
    for present, needed in quality.NEEDS.get(spec.name, ()):
        out.append(_expectation("ExpectColumnValuesToNotBeNull", rules.NEEDS_VALUE,
                                f"{needed} måste vara ifyllt när {present} är det", column=needed,
                                row_condition=NullityCondition(column=RowColumn(name=present), is_null=False)))
    if spec.name == "participants":
        out.append(_expectation("ExpectColumnValuesToBeBetween", rules.RANGE,
                                f"deltagaren är minst {quality.MIN_PARTICIPANT_AGE} år", column="birth_year",
                                max_value={"$PARAMETER": "latest_birth_year"}))
        out += _plausibility_expectations()
    if spec.name in quality.AMOUNT_COLUMNS:
        out.append(_expectation("ExpectColumnValuesToBeBetween", rules.LARGE_AMOUNT,
                                "beloppet ligger under rimlighetsgränsen (annars en notering, raden tas med)",
                                column=quality.AMOUNT_COLUMNS[spec.name], max_value={"$PARAMETER": "max_amount_sek"}))
    out.append(_expectation("ExpectColumnValuesToBeInSet", rules.QUARANTINED,
                            "varje rad klarar alla regler (också typ- och formatreglerna)", column=QUARANTINED,
                            value_set=[False]))
    out.append(_expectation("ExpectColumnValuesToBeInSet", rules.QUARANTINE_SHARE,
                            f"högst {quality.MAX_QUARANTINE_SHARE:.0%} av raderna i karantän, annars är datan "
                            "oanvändbar", column=QUARANTINED, value_set=[False],
                            mostly=1 - quality.MAX_QUARANTINE_SHARE))
    return out


def _plausibility_expectations() -> list[Any]:
    """Participants' cross-column rules, on the columns ``quality.derived_columns`` adds to the frame."""
    out = [
        _expectation("ExpectColumnValuesToBeBetween", rules.ENROLMENT,
                     f"enrolled_on tidigast {quality.FINSAM_START.isoformat()}, då Finsam började",
                     column="enrolled_on", min_value={"$PARAMETER": "earliest_enrolment"}),
        _expectation("ExpectColumnValuesToBeBetween", rules.ENROLMENT,
                     f"deltagaren fyller minst {quality.MIN_PARTICIPANT_AGE} år det år hen skrivs in",
                     column="age_at_enrolment", min_value=quality.MIN_PARTICIPANT_AGE),
    ]
    for column in quality.SUPPORT_COLUMNS:
        out.append(_expectation("ExpectColumnValuesToBeBetween", rules.SUPPORT_SUM,
                                f"{column}: stödens omfattning högst 100 % (försörjningsstöd oräknat)",
                                column=f"{column}_percent", max_value=100))
        out.append(_expectation("ExpectColumnValuesToNotMatchRegex", rules.SUPPORT_NONE_WITH_OTHER,
                                f"{column}: 'ingen' står ensam", column=column, regex=NONE_WITH_OTHER_PATTERN))
    return out


def expectations_for(spec: Dataset) -> list[Any]:
    """The dataset's expectations in suite order, as GX expectation objects (without ids)."""
    return [e for column in spec.columns for e in _column_expectations(spec, column)] + _extra_expectations(spec)


def config_document() -> str:
    assets = "".join(
        f"      {name}:\n"
        f"        type: dataframe\n"
        f"        id: {fixed_id('asset', name)}\n"
        f"        batch_metadata: {{}}\n"
        f"        batch_definitions:\n"
        f"          {BATCH_DEFINITION}:\n"
        f"            id: {fixed_id('batch', name)}\n"
        f"            partitioner:\n"
        for name in DATASETS
    )
    return f"""# Great Expectations file context of samverkansbokslut. Generated by `python -m pipelines.gx`
# from the data contract; do not edit by hand. Results and Data Docs go to ${{{RESULTS_CONFIG_VARIABLE}}}, which
# pipelines.gx.context.open_context sets: the instance's home for this folder, uncommitted/ for a copy.
config_version: 4.0
config_variables_file_path: uncommitted/config_variables.yml
plugins_directory: plugins/
stores:
  expectations_store:
    class_name: ExpectationsStore
    store_backend:
      class_name: TupleFilesystemStoreBackend
      suppress_store_backend_id: true
      base_directory: expectations/
  validation_results_store:
    class_name: ValidationResultsStore
    store_backend:
      class_name: TupleFilesystemStoreBackend
      base_directory: ${{{RESULTS_CONFIG_VARIABLE}}}/validations/
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
      suppress_store_backend_id: true
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
      base_directory: ${{{RESULTS_CONFIG_VARIABLE}}}/data_docs/{DATA_DOCS_SITE}/
    site_index_builder:
      class_name: DefaultSiteIndexBuilder
analytics_enabled: false
data_context_id: {fixed_id('context')}
progress_bars:
  globally: false
  metric_calculations: false
fluent_datasources:
  {DATASOURCE}:
    type: pandas
    id: {fixed_id('datasource', DATASOURCE)}
    assets:
{assets}"""



def _write_dataset(context: Any, spec: Dataset) -> None:
    """Suite, validation definition and checkpoint of one dataset, added through GX, then saved with fixed ids."""
    import great_expectations as gx  # noqa: PLC0415 - seconds to import

    name = spec.name
    suite = context.suites.add(gx.ExpectationSuite(
        name=name, expectations=expectations_for(spec), notes=f"Genererad från datakontraktet: {spec.description}",
        meta={"great_expectations_version": GX_VERSION, "dataset": name,
              "generated_from": "samverkan.contract (python -m pipelines.gx)"}))
    suite.id = fixed_id("suite", name)
    for number, expectation in enumerate(suite.expectations):
        expectation.id = fixed_id("expectation", name, str(number), expectation.expectation_type)
    suite.save()
    batch = context.data_sources.get(DATASOURCE).get_asset(name).get_batch_definition(BATCH_DEFINITION)
    validation = context.validation_definitions.add(gx.ValidationDefinition(name=name, data=batch, suite=suite))
    validation.id = fixed_id("validation", name)
    validation.save()
    # No update_data_docs action: build_data_docs runs once per run instead of once per dataset.
    checkpoint = context.checkpoints.add(gx.Checkpoint(name=name, validation_definitions=[validation], actions=[],
                                                       result_format=RESULT_FORMAT))
    checkpoint.id = fixed_id("checkpoint", name)
    checkpoint.save()


def write_context(root: Path) -> None:
    """A fresh file context in the empty folder ``root``: our config, then every dataset written by GX."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    (root / "great_expectations.yml").write_text(config_document(), encoding="utf-8")
    (root / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    context = open_context(root)
    for spec in DATASETS.values():
        _write_dataset(context, spec)


def _committed(root: Path) -> dict[str, str]:
    files = {}
    for path in sorted(Path(root).rglob("*")):
        relative = path.relative_to(root).as_posix()
        if path.is_file() and not relative.startswith("uncommitted/") and "ge_store_backend_id" not in relative:
            files[relative] = path.read_text(encoding="utf-8")
    return files


def context_files() -> dict[str, str]:
    """Every committed file of the context as GX writes it from the contract: relative path -> content."""
    with tempfile.TemporaryDirectory(prefix="samverkan-gx-") as folder:
        write_context(Path(folder) / "context")
        return _committed(Path(folder) / "context")


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
