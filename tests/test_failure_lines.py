"""A failing run says its root cause in one Swedish line per failure; the chain only with --debug."""

from __future__ import annotations

from dagster import DagsterInstance
from dagster._utils.error import SerializableErrorInfo

from pipelines.run import root_cause, run_year


def test_the_innermost_cause_without_class_names():
    inner = SerializableErrorInfo("samverkan.readers.ReadError: deltagare.csv rad 3: citattecknet stängs aldrig\n",
                                  [], "ReadError")
    outer = SerializableErrorInfo("dagster._core.errors.DagsterExecutionStepExecutionError: Error occurred while "
                                  "executing op \"ingest_participants\":\n", ["  File x\n"], "Wrapper", cause=inner)
    assert root_cause(outer) == "deltagare.csv rad 3: citattecknet stängs aldrig"


def test_a_stopped_year_prints_its_cause_not_dagsters_wrapper(tmp_path):
    inbox = tmp_path / "inkorg"
    inbox.mkdir()
    (inbox / "participants.csv").write_text("participant_id,project_id\nD1,P1\n", encoding="utf-8")
    outcome = run_year(inbox, 2024, tmp_path / "ut", instance=DagsterInstance.ephemeral(), in_process=True)
    assert not outcome.success
    assert outcome.failures, outcome
    for line in outcome.failures:
        assert "\n" not in line and "Error occurred" not in line and "Traceback" not in line
    assert any(line.startswith("data_gate: ") and "projects" in line for line in outcome.failures), outcome.failures
    assert any("File " in chain for chain in outcome.tracebacks)
