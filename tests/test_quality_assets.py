"""The data_contract checks per partition, the steward extracts, and the steward notice sensor (with e-mail)."""

from __future__ import annotations

import email
import email.policy
import shutil
import socket
from pathlib import Path

import pandas as pd
import pytest
from aiosmtpd.controller import Controller
from dagster import (
    AssetCheckSeverity,
    AssetKey,
    DagsterEventType,
    DagsterInstance,
    Definitions,
    build_run_status_sensor_context,
    define_asset_job,
)

from assets.flow import participant_flow
from assets.ingest import ingest_assets
from assets.quality import data_gate, data_quality
from pipelines import gx
from pipelines.io_manager import ParquetIOManager
from pipelines.partitions import yearly_partitions
from pipelines.resources import SamverkanSettings
from pipelines.sensors import notify_steward, run_out_dir, steward_notice_after_failure, steward_notice_after_success
from samverkan import steward
from samverkan.contract import DATASETS
from samverkan.files import read_csv_extract

PARTICIPANTS_HEADER = ("participant_id;project_id;gender;birth_year;enrolled_on;exited_on;support_before;"
                       "support_after;occupation_before;occupation_after;exit_reason")


def run_year_job(tmp_path: Path, inbox: Path, instance: DagsterInstance):
    """Ingest, quality, the gate and one downstream asset, launched like `samverkan run` does: settings in the run
    config."""
    gx_dir = tmp_path / "gx"
    if not gx_dir.exists():
        gx.sync_context(gx_dir)
    defs = Definitions(
        assets=[*ingest_assets, data_quality, data_gate, participant_flow],
        jobs=[define_asset_job("year", partitions_def=yearly_partitions)],
        resources={"settings": SamverkanSettings(), "io_manager": ParquetIOManager(base_dir=str(tmp_path / "storage"))},
    )
    config = {"inbox_dir": str(inbox), "out_dir": str(tmp_path / "out" / "{year}"), "expectations_dir": str(gx_dir)}
    return defs.resolve_job_def("year").execute_in_process(
        partition_key="2024", instance=instance, run_config={"resources": {"settings": {"config": config}}},
        raise_on_error=False,
    )


def checks(result) -> dict[str, object]:
    return {e.asset_key.to_user_string(): e for e in result.get_asset_check_evaluations()}



class Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture()
def smtp_server():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, {"SAMVERKAN_SMTP_HOST": "127.0.0.1", "SAMVERKAN_SMTP_PORT": str(port),
                        "SAMVERKAN_SMTP_FROM": "pipeline@example.invalid",
                        "SAMVERKAN_STEWARD_TO": "forvaltare@example.invalid"}
    finally:
        controller.stop()


def test_checks_per_partition_and_extracts(tmp_path: Path, spoiled_inbox: Path) -> None:
    instance = DagsterInstance.ephemeral()
    result = run_year_job(tmp_path, spoiled_inbox, instance)
    assert result.success  # WARN does not block: accepted rows flow on
    found = checks(result)
    assert set(found) == {"projects", "project_costs", "participants", "project_events", "project_assessments"}
    participants = found["participants"]
    assert not participants.passed and participants.severity == AssetCheckSeverity.WARN
    assert participants.metadata["quarantined"].value > 0
    assert participants.partition == "2024"
    failed = {f["rule"] for f in participants.metadata["failed_expectations"].value}
    assert {"allowed_codes", "date_order", "duplicate_key"} <= failed
    assert "karantän" in participants.metadata["summary"].value
    for evaluation in found.values():
        m = evaluation.metadata
        assert m["rows_in"].value == m["accepted"].value + m["quarantined"].value

    out = tmp_path / "out" / "2024"
    problems = read_csv_extract(out / "quality.csv")
    summary = read_csv_extract(out / "quality_summary.csv")
    assert list(problems.columns) == ["dataset", "source_file", "source_row", "column", "rule", "rule_label",
                                      "message"]
    assert set(problems.loc[problems["rule"] == "date_order", "rule_label"]) == {"datum i fel ordning"}
    assert (out / "quality.xlsx").exists()
    assert list(summary.columns) == ["dataset", "rows_in", "accepted", "quarantined"]
    assert (summary["rows_in"] == summary["accepted"] + summary["quarantined"]).all()
    row = summary.set_index("dataset").loc["participants"]
    assert row["quarantined"] == participants.metadata["quarantined"].value
    distinct = problems[problems["dataset"] == "participants"][["source_file", "source_row"]].drop_duplicates()
    assert len(distinct) == row["quarantined"]
    stored = pd.read_parquet(tmp_path / "storage" / "quality_summary" / "2024.parquet")
    assert stored["quarantined"].tolist() == summary["quarantined"].tolist()
    assert (tmp_path / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html").exists()

    # The success-side sensor writes the notice beside the extracts, from the run config's out_dir.
    run = instance.get_run_by_id(result.run_id)
    assert run_out_dir(run) == out
    event = instance.all_logs(result.run_id, of_type=DagsterEventType.RUN_SUCCESS)[0].dagster_event
    context = build_run_status_sensor_context(sensor_name="steward_notice_after_success", dagster_event=event,
                                              dagster_instance=instance, dagster_run=run)
    steward_notice_after_success(context)
    notice = (out / steward.NOTICE_FILE).read_text(encoding="utf-8")
    assert "| participants | varning |" in notice
    assert "quality.csv" in notice


def test_unusable_dataset_blocks_downstream_and_steward_is_told(tmp_path: Path, smtp_server, monkeypatch) -> None:
    handler, env = smtp_server
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "projects.csv").write_text("project_id,forbund,name,start_date,orientation\n"
                                        "A1,Förbund A,Steg,2022-01-01,individinriktad\n", encoding="utf-8")
    # The export lost its gender column: the file cannot be used.
    header = PARTICIPANTS_HEADER.replace(";gender", "")
    (inbox / "participants_2024.csv").write_text(
        header + "\np1;A1;1990;2024-05-01;;forsorjningsstod;;arbetssokande;;\n", encoding="utf-8")
    instance = DagsterInstance.ephemeral()
    result = run_year_job(tmp_path, inbox, instance)

    assert not result.success
    participants = checks(result)["participants"]
    assert not participants.passed and participants.severity == AssetCheckSeverity.ERROR
    assert "participants_2024.csv" in participants.metadata["summary"].value
    assert "gender" in participants.metadata["summary"].value
    assert checks(result)["projects"].passed
    materialised = {e.asset_key for e in result.get_asset_materialization_events()}
    # The ingest steps and the quality extracts ran in full; the gate stopped what comes after it.
    assert {AssetKey("participants_quarantine"), AssetKey("participants_verdict"), AssetKey("quality_summary"),
            AssetKey("quality_problems")} <= materialised
    assert AssetKey("participant_flow") not in materialised and AssetKey("data_gate") not in materialised
    [gate] = [e for e in result.all_events if e.is_step_failure]
    assert gate.step_key == "data_gate"
    assert gate.step_failure_data.user_failure_data.description.splitlines()[0] == \
        "Årets bokslut stoppas: participants kan inte användas. Rätta filerna och kör året igen."
    assert "participants_2024.csv: obligatorisk kolumn saknas: gender" in \
        gate.step_failure_data.user_failure_data.description
    assert "participant_flow" not in {e.step_key for e in result.all_events if e.is_step_start}

    run = instance.get_run_by_id(result.run_id)
    event = instance.all_logs(result.run_id, of_type=DagsterEventType.RUN_FAILURE)[0].dagster_event
    context = build_run_status_sensor_context(sensor_name="steward_notice_after_failure", dagster_event=event,
                                              dagster_instance=instance, dagster_run=run)
    steward_notice_after_failure(context)

    out = tmp_path / "out" / "2024"
    notice = (out / steward.NOTICE_FILE).read_text(encoding="utf-8")
    assert "participants" in notice and "kan inte användas" not in notice.split("## Per dataset")[1]
    assert "Stoppar årets bokslut" in notice and "gender" in notice and "participants_2024.csv" in notice
    # quality.csv came through the graph, from the quarantine assets, although the run failed.
    problems = read_csv_extract(out / "quality.csv")
    assert problems[["dataset", "source_file", "source_row", "rule"]].values.tolist() == [
        ["participants", "participants_2024.csv", 2, "missing_column"]]
    assert len(handler.messages) == 1
    mail = handler.messages[0]
    assert mail.rcpt_tos == ["forvaltare@example.invalid"]
    message = email.message_from_bytes(mail.content, policy=email.policy.default)
    assert "participants kan inte användas" in message["Subject"]
    assert "participants_2024.csv" in message.get_content()

    # The same run is not mailed twice (sensor and `samverkan run` may both see it).
    assert notify_steward(instance, run, env=env) == out / steward.NOTICE_FILE
    assert len(handler.messages) == 1


def test_no_notice_when_every_check_passes(tmp_path: Path, small_inbox: Path) -> None:
    inbox = tmp_path / "clean"
    shutil.copytree(small_inbox, inbox)
    instance = DagsterInstance.ephemeral()
    result = run_year_job(tmp_path, inbox, instance)
    assert result.success
    assert all(e.passed for e in result.get_asset_check_evaluations())
    assert notify_steward(instance, instance.get_run_by_id(result.run_id), env={}) is None
    assert not (tmp_path / "out" / "2024" / steward.NOTICE_FILE).exists()
    assert read_csv_extract(tmp_path / "out" / "2024" / "quality_summary.csv")["quarantined"].sum() == 0


def test_unusable_projects_still_let_every_dataset_be_validated(tmp_path: Path, spoiled_inbox: Path) -> None:
    inbox = tmp_path / "inbox"
    shutil.copytree(spoiled_inbox, inbox)
    # The projects export lost its start_date column: projects cannot be used, and no project id is accepted.
    workbook = inbox / "projects.xlsx"
    pd.read_excel(workbook).drop(columns=["start_date"]).to_csv(inbox / "projects.csv", index=False)
    workbook.unlink()
    result = run_year_job(tmp_path, inbox, DagsterInstance.ephemeral())
    assert not result.success
    found = checks(result)
    assert set(found) == {"projects", "project_costs", "participants", "project_events", "project_assessments"}
    assert found["projects"].severity == AssetCheckSeverity.ERROR and not found["projects"].passed
    summary = read_csv_extract(tmp_path / "out" / "2024" / "quality_summary.csv")
    assert summary["dataset"].tolist() == list(DATASETS)
    # No project was accepted, so every participant row names an unknown project.
    participants = summary.set_index("dataset").loc["participants"]
    assert participants["accepted"] == 0 and participants["rows_in"] > 0


def test_the_gate_stands_in_front_of_everything_that_must_stop() -> None:
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    gate = AssetKey("data_gate")
    assert graph.get(gate).parent_keys == {AssetKey(f"{name}_verdict") for name in DATASETS}
    gated = {"ledger_contributions", "ledger_uncertainty", "success_levels", "participant_flow",
             "prerequisite_profiles", "ledger_lifetime", "ledger_lifetime_plan", "ledger_sensitivity"}
    assert {k.to_user_string() for k in graph.get(gate).child_keys} == gated
    # The report and the ledger come after the gated assets, so a failed gate skips them too.
    report = graph.get(AssetKey("samverkansbokslut_reports"))
    assert {AssetKey("participant_flow"), AssetKey("ledger"), AssetKey("success_levels")} <= report.parent_keys
    assert AssetKey("ledger_contributions") in graph.get(AssetKey("ledger")).parent_keys
    # The steward extracts read the quarantines and verdicts, never the gate.
    quality_parents = graph.get(AssetKey("quality_summary")).parent_keys
    assert quality_parents == {AssetKey(f"{name}{suffix}") for name in DATASETS
                               for suffix in ("_quarantine", "_verdict")}
