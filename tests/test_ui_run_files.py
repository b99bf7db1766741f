"""From the UI (or the schedule) a bad parameters, rules or catalogue file fails the run's first steps, the
ingest, with the same lines `samverkan run` prints before it starts: nothing of the year is materialised."""

from __future__ import annotations

from pathlib import Path

from dagster import DagsterInstance

from pipelines.run import samverkansbokslut_job_def


def test_a_bad_parameters_file_fails_the_first_steps_and_materialises_nothing(
        tmp_path: Path, small_inbox: Path) -> None:
    bad = tmp_path / "bad_rate.yaml"
    bad.write_text("discount_rate:\n  value: 4\n", encoding="utf-8")
    config = {"inbox_dir": str(small_inbox), "out_dir": str(tmp_path / "out" / "{year}"),
              "parameters_file": str(bad)}
    with DagsterInstance.ephemeral() as instance:
        result = samverkansbokslut_job_def().execute_in_process(
            partition_key="2024", instance=instance, raise_on_error=False,
            run_config={"resources": {"settings": {"config": config},
                                      "io_manager": {"config": {"base_dir": str(tmp_path / "storage")}}}})
        assert not result.success
        materialised = [e.asset_key for e in result.all_events if e.is_step_materialization]
        assert materialised == []
        failed = {e.step_key: e.event_specific_data.error.message for e in result.all_events if e.is_step_failure}
        assert "ingest_projects" in failed  # the others wait for the projects, or fail on their own
        assert "parameterfilen bad_rate.yaml: discount_rate.value ska ligga mellan 0 och 0.2, fick 4" \
            in failed["ingest_projects"]
    assert not (tmp_path / "storage" / "projects").exists()
