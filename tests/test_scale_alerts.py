"""The run-failure sensor: a failed run of any job leaves a notice file, and an e-mail when SMTP is set."""

import datetime as dt
import socket
import time
import warnings
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from dagster import BetaWarning, DagsterEventType, DagsterInstance, build_run_status_sensor_context

from pipelines.alerts import FailureNotice, run_failure_notice
from pipelines.definitions import defs
from pipelines.run import run_year


class Inbox:
    def __init__(self) -> None:
        self.messages: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(envelope.content.decode("utf-8", errors="replace"))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture()
def failed_run(tmp_path: Path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    # A projects file without its required columns makes the dataset unusable: the run fails.
    (inbox / "projects.csv").write_text("projekt;namn\nA1;Steg\n", encoding="utf-8")
    instance = DagsterInstance.ephemeral()
    outcome = run_year(inbox, 2024, tmp_path / "out", instance=instance, in_process=True)
    assert not outcome.success
    return instance, outcome


def _context(instance: DagsterInstance, run_id: str):
    record = instance.all_logs(run_id, of_type=DagsterEventType.RUN_FAILURE)[-1]
    # The notice names the job's partition and step, which the sensor looks up in the repository; passing it
    # is marked beta in Dagster 1.13, and the test says so once here instead of warning in every run.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BetaWarning)
        return build_run_status_sensor_context(
            sensor_name="run_failure_notice", dagster_event=record.dagster_event, dagster_instance=instance,
            dagster_run=instance.get_run_by_id(run_id), repository_def=defs.get_repository_def(),
        ).for_run_failure()


def test_failed_run_writes_a_notice_naming_job_year_and_step(failed_run, tmp_path: Path, monkeypatch) -> None:
    instance, outcome = failed_run
    alerts = tmp_path / "alerts"
    monkeypatch.setenv("SAMVERKAN_ALERTS_DIR", str(alerts))
    monkeypatch.delenv("SAMVERKAN_SMTP_HOST", raising=False)
    run_failure_notice(_context(instance, outcome.run_id))
    [notice] = alerts.glob("*.md")
    text = notice.read_text(encoding="utf-8")
    assert outcome.run_id[:8] in notice.name
    assert "Körningen av samverkansbokslut för 2024 misslyckades" in text
    assert f"`{outcome.run_id}`" in text
    # The gate stops the year and names the dataset; the ingest steps themselves succeed.
    assert "| `data_gate` |" in text and "projects kan inte användas" in text
    assert "`ingest_projects`" not in text
    assert "samverkan run --year 2024" in text


def test_failed_run_is_mailed_when_smtp_is_set(failed_run, tmp_path: Path, monkeypatch) -> None:
    instance, outcome = failed_run
    received = Inbox()
    port = _free_port()
    controller = Controller(received, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        monkeypatch.setenv("SAMVERKAN_ALERTS_DIR", str(tmp_path / "alerts"))
        monkeypatch.setenv("SAMVERKAN_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("SAMVERKAN_SMTP_PORT", str(port))
        monkeypatch.setenv("SAMVERKAN_ALERT_TO", "drift@example.org")
        monkeypatch.setenv("SAMVERKAN_SMTP_TO", "steward@example.org")
        run_failure_notice(_context(instance, outcome.run_id))
        deadline = time.monotonic() + 10
        while not received.messages and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        controller.stop()
    [message] = received.messages
    assert "To: drift@example.org" in message
    assert "data_gate" in message
    assert len(list((tmp_path / "alerts").glob("*.md"))) == 1


def test_notice_masks_personnummer_in_error_messages() -> None:
    notice = FailureNotice(
        run_id="0123456789abcdef", job_name="samverkansbokslut", partition="2024",
        failed_at=dt.datetime(2025, 2, 1, 6, 0, tzinfo=dt.UTC),
        run_message="Steg misslyckades för 19121212-1212",
        step_failures=[("ingest_participants", "participant_id 121212-1212 är ett personnummer\nmer text")],
    )
    text = notice.markdown()
    assert "1212-1212" not in text and "121212-1212" not in text
    assert "| `ingest_participants` |" in text


def test_sensor_watches_every_job_and_is_on_by_default() -> None:
    sensor = defs.resolve_sensor_def("run_failure_notice")
    assert sensor.default_status.value == "RUNNING"
    # No job list: a run-status sensor without monitored jobs watches every job of the code location
    # (Dagster has no public accessor for it in 1.13).
    assert not sensor._monitored_jobs
