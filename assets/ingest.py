"""Ingest: one multi-asset per dataset of the contract, giving accepted rows and a quarantine."""


import pandas as pd
from dagster import AssetExecutionContext, AssetIn, AssetOut, Failure, MetadataValue, Output, multi_asset

from pipelines.partitions import yearly_partitions
from pipelines.resources import SamverkanSettings
from samverkan.contract import DATASETS, Dataset
from samverkan.ingest import IngestResult, ingest_dataset


def ingest_metadata(result: IngestResult) -> dict[str, object]:
    files = "\n".join(f"| {f.name} | {f.rows} | `{f.sha256[:16]}…` |" for f in result.files) or "| – | 0 | |"
    reasons = (
        result.quarantine.groupby(["column", "rule"]).size().sort_values(ascending=False).head(10)
        if not result.quarantine.empty
        else pd.Series(dtype="int64")
    )
    reason_lines = "\n".join(f"| {col or '(rad)'} | {rule} | {n} |" for (col, rule), n in reasons.items())
    markdown = (
        f"**{result.dataset}**: {result.rows_in} rader in, {len(result.accepted)} godkända, "
        f"{result.quarantined_rows} i karantän.\n\n| fil | rader | sha256 |\n|---|---|---|\n{files}\n"
    )
    if reason_lines:
        markdown += f"\n| kolumn | regel | antal |\n|---|---|---|\n{reason_lines}\n"
    return {
        "rows_in": result.rows_in,
        "accepted": len(result.accepted),
        "quarantined": result.quarantined_rows,
        "files": MetadataValue.json([{"name": f.name, "sha256": f.sha256, "rows": f.rows} for f in result.files]),
        "summary": MetadataValue.md(markdown),
    }


def build_ingest_asset(spec: Dataset):
    ins = {"projects": AssetIn("projects")} if spec.references_projects else {}

    @multi_asset(
        name=f"ingest_{spec.name}",
        outs={
            spec.name: AssetOut(description=f"Accepted rows of {spec.name}: {spec.description}", group_name="ingest"),
            f"{spec.name}_quarantine": AssetOut(
                description=f"Rows of {spec.name} that failed validation, one row per reason.", group_name="ingest"
            ),
        },
        ins=ins,
        partitions_def=yearly_partitions,
    )
    def _ingest(context: AssetExecutionContext, settings: SamverkanSettings, **upstream: pd.DataFrame):
        projects = upstream.get("projects")
        known = projects["project_id"] if projects is not None else None
        result = ingest_dataset(settings.inbox_path(), spec.name, known)
        if result.dataset_errors:
            raise Failure(
                description=f"{spec.name} kan inte användas: " + "; ".join(result.dataset_errors),
                metadata={"errors": MetadataValue.json(result.dataset_errors)},
            )
        metadata = ingest_metadata(result)
        context.log.info(f"{spec.name}: {metadata['rows_in']} in, {metadata['accepted']} accepted, "
                         f"{metadata['quarantined']} quarantined")
        yield Output(result.accepted, output_name=spec.name, metadata=metadata)
        yield Output(result.quarantine, output_name=f"{spec.name}_quarantine",
                     metadata={"problems": len(result.quarantine), "rows": result.quarantined_rows})

    return _ingest


ingest_assets = [build_ingest_asset(spec) for spec in DATASETS.values()]
