"""The annual schedule: last year's samverkansbokslut, every 1 February at 06:00 Stockholm time.

A year partition exists once the year is over (pipelines/partitions.py), and the
January exports from SUS and the members' ledgers are in by the end of the month,
so on 1 February the schedule asks for the previous year's partition. A
partition-based helper (``build_schedule_from_partitioned_job``) can only offset
within the partition's own cadence (days and hours after 1 January), not by a
month, hence this explicit cron schedule. The run key is the year, so a tick
that is evaluated twice never starts two runs; re-running a year is done from
the UI (the job's partition) or with ``samverkan run --year``.
"""

from __future__ import annotations

from dagster import (
    DefaultScheduleStatus,
    RunRequest,
    ScheduleEvaluationContext,
    SkipReason,
    schedule,
)

from pipelines.jobs import samverkansbokslut_job
from pipelines.partitions import TIMEZONE, yearly_partitions

ANNUAL_CRON = "0 6 1 2 *"  # 06:00 on 1 February


def report_year_for(tick_year: int) -> str:
    """The partition a tick in ``tick_year`` renders: the year before."""
    return str(tick_year - 1)


@schedule(
    name="annual_samverkansbokslut",
    cron_schedule=ANNUAL_CRON,
    execution_timezone=TIMEZONE,
    job=samverkansbokslut_job,
    default_status=DefaultScheduleStatus.RUNNING,
    description="Renders last year's samverkansbokslut for every förbund on 1 February at 06:00 (Europe/Stockholm).",
)
def annual_samverkansbokslut(context: ScheduleEvaluationContext) -> RunRequest | SkipReason:
    scheduled = context.scheduled_execution_time
    key = report_year_for(scheduled.year)
    if key not in yearly_partitions.get_partition_keys(current_time=scheduled):
        return SkipReason(f"år {key} finns inte som partition (första året är {yearly_partitions.start.year})")
    return RunRequest(run_key=f"samverkansbokslut-{key}", partition_key=key,
                      tags={"samverkan/trigger": "annual_schedule"})
