from dagster import AssetSelection, define_asset_job

from pipelines.partitions import yearly_partitions

# The whole annual bokslut for one year: ingest, validation, ledger, success levels, report.
samverkansbokslut_job = define_asset_job(
    "samverkansbokslut",
    selection=AssetSelection.all(),
    partitions_def=yearly_partitions,
    description="Everything for one year's samverkansbokslut, from inbox to report.",
)
