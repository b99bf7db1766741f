"""Ingest: one multi-asset per dataset of the contract: accepted rows, a quarantine, a verdict and a GX check.

Every step always materialises its three outputs, whatever the files hold, so
every dataset is read and validated in every run. The check ``data_contract``
runs the dataset's Great Expectations checkpoint on the masked rows and is not
blocking: it fails at ERROR when the dataset cannot be used (a file that cannot
be read, a required column missing, no projects, most rows failing) or when GX
and the row rules disagree, and at WARN when only some rows went to quarantine.
What must stop is stopped by ``data_gate`` (assets/quality.py), which reads the
verdicts.

Each step also publishes ``<dataset>_inbox_files``: the files it read, with size and the SHA-256 of the very bytes
it parsed. ``inbox_fingerprint`` joins them into the one record of the inbox that the report lists, and the report
checks the inbox against it before publishing (``samverkan.inbox``).

A dataset that references projects also reads the projects quarantine, so a row whose project is only unknown
because the project's row is in quarantine names that row. For the steward in the UI the accepted rows carry
the contract's column schema, the quarantine and the check a table of the first failing rows (masked), and every
output kinds, an owner and a Swedish description (``pipelines/metadata.py`` builds them).
"""

import datetime as dt
import warnings

import pandas as pd
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetIn,
    AssetKey,
    AssetOut,
    MetadataValue,
    Output,
    asset,
    multi_asset,
)

from assets.run_files import require_valid_run_files
from pipelines import gx
from pipelines.metadata import (
    absolute,
    column_schema,
    failing_rows,
    file_url,
    gated,
    gated_errors,
    gated_log,
    links,
    quarantine_schema,
)
from pipelines.partitions import yearly_partitions
from pipelines.resources import SamverkanSettings
from samverkan import inbox
from samverkan.contract import DATASETS, Dataset
from samverkan.ingest import QUARANTINE_COLUMNS, IngestResult, ingest_dataset
from samverkan.privacy import last_gate
from samverkan.report.labels import DATASET_NAMES
from samverkan.validation_rules import rule_label

CHECK_NAME = "data_contract"
TOP_REASONS = 10
OWNER = "team:dataforvaltning"
KINDS = {"pandas", "parquet"}
# The contract describes the datasets in English for developers; the asset pages are for stewards, in Swedish.
DESCRIPTIONS = {
    "projects": "en rad per insats (projekt) som samordningsförbundet finansierar",
    "project_costs": "pengar och insatser i annat än pengar per projekt, år och finansiär",
    "participants": "en rad per deltagares period i ett projekt",
    "project_events": "underlag för framgångsnivåerna: dokumenterade metoder, beslut och systemfynd",
    "project_assessments": "projektens egna bedömningar av de tolv förutsättningarna för varaktig samverkan "
                           "(frivilligt)",
}


def _sha256_prefix(sha256: str) -> str:
    return f"`{sha256[:16]}…`" if sha256 else "ej läst"


def ingest_metadata(result: IngestResult) -> dict[str, object]:
    files = "\n".join(f"| {f.name} | {f.rows} | {f.bytes} | {'ja' if f.usable else '**nej**'} | "
                      f"{_sha256_prefix(f.sha256)} |" for f in result.files) or "| – | 0 | 0 | | |"
    markdown = (
        f"**{result.dataset}**: {result.rows_in} rader in, {len(result.accepted)} godkända, "
        f"{result.quarantined_rows} i karantän.\n\n| fil | rader | byte | användbar | sha256 |\n"
        f"|---|---|---|---|---|\n{files}\n"
        + _reasons_table(result.quarantine)
    )
    return {
        "dagster/row_count": len(result.accepted),
        "rows_in": result.rows_in,
        "accepted": len(result.accepted),
        "quarantined": result.quarantined_rows,
        "files": MetadataValue.json([{"name": f.name, "bytes": f.bytes, "sha256": f.sha256, "rows": f.rows,
                                      "usable": f.usable} for f in result.files]),
        "summary": MetadataValue.md(markdown),
    }


def quarantine_metadata(result: IngestResult) -> dict[str, object]:
    return {"problems": len(result.quarantine), "rows": result.quarantined_rows,
            "cascaded_rows": sum(result.cascades.values()), "failing_rows": failing_rows(result.quarantine)}


def _reasons_table(problems: pd.DataFrame) -> str:
    if problems.empty:
        return ""
    reasons = problems.groupby(["column", "rule"]).size().sort_values(ascending=False).head(TOP_REASONS)
    lines = "\n".join(f"| {col or '(rad)'} | {rule_label(rule)} (`{rule}`) | {n} |"
                      for (col, rule), n in reasons.items())
    return f"\n| kolumn | regel | antal |\n|---|---|---|\n{lines}\n"


def check_result(result: IngestResult, outcome: gx.GxOutcome) -> AssetCheckResult:
    """A GX outcome and the ingest counts as a check result a steward can read in the UI."""
    drift = gx.disagreements(outcome, result.quarantine, result.usable)
    passed = outcome.success and result.usable and result.quarantined_rows == 0 and not drift
    severity = AssetCheckSeverity.ERROR if drift or not result.usable else AssetCheckSeverity.WARN
    if passed:
        headline = f"Alla {result.rows_in} rader klarar kontraktet ({outcome.evaluated} förväntningar)."
    elif not result.usable:
        headline = (f"**{result.dataset} kan inte användas.** Rätta filerna nedan och kör året igen; "
                    "data_gate stoppar liggaren och rapporten.")
    elif drift:
        headline = (f"**Great Expectations och radreglerna är oense om {result.dataset}** (ett fel i programmet, "
                    "inte i filen).")
    else:
        headline = (f"{result.quarantined_rows} av {result.rows_in} rader ligger i karantän; "
                    f"{len(result.accepted)} godkända rader går vidare. De första raderna visas under "
                    "failing_rows; alla finns i quality.csv och quality.xlsx.")
    lines = [headline, ""]
    if result.dataset_errors:
        lines += ["**Fel som stoppar datasetet:**", ""] + [f"- {e}" for e in result.dataset_errors] + [""]
    if drift:
        lines += ["**Oenigheter mellan Great Expectations och radreglerna:**", ""] + [f"- {d}" for d in drift] + [""]
    if result.notes:
        lines += ["**Att notera:**", ""] + [f"- {n}" for n in result.notes] + [""]
    if outcome.failed:
        lines += ["| förväntning | kolumn | regel | allvar | rader |", "|---|---|---|---|---|"]
        lines += [f"| {f.expectation} | {f.column} | {f.rule} | {f.severity} | {f.unexpected} |"
                  for f in outcome.failed]
        lines.append("")
    lines.append(_reasons_table(result.quarantine))
    if outcome.data_docs:
        lines.append(f"Data Docs: [{outcome.data_docs}]({file_url(outcome.data_docs)})")
    metadata: dict[str, object] = {
        "rows_in": result.rows_in,
        "accepted": len(result.accepted),
        "quarantined": result.quarantined_rows,
        "evaluated_expectations": outcome.evaluated,
        "successful_expectations": outcome.successful,
        "failed_expectations": MetadataValue.json(
            [{"expectation": f.expectation, "column": f.column, "rule": f.rule, "severity": f.severity,
              "unexpected": f.unexpected, "note": f.note} for f in outcome.failed]),
        "dataset_errors": MetadataValue.json(result.dataset_errors),
        "gx_disagreements": MetadataValue.json(drift),
        "cascades": MetadataValue.json([{"cause": c, "rows": n} for c, n in result.cascades.items()]),
        "failing_rows": failing_rows(result.quarantine),
        "summary": MetadataValue.md("\n".join(lines)),
    }
    if outcome.data_docs:
        metadata["data_docs"] = absolute(outcome.data_docs)
        metadata.update(links(data_docs_link=outcome.data_docs))
    return AssetCheckResult(
        check_name=CHECK_NAME,
        asset_key=AssetKey(result.dataset),
        passed=passed,
        severity=severity,
        metadata=gated(metadata),
        description=last_gate(headline),
    )


def check_spec(spec: Dataset) -> AssetCheckSpec:
    # Partitioned like its asset, so every year's result is its own in the UI (a preview feature in 1.13).
    # Not blocking: a blocking check would skip the quarantine and verdict too; data_gate stops what must stop.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return AssetCheckSpec(
            CHECK_NAME,
            asset=spec.name,
            partitions_def=yearly_partitions,
            description=(f"Great Expectations-sviten {spec.name} (genererad från datakontraktet): ERROR när "
                         "datasetet inte går att använda, WARN när rader ligger i karantän."),
        )


def _out(description: str, metadata: dict[str, object] | None = None) -> AssetOut:
    return AssetOut(description=description, group_name="ingest", owners=[OWNER], kinds=KINDS,
                    metadata=metadata)


def ingest_outs(spec: Dataset) -> dict[str, AssetOut]:
    label = DATASET_NAMES.get(spec.name, spec.name)
    return {
        spec.name: _out(f"{label}: de godkända raderna, {DESCRIPTIONS[spec.name]}. Kolumnerna följer "
                        "datakontraktet.", {"dagster/column_schema": column_schema(spec)}),
        f"{spec.name}_quarantine": _out(
            f"{label}: raderna som inte klarade valideringen, en rad per fel med fil, rad, kolumn, regel och "
            "meddelande, och raden som den lästes (maskerad).",
            {"dagster/column_schema": quarantine_schema(QUARANTINE_COLUMNS)}),
        f"{spec.name}_verdict": _out(
            f"{label}: en rad med antal rader in, godkända och i karantän, och om datasetet kan användas "
            "(felen om inte)."),
        f"{spec.name}_inbox_files": _out(
            f"{label}: filerna som lästes ur inkorgen, med storlek och SHA-256 av just de byte som tolkades."),
    }


def build_ingest_asset(spec: Dataset):
    ins = {"projects": AssetIn("projects"), "projects_quarantine": AssetIn("projects_quarantine")} \
        if spec.references_projects else {}

    @multi_asset(
        name=f"ingest_{spec.name}",
        outs=ingest_outs(spec),
        check_specs=[check_spec(spec)],
        ins=ins,
        partitions_def=yearly_partitions,
    )
    @gated_errors
    def _ingest(context: AssetExecutionContext, settings: SamverkanSettings, **upstream: pd.DataFrame):
        require_valid_run_files(settings, int(context.partition_key))
        projects = upstream.get("projects")
        # Checked against the accepted projects, even when projects as a whole is unusable.
        known = projects["project_id"] if projects is not None else None
        today = dt.date.today()
        result = ingest_dataset(settings.inbox_path(), spec.name, known, today, upstream.get("projects_quarantine"),
                                settings.profile_file)
        outcome = gx.validate(spec.name, result.validation, gx.parameters_for(pd.Timestamp(today), known),
                              gx.context_dir(settings.expectations_dir))
        metadata = ingest_metadata(result)
        gated_log(context).info(f"{spec.name}: {metadata['rows_in']} in, {metadata['accepted']} accepted, "
                         f"{metadata['quarantined']} quarantined; GX {outcome.successful}/{outcome.evaluated}")
        yield Output(result.accepted, output_name=spec.name, metadata=gated(metadata))
        yield Output(result.quarantine, output_name=f"{spec.name}_quarantine",
                     metadata=gated(quarantine_metadata(result)))
        yield Output(result.verdict(), output_name=f"{spec.name}_verdict",
                     metadata=gated({"usable": result.usable,
                                     "dataset_errors": MetadataValue.json(result.dataset_errors)}))
        yield Output(result.inbox_files(), output_name=f"{spec.name}_inbox_files",
                     metadata=gated({"files": len(result.files), "bytes": sum(f.bytes for f in result.files)}))
        yield check_result(result, outcome)

    return _ingest


ingest_assets = [build_ingest_asset(spec) for spec in DATASETS.values()]

INBOX_FILES = {f"{name}_inbox_files": AssetIn(f"{name}_inbox_files") for name in DATASETS}


@asset(ins=INBOX_FILES, partitions_def=yearly_partitions, group_name="ingest", owners=[OWNER], kinds={"pandas"},
       description="Inkorgen som den lästes: varje fil med dataset, namn (personnummer maskerade), storlek och "
                   "SHA-256 av just de byte som tolkades. Rapportens metodbilaga listar den, och rapporten stoppas "
                   "om inkorgen inte längre stämmer med den.")
@gated_errors
def inbox_fingerprint(**tables: pd.DataFrame) -> Output[pd.DataFrame]:
    record = inbox.combine({name: tables[f"{name}_inbox_files"] for name in DATASETS})
    lines = "\n".join(f"| {r.dataset} | {r.file} | {r.bytes} | {_sha256_prefix(r.sha256)} |"
                       for r in record.itertuples()) or "| – | – | 0 | |"
    return Output(record, metadata=gated({
        "dagster/row_count": len(record),
        "bytes": int(record["bytes"].sum()),
        "inbox_sha256": inbox.inbox_digest(record),
        "summary": MetadataValue.md(f"| dataset | fil | byte | sha256 |\n|---|---|---:|---|\n{lines}\n"),
    }))
