"""The steward view of a year: every quarantined row with its reason, the counts per dataset, and Data Docs.

The ingest checkpoints only store their Great Expectations results; this asset, which runs after every
ingest step of the run, rebuilds the Data Docs site once from them (see ``pipelines.gx.build_data_docs``).
"""

import pandas as pd
from dagster import AssetExecutionContext, AssetKey, AssetOut, MetadataValue, Output, multi_asset

from pipelines import gx
from pipelines.partitions import yearly_partitions
from pipelines.resources import SamverkanSettings
from samverkan import quality
from samverkan.contract import DATASETS


@multi_asset(
    name="data_quality",
    outs={
        "quality_problems": AssetOut(
            description="Every quarantined row of the year's inbox with file, row, column, rule and message "
                        "(quality.csv).", group_name="quality"),
        "quality_summary": AssetOut(
            description="Rows in, accepted and quarantined per dataset (quality_summary.csv).", group_name="quality"),
    },
    deps=[AssetKey(f"{name}_quarantine") for name in DATASETS],
    partitions_def=yearly_partitions,
)
def data_quality(context: AssetExecutionContext, settings: SamverkanSettings):
    year = int(context.partition_key)
    out = settings.out_path(year)
    # The ingest steps leave their parts in the output folder, so a dataset error elsewhere cannot hide them.
    problems_path, summary_path = quality.write_extracts(out)
    problems, summary = quality.read_parts(out)
    table = "\n".join(f"| {r.dataset} | {r.rows_in} | {r.accepted} | {r.quarantined} |"
                      for r in summary.itertuples())
    markdown = f"| dataset | rader in | godkända | karantän |\n|---|---|---|---|\n{table}\n"
    docs = gx.build_data_docs(gx.context_dir(settings.expectations_dir))
    docs_metadata = {"data_docs": MetadataValue.path(str(docs))} if docs else {}
    if docs:
        markdown += f"\nGreat Expectations Data Docs: `{docs}`\n"
    yield Output(problems, output_name="quality_problems",
                 metadata={"extract": str(problems_path), "problems": len(problems), **docs_metadata})
    yield Output(summary.astype({c: "int64" for c in ("rows_in", "accepted", "quarantined")}),
                 output_name="quality_summary",
                 metadata={"extract": str(summary_path),
                           "quarantined": int(pd.to_numeric(summary["quarantined"]).sum()),
                           "summary": MetadataValue.md(markdown)})
