"""The run lock: one run per year and scenario, first come first served, freed when the holder ends."""

from __future__ import annotations

import time

import pytest
from dagster import DagsterInstance, DagsterRunStatus, asset, materialize
from dagster._core.test_utils import create_run_for_test

from pipelines.resources import SamverkanSettings
from pipelines.run_lock import HOLDER_TAG, REFUSED, RunLockError, claim


@asset
def probe(settings: SamverkanSettings) -> int:
    return 1


def _run(instance: DagsterInstance, year: str = "2024", status=DagsterRunStatus.STARTED, **tags: str):
    run = create_run_for_test(instance, job_name="samverkansbokslut", status=status,
                              tags={"dagster/partition": year, **tags})
    time.sleep(0.002)  # distinct creation times, as two real launches have
    return run.run_id


def test_second_run_of_the_same_year_is_refused_in_swedish():
    instance = DagsterInstance.ephemeral()
    first, second = _run(instance), _run(instance)
    claim(instance, first)
    with pytest.raises(RunLockError, match=rf"året 2024 körs redan av körning {first[:8]}"):
        claim(instance, second)
    claim(instance, first)  # its own later steps go on
    assert instance.get_run_by_id(first).tags[HOLDER_TAG] == first
    assert instance.get_run_by_id(second).tags[HOLDER_TAG] == REFUSED


def test_the_run_created_first_wins_when_both_see_each_other():
    instance = DagsterInstance.ephemeral()
    first, second = _run(instance), _run(instance)
    with pytest.raises(RunLockError):
        claim(instance, second)  # the earlier one is in progress, even though it has not claimed yet
    claim(instance, first)


def test_other_years_scenarios_and_finished_runs_do_not_block():
    instance = DagsterInstance.ephemeral()
    holder = _run(instance)
    claim(instance, holder)
    claim(instance, _run(instance, year="2023"))
    claim(instance, _run(instance, **{"samverkan/scenario": "ranta-3"}))
    with pytest.raises(RunLockError, match="scenariot ranta-3"):
        claim(instance, _run(instance, **{"samverkan/scenario": "ranta-3"}))
    instance.report_run_failed(instance.get_run_by_id(holder))
    claim(instance, _run(instance))  # a failed (or killed) holder frees the year


def test_a_run_without_a_partition_is_not_locked():
    instance = DagsterInstance.ephemeral()
    run = create_run_for_test(instance, job_name="x", status=DagsterRunStatus.STARTED)
    claim(instance, run.run_id)
    assert HOLDER_TAG not in instance.get_run_by_id(run.run_id).tags


def test_a_refused_run_stays_refused_when_the_holder_has_finished():
    instance = DagsterInstance.ephemeral()
    holder, refused = _run(instance), _run(instance)
    claim(instance, holder)
    with pytest.raises(RunLockError):
        claim(instance, refused)
    instance.report_run_failed(instance.get_run_by_id(holder))
    with pytest.raises(RunLockError, match="fick inte köra"):
        claim(instance, refused)  # a later step of the refused run must not write over anything


def test_a_re_executed_run_does_not_inherit_the_lock_from_its_parent():
    instance = DagsterInstance.ephemeral()
    holder = _run(instance)
    claim(instance, holder)
    retry = _run(instance, **{HOLDER_TAG: holder})  # re-execution copies the parent's tags
    with pytest.raises(RunLockError):
        claim(instance, retry)


def test_every_step_with_the_settings_claims_the_year(tmp_path):
    """Through Dagster: a second run of the same year fails in its first step while the first is in progress."""
    instance = DagsterInstance.ephemeral()
    holder = _run(instance)
    claim(instance, holder)
    result = materialize([probe], instance=instance, resources={"settings": SamverkanSettings()},
                         tags={"dagster/partition": "2024"}, raise_on_error=False)
    assert not result.success
    failures = [str(e.event_specific_data) for e in result.all_events if "FAILURE" in e.event_type_value]
    assert any("året 2024 körs redan" in text for text in failures)
    instance.report_run_failed(instance.get_run_by_id(holder))
    assert materialize([probe], instance=instance, resources={"settings": SamverkanSettings()},
                       tags={"dagster/partition": "2024"}).success


def test_a_run_whose_launching_process_was_killed_frees_its_year():
    import socket
    import subprocess
    import sys

    from pipelines.run_lock import LAUNCHER_TAG

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    instance = DagsterInstance.ephemeral()
    killed = _run(instance, **{LAUNCHER_TAG: f"{socket.gethostname()}:{gone.stdout.strip()}"})
    claim(instance, killed)  # it held the year, then its process died without reporting
    claim(instance, _run(instance))  # the next run is not refused
    assert instance.get_run_by_id(killed).status == DagsterRunStatus.FAILURE
    # A run launched elsewhere (another host, the UI) is left to the daemon's run monitoring.
    elsewhere = _run(instance, year="2023", **{LAUNCHER_TAG: "another-host:1"})
    claim(instance, elsewhere)
    with pytest.raises(RunLockError):
        claim(instance, _run(instance, year="2023"))
