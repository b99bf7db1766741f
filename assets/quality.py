"""The steward view of a year and the data gate.

``data_quality`` loads every dataset's quarantine and verdict and writes the
steward extracts (quality.csv, quality_summary.csv); the ingest checkpoints
only store their Great Expectations results, so it also rebuilds the Data Docs
site once from them (see ``pipelines.gx.build_data_docs``).

``data_gate`` stops what must stop: it fails, naming the unusable datasets in
Swedish, when any dataset cannot be used, and the ledger, the success levels,
the participant flow and the prerequisite profiles depend on it, so Dagster
skips them and the report after them. The quality extracts do not depend on the
gate: they always cover every dataset in the inbox.
"""

import pandas as pd
from dagster import AssetExecutionContext, AssetIn, AssetOut, Failure, MetadataValue, Output, asset, multi_asset

from pipelines import gx
from pipelines.partitions import yearly_partitions
from pipelines.resources import SamverkanSettings
from samverkan import quality
from samverkan.contract import DATASETS

GATE = "data_gate"
QUARANTINES = {f"{name}_quarantine": AssetIn(f"{name}_quarantine") for name in DATASETS}
VERDICTS = {f"{name}_verdict": AssetIn(f"{name}_verdict") for name in DATASETS}


def _by_dataset(frames: dict[str, pd.DataFrame], suffix: str) -> dict[str, pd.DataFrame]:
    return {name: frames[f"{name}{suffix}"] for name in DATASETS}


@multi_asset(
    name="data_quality",
    outs={
        "quality_problems": AssetOut(
            description="Every quarantined row of the year's inbox with file, row, column, rule and message "
                        "(quality.csv).", group_name="quality"),
        "quality_summary": AssetOut(
            description="Rows in, accepted and quarantined per dataset (quality_summary.csv).", group_name="quality"),
    },
    ins={**QUARANTINES, **VERDICTS},
    partitions_def=yearly_partitions,
)
def data_quality(context: AssetExecutionContext, settings: SamverkanSettings, **frames: pd.DataFrame):
    problems, summary = quality.combine(_by_dataset(frames, "_quarantine"), _by_dataset(frames, "_verdict"))
    problems_path, summary_path = quality.write_extracts(settings.out_path(int(context.partition_key)),
                                                         problems, summary)
    table = "\n".join(f"| {r.dataset} | {r.rows_in} | {r.accepted} | {r.quarantined} |"
                      for r in summary.itertuples())
    markdown = f"| dataset | rader in | godkända | karantän |\n|---|---|---|---|\n{table}\n"
    docs = gx.build_data_docs(gx.context_dir(settings.expectations_dir))
    docs_metadata = {"data_docs": MetadataValue.path(str(docs))} if docs else {}
    if docs:
        markdown += f"\nGreat Expectations Data Docs: `{docs}`\n"
    yield Output(problems, output_name="quality_problems",
                 metadata={"extract": str(problems_path), "problems": len(problems), **docs_metadata})
    yield Output(summary, output_name="quality_summary",
                 metadata={"extract": str(summary_path), "quarantined": int(summary["quarantined"].sum()),
                           "summary": MetadataValue.md(markdown)})


@asset(name=GATE, ins=VERDICTS, partitions_def=yearly_partitions, group_name="quality")
def data_gate(**verdicts: pd.DataFrame) -> pd.DataFrame:
    """Every dataset's verdict; fails, naming the datasets that cannot be used, so the ledger and report stop."""
    frame = pd.concat([verdicts[f"{name}_verdict"] for name in DATASETS], ignore_index=True)
    message = quality.gate_message(frame)
    if message is not None:
        raise Failure(description=message, metadata={
            "unusable": MetadataValue.json(frame.loc[~frame["usable"], "dataset"].tolist())})
    return frame
