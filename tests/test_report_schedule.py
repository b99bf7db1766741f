"""The annual schedule renders the previous year's reports on 1 February at 06:00 Stockholm time."""

import datetime as dt
from zoneinfo import ZoneInfo

from dagster import RunRequest, SkipReason, build_schedule_context
from dagster._utils.schedules import cron_string_iterator

from pipelines.schedules import annual_samverkansbokslut

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def test_registered_on_the_partitioned_job():
    from pipelines.definitions import defs

    schedule = defs.resolve_schedule_def("annual_samverkansbokslut")
    assert schedule.job_name == "samverkansbokslut"
    assert schedule.execution_timezone == "Europe/Stockholm"


def test_next_ticks_are_1_february_0600_stockholm():
    start = dt.datetime(2026, 1, 15, 12, tzinfo=STOCKHOLM).timestamp()
    ticks = cron_string_iterator(start, annual_samverkansbokslut.cron_schedule, "Europe/Stockholm")
    first, second = next(ticks), next(ticks)
    assert first == dt.datetime(2026, 2, 1, 6, 0, tzinfo=STOCKHOLM)
    assert second == dt.datetime(2027, 2, 1, 6, 0, tzinfo=STOCKHOLM)
    assert first.utcoffset() == dt.timedelta(hours=1)  # winter time: 05:00 UTC


def test_tick_requests_previous_year_partition():
    context = build_schedule_context(scheduled_execution_time=dt.datetime(2026, 2, 1, 6, 0, tzinfo=STOCKHOLM))
    result = annual_samverkansbokslut(context)
    assert isinstance(result, RunRequest)
    assert result.partition_key == "2025"
    assert result.run_key == "samverkansbokslut-2025"


def test_tick_before_the_first_year_skips():
    context = build_schedule_context(scheduled_execution_time=dt.datetime(2018, 2, 1, 6, 0, tzinfo=STOCKHOLM))
    assert isinstance(annual_samverkansbokslut(context), SkipReason)
