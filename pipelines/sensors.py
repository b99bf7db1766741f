"""The steward notice sensor: after a run whose data_contract checks failed, tell the data steward.

A run with only WARN failures succeeds and a run with an ERROR failure fails
(``data_gate`` stops the ledger and the report), so two run-status sensors share
one function. The extracts the notice points to are always there: the quality
step does not depend on the gate. The year's output folder comes from the run itself: the partition
tag gives the year and the run config's ``resources.settings.config.out_dir``
the folder (the code location's default settings when the run did not set it),
so the notice lands beside the extracts of exactly that run.

``samverkan run`` calls ``notify_steward`` directly after its run, since no
daemon may be running; a marker file keeps the same run from being mailed twice.
"""

import os
from collections.abc import Mapping
from pathlib import Path

from dagster import (
    DagsterEventType,
    DagsterInstance,
    DagsterRun,
    DagsterRunStatus,
    DefaultSensorStatus,
    RunStatusSensorContext,
    run_status_sensor,
)

from pipelines.outputs import run_folder
from pipelines.resources import SamverkanSettings
from samverkan import steward
from samverkan.unread import unread_for_run

CHECK_NAME = "data_contract"
PARTITION_TAG = "dagster/partition"


def _value(metadata: Mapping, key: str, default=None):
    item = metadata.get(key)
    return default if item is None else getattr(item, "value", item)


def check_outcomes(instance: DagsterInstance, run_id: str) -> list[steward.CheckOutcome]:
    outcomes = []
    for record in instance.all_logs(run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION):
        evaluation = record.dagster_event.event_specific_data if record.dagster_event else None
        if evaluation is None or evaluation.check_name != CHECK_NAME:
            continue
        metadata = evaluation.metadata or {}
        outcomes.append(steward.CheckOutcome(
            dataset=evaluation.asset_key.to_user_string(),
            passed=bool(evaluation.passed),
            severity=str(getattr(evaluation.severity, "value", evaluation.severity)),
            rows_in=int(_value(metadata, "rows_in", 0)),
            accepted=int(_value(metadata, "accepted", 0)),
            quarantined=int(_value(metadata, "quarantined", 0)),
            headline=evaluation.description or "",
            dataset_errors=tuple(_value(metadata, "dataset_errors", []) or []),
            failed_expectations=tuple(_value(metadata, "failed_expectations", []) or []),
            disagreements=tuple(_value(metadata, "gx_disagreements", []) or []),
            cascades=tuple(_value(metadata, "cascades", []) or []),
        ))
    return outcomes


def _settings_config(run: DagsterRun) -> dict:
    return ((run.run_config or {}).get("resources", {}).get("settings", {}) or {}).get("config", {}) or {}


def run_out_dir(run: DagsterRun) -> Path | None:
    # The folder that holds the run's extracts: a failed run's staging folder, not the published one.
    return run_folder(run)


def _data_docs(instance: DagsterInstance, run_id: str) -> str | None:
    for record in instance.all_logs(run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION):
        evaluation = record.dagster_event.event_specific_data if record.dagster_event else None
        docs = _value((evaluation.metadata or {}) if evaluation else {}, "data_docs")
        if docs:
            return str(docs)
    return None


def notify_steward(instance: DagsterInstance, run: DagsterRun, env: Mapping[str, str] | None = None,
                   log=None) -> Path | None:
    """Write (and mail) the steward notice for ``run`` when one of its checks failed; the notice's path."""
    outcomes = check_outcomes(instance, run.run_id)
    out = run_out_dir(run)
    settings = _settings_config(run)
    unread = unread_for_run(settings.get("inbox_dir") or os.environ.get("SAMVERKAN_INBOX")
                            or SamverkanSettings().inbox_dir, settings.get("profile_file") or None)
    if out is None or not steward.needs_notice(outcomes, unread):
        return None
    env = os.environ if env is None else env
    year = run.tags.get(PARTITION_TAG, "")
    text = steward.notice_markdown(year, run.run_id, outcomes, out, _data_docs(instance, run.run_id), unread)
    path = steward.write_notice(out, text)
    if not steward.already_sent(out, run.run_id):
        try:
            if steward.send_notice(steward.subject(year, outcomes, unread), text, env):
                steward.mark_sent(out, run.run_id)
        except OSError as exc:  # smtplib errors are OSErrors; the file is the notice of record
            if log is not None:
                log.error(f"e-post till förvaltaren kunde inte skickas ({exc}); notisen finns i {path}")
    return path


def _steward_sensor(status: DagsterRunStatus, name: str):
    @run_status_sensor(
        run_status=status,
        name=name,
        description="Skriver en granskningsnotis till dataförvaltaren (och e-post om SMTP är satt) när "
                    "en körnings data_contract-kontroller fallerar.",
        default_status=DefaultSensorStatus.RUNNING,
        monitor_all_code_locations=False,
    )
    def _sensor(context: RunStatusSensorContext) -> None:
        path = notify_steward(context.instance, context.dagster_run, log=context.log)
        if path is not None:
            context.log.info(f"granskningsnotis skriven: {path}")

    return _sensor


steward_notice_after_success = _steward_sensor(DagsterRunStatus.SUCCESS, "steward_notice_after_success")
steward_notice_after_failure = _steward_sensor(DagsterRunStatus.FAILURE, "steward_notice_after_failure")
steward_sensors = [steward_notice_after_success, steward_notice_after_failure]
