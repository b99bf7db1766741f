from dagster import TimeWindowPartitionsDefinition

FIRST_YEAR = 2018
TIMEZONE = "Europe/Stockholm"

# One partition per calendar year; a year's partition exists once the year is over.
yearly_partitions = TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 1 *",
    start=str(FIRST_YEAR),
    fmt="%Y",
    timezone=TIMEZONE,
)
