"""The steward view of a year and the data gate.

``data_quality`` loads every dataset's quarantine and verdict and writes the
steward extracts (quality.csv, quality_summary.csv, and quality.xlsx with the rows
as they were read); the ingest checkpoints
only store their Great Expectations results, so it also rebuilds the Data Docs
site once from them (see ``pipelines.gx.build_data_docs``).

``data_gate`` stops what must stop: it fails, naming the unusable datasets in
Swedish, when any dataset cannot be used, and the ledger, the success levels,
the participant flow and the prerequisite profiles depend on it, so Dagster
skips them and the report after them. The quality extracts do not depend on the
gate: they always cover every dataset in the inbox.
"""

import pandas as pd
from dagster import AssetExecutionContext, AssetIn, AssetOut, MetadataValue, Output, asset, multi_asset

from assets.ingest import OWNER
from pipelines import gx
from pipelines.metadata import absolute, failing_rows, failure, file_url, gated, gated_errors, links
from pipelines.partitions import yearly_partitions
from pipelines.resources import SamverkanSettings
from samverkan import quality
from samverkan.contract import DATASETS
from samverkan.report.labels import DATASET_NAMES

GATE = "data_gate"
QUARANTINES = {f"{name}_quarantine": AssetIn(f"{name}_quarantine") for name in DATASETS}
VERDICTS = {f"{name}_verdict": AssetIn(f"{name}_verdict") for name in DATASETS}


def _by_dataset(frames: dict[str, pd.DataFrame], suffix: str) -> dict[str, pd.DataFrame]:
    return {name: frames[f"{name}{suffix}"] for name in DATASETS}


@multi_asset(
    name="data_quality",
    outs={
        "quality_problems": AssetOut(
            description="Varje rad i årets inkorg som ligger i karantän, med fil, rad, kolumn, regel och meddelande "
                        "(quality.csv; quality.xlsx visar raderna som de lästes).", group_name="quality",
            owners=[OWNER], kinds={"pandas", "csv", "excel"}),
        "quality_summary": AssetOut(
            description="Rader in, godkända och i karantän per dataset (quality_summary.csv).", group_name="quality",
            owners=[OWNER], kinds={"pandas", "csv"}),
    },
    ins={**QUARANTINES, **VERDICTS},
    partitions_def=yearly_partitions,
)
@gated_errors
def data_quality(context: AssetExecutionContext, settings: SamverkanSettings, **frames: pd.DataFrame):
    quarantines = _by_dataset(frames, "_quarantine")
    problems, summary = quality.combine(quarantines, _by_dataset(frames, "_verdict"))
    out = settings.out_path(int(context.partition_key))
    problems_path, summary_path, workbook_path = quality.write_extracts(
        out, problems, summary, quality.rows_as_read(quarantines), lambda name: DATASET_NAMES.get(name, name))
    table = "\n".join(f"| {r.dataset} | {r.rows_in} | {r.accepted} | {r.quarantined} |"
                      for r in summary.itertuples())
    markdown = f"| dataset | rader in | godkända | karantän |\n|---|---|---|---|\n{table}\n"
    docs = gx.build_data_docs(gx.context_dir(settings.expectations_dir))
    docs_metadata = {"data_docs": absolute(docs), **links(data_docs_link=docs)} if docs else {}
    if docs:
        markdown += f"\nGreat Expectations Data Docs: [{docs}]({file_url(docs)})\n"
    folder = links(output_folder=out, workbook_link=workbook_path)
    yield Output(problems, output_name="quality_problems",
                 metadata=gated({"extract": absolute(problems_path), "workbook": absolute(workbook_path),
                           "problems": len(problems), "failing_rows": failing_rows(problems), **folder,
                           **docs_metadata}))
    yield Output(summary, output_name="quality_summary",
                 metadata=gated({"extract": absolute(summary_path), "quarantined": int(summary["quarantined"].sum()),
                           "summary": MetadataValue.md(markdown), **folder}))


@asset(name=GATE, ins=VERDICTS, partitions_def=yearly_partitions, group_name="quality", owners=[OWNER],
       kinds={"pandas"},
       description="Omdömet för varje dataset; fallerar och namnger de dataset som inte kan användas, så att liggaren "
                   "och rapporten stoppas.")
@gated_errors
def data_gate(**verdicts: pd.DataFrame) -> pd.DataFrame:
    # The description above is the UI's; this function only stops what must stop.
    frame = pd.concat([verdicts[f"{name}_verdict"] for name in DATASETS], ignore_index=True)
    message = quality.gate_message(frame)
    if message is not None:
        raise failure(description=message, metadata={
            "unusable": MetadataValue.json(frame.loc[~frame["usable"], "dataset"].tolist())})
    return frame
