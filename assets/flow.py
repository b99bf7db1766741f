"""Participant flow per förbund and year, the first figure of every samverkansbokslut."""


import pandas as pd
from dagster import AssetExecutionContext, MetadataValue, asset

from pipelines.metadata import gated, gated_errors, markdown_table
from pipelines.partitions import FIRST_YEAR, yearly_partitions
from pipelines.resources import SamverkanSettings
from samverkan.files import write_csv_atomic
from samverkan.flow import participant_flow as compute_flow

# The report shows the report year and the years before it.
HISTORY_YEARS = 5


@asset(partitions_def=yearly_partitions, group_name="outcomes", deps=["data_gate"])
@gated_errors
def participant_flow(
    context: AssetExecutionContext, settings: SamverkanSettings, participants: pd.DataFrame, projects: pd.DataFrame
) -> pd.DataFrame:
    """Participants, enrolled, exited and exited to work or studies, per förbund, for the report year and the
    four years before it; also participants with more than three years on public support before enrolment and
    the median days in the effort of the year's exits. felregistrering episodes are not participants."""
    year = int(context.partition_key)
    years = list(range(max(FIRST_YEAR, year - HISTORY_YEARS + 1), year + 1))
    flow = compute_flow(participants, projects, years)
    path = write_csv_atomic(flow, settings.out_path(year) / "participant_flow.csv")
    this_year = flow[flow["year"] == year]
    table = markdown_table(
        ["förbund", "deltagare", "nya", "avslutade", "till arbete/studier"],
        ((r.forbund, r.participants, r.enrolled, r.exited, r.to_work_or_studies) for r in this_year.itertuples()),
        right=(1, 2, 3, 4),
    )
    context.add_output_metadata(gated(
        {
            "extract": str(path),
            "participants": int(this_year["participants"].sum()),
            "summary": MetadataValue.md(table),
        }
    ))
    return flow
