"""The Dagster side of output folders: which folder a run wrote, publishing it, and marking a failed run.

The folder logic itself is in samverkan/publish.py and samverkan/manifest.py; here are only what a Dagster run
knows (its id, its root, its run config, its selection) and the sensor that marks a failed run's staging
folder when the run was launched from the UI or a schedule (``samverkan run`` marks it itself, since no daemon
may be running). A run killed outright gets no sensor either: the next run of the year marks it
(``samverkan.publish.abandon_others``).
"""

from __future__ import annotations

import os
from pathlib import Path

from dagster import DagsterRun, DefaultSensorStatus, RunFailureSensorContext, run_failure_sensor

from pipelines.resources import SamverkanSettings, publishes
from samverkan.manifest import FAILED, RUNNING, read_manifest
from samverkan.publish import mark, staging_folder, versions

PARTITION_TAG = "dagster/partition"


def published_of(run: DagsterRun) -> Path | None:
    """The year's published folder for ``run``: its run config's ``out_dir``, else the code location's."""
    year = run.tags.get(PARTITION_TAG)
    if not year:
        return None
    config = ((run.run_config or {}).get("resources", {}).get("settings", {}) or {}).get("config", {}) or {}
    template = config.get("out_dir") or os.environ.get("SAMVERKAN_OUT") or SamverkanSettings().out_dir
    return Path(template.format(year=year))


def run_staging(run: DagsterRun) -> Path | None:
    published = published_of(run)
    if published is None or not publishes(run):
        return None
    return staging_folder(published, run.root_run_id or run.run_id)


def run_folder(run: DagsterRun) -> Path | None:
    """The folder holding what ``run`` wrote: its staging folder while it has not been published (running or
    failed), else the version it published into, else the published folder."""
    published = published_of(run)
    if published is None:
        return None
    staging = run_staging(run)
    if staging is not None and staging.is_dir():
        return staging
    for folder in reversed(versions(published)):
        if (read_manifest(folder) or {}).get("run_id") == run.run_id:
            return folder
    return published


def mark_failed(run: DagsterRun, reasons: list[str]) -> Path | None:
    """Mark ``run``'s staging folder ``misslyckad`` with its failures; the folder, or None when it has none."""
    staging = run_staging(run)
    if staging is None or not staging.is_dir():
        return None
    if (read_manifest(staging) or {}).get("status", RUNNING) == RUNNING:
        mark(staging, FAILED, "; ".join(reasons) or "körningen misslyckades")
    return staging


@run_failure_sensor(
    name="staging_marked_failed",
    description="Markerar en misslyckad körnings arbetsmapp som misslyckad i dess run.json; den publicerade "
                "mappen lämnas orörd.",
    default_status=DefaultSensorStatus.RUNNING,
    monitor_all_code_locations=False,
)
def staging_marked_failed(context: RunFailureSensorContext) -> None:
    reason = context.failure_event.message or "körningen misslyckades"
    folder = mark_failed(context.dagster_run, [reason.splitlines()[0]])
    if folder is not None:
        context.log.info(f"arbetsmappen {folder} markerad som misslyckad")
