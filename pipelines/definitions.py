"""The one code location: every asset in assets/, the jobs, schedules, sensors and resources."""

from __future__ import annotations

import os

from dagster import (
    Definitions,
    load_asset_checks_from_package_module,
    load_assets_from_package_module,
)

import assets
from pipelines.alerts import run_failure_notice
from pipelines.io_manager import ParquetIOManager, PickleIOManager
from pipelines.jobs import samverkansbokslut_job, select_executor
from pipelines.outputs import staging_marked_failed
from pipelines.preload import executor_name
from pipelines.resources import deployment_settings
from pipelines.scenario_job import scenario_run_job
from pipelines.schedules import annual_samverkansbokslut
from pipelines.sensors import steward_sensors

defs = Definitions(
    assets=load_assets_from_package_module(assets),
    asset_checks=load_asset_checks_from_package_module(assets),
    jobs=[samverkansbokslut_job, scenario_run_job],
    schedules=[annual_samverkansbokslut],
    # The one choice made when the definitions load; the executor's numbers are resolved when a run starts.
    executor=select_executor(executor_name()),
    sensors=[run_failure_notice, *steward_sensors, staging_marked_failed],
    resources={
        "settings": deployment_settings(os.environ),
        "io_manager": ParquetIOManager(),
        # Pickles passed between the report's per-förbund steps (inputs bundle, rendered records).
        "intermediate_io_manager": PickleIOManager(),
    },
)
