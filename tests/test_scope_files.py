"""A limited run must use the files of the full run it joins: compared with the digests the full run recorded
when it read them, not with whatever lies at the recorded path now."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from dagster import DagsterInstance, DagsterRun

from pipelines.resources import RUN_FILES_TAG, SamverkanSettings, record_run_files
from pipelines.scope import ScopeError, check_same_files
from samverkan.ledger.parameters import default_parameters_file


def _full_run(instance: DagsterInstance, tmp_path: Path, **files: str) -> DagsterRun:
    settings = SamverkanSettings(inbox_dir=str(tmp_path), out_dir=str(tmp_path / "out"), **files)
    run = instance.add_run(DagsterRun(job_name="samverkansbokslut", run_id="a" * 36, tags={},
                                      run_config={"resources": {"settings": {"config": files}}}))
    record_run_files(instance, run, settings)
    return instance.get_run_by_id(run.run_id)


def test_a_parameters_file_edited_after_the_full_run_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("discount_rate:\n  value: 0.03\n", encoding="utf-8")
    with DagsterInstance.ephemeral() as instance:
        run = _full_run(instance, tmp_path, parameters_file=str(path))
        assert set(json.loads(run.tags[RUN_FILES_TAG])) == {"parameters_file", "rules_file", "catalogue_file"}
        check_same_files(instance, run.run_id, {"parameters_file": str(path)})
        path.write_text("discount_rate:\n  value: 0.05\n", encoding="utf-8")
        with pytest.raises(ScopeError, match="samma filer för parametrar som årets senaste fullständiga körning"):
            check_same_files(instance, run.run_id, {"parameters_file": str(path)})


def test_a_copy_of_the_shipped_file_is_the_shipped_file(tmp_path: Path) -> None:
    copy = shutil.copyfile(default_parameters_file(), tmp_path / "parameters.yaml")
    with DagsterInstance.ephemeral() as instance:
        run = _full_run(instance, tmp_path)
        check_same_files(instance, run.run_id, {"parameters_file": str(copy)})
        check_same_files(instance, run.run_id, {})
        other = tmp_path / "r.yaml"
        other.write_text("version: x\n", encoding="utf-8")
        with pytest.raises(ScopeError, match="regler"):
            check_same_files(instance, run.run_id, {"rules_file": str(other)})


def test_the_digests_are_recorded_once_by_the_first_step(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("discount_rate:\n  value: 0.03\n", encoding="utf-8")
    with DagsterInstance.ephemeral() as instance:
        run = _full_run(instance, tmp_path, parameters_file=str(path))
        first = run.tags[RUN_FILES_TAG]
        path.write_text("discount_rate:\n  value: 0.05\n", encoding="utf-8")
        record_run_files(instance, run, SamverkanSettings(inbox_dir=str(tmp_path), out_dir=str(tmp_path),
                                                          parameters_file=str(path)))
        assert instance.get_run_by_id(run.run_id).tags[RUN_FILES_TAG] == first
