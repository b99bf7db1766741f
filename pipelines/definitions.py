"""The one code location: every asset in assets/, the jobs, schedules, sensors and resources."""

from __future__ import annotations

from dagster import (
    Definitions,
    load_asset_checks_from_package_module,
    load_assets_from_package_module,
)

import assets
from pipelines.alerts import run_failure_notice
from pipelines.io_manager import ParquetIOManager, PickleIOManager
from pipelines.jobs import executor, samverkansbokslut_job
from pipelines.resources import SamverkanSettings
from pipelines.schedules import annual_samverkansbokslut
from pipelines.sensors import steward_sensors

defs = Definitions(
    assets=load_assets_from_package_module(assets),
    asset_checks=load_asset_checks_from_package_module(assets),
    jobs=[samverkansbokslut_job],
    schedules=[annual_samverkansbokslut],
    executor=executor,
    sensors=[run_failure_notice, *steward_sensors],
    resources={
        "settings": SamverkanSettings(),
        "io_manager": ParquetIOManager(),
        # Pickles passed between the report's per-förbund steps (inputs bundle, rendered records).
        "intermediate_io_manager": PickleIOManager(),
    },
)
