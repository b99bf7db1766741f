import os
from pathlib import Path

import pandas as pd
import pytest
from dagster import build_input_context, build_output_context

from pipelines.io_manager import ParquetIOManager
from samverkan.files import formula_safe, write_bytes_atomic


def test_round_trip_per_partition(tmp_path: Path) -> None:
    manager = ParquetIOManager(base_dir=str(tmp_path))
    frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    manager.handle_output(build_output_context(asset_key="ledger", partition_key="2024"), frame)
    assert (tmp_path / "ledger" / "2024.parquet").exists()
    loaded = manager.load_input(build_input_context(asset_key="ledger", partition_key="2024"))
    pd.testing.assert_frame_equal(loaded, frame)


def test_crash_while_writing_keeps_the_old_file_and_leaves_no_temp(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "x.parquet"
    write_bytes_atomic(target, b"old complete content")

    def crash(src: str, dst: str) -> None:
        raise OSError("simulated crash before rename")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="simulated"):
        write_bytes_atomic(target, b"new")
    assert target.read_bytes() == b"old complete content"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.parquet"]


def test_killed_writer_leaves_only_a_temp_file_never_a_half_target(tmp_path: Path, monkeypatch) -> None:
    # If the process dies mid-write, what exists under the real name is still the previous version.
    target = tmp_path / "x.csv"
    write_bytes_atomic(target, b"v1")
    real_fsync = os.fsync

    def die(fd: int) -> None:
        real_fsync(fd)
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", die)
    with pytest.raises(KeyboardInterrupt):
        write_bytes_atomic(target, b"v2" * 1000)
    assert target.read_bytes() == b"v1"
    assert not list(tmp_path.glob("*.tmp"))


def test_missing_partition_says_what_to_do(tmp_path: Path) -> None:
    manager = ParquetIOManager(base_dir=str(tmp_path))
    with pytest.raises(FileNotFoundError, match="2023 är inte materialiserad"):
        manager.load_input(build_input_context(asset_key="ledger", partition_key="2023"))


def test_formula_cells_are_defused() -> None:
    frame = pd.DataFrame({"name": ['=HYPERLINK("x")', "+46 70", "-", "@SUM", "vanlig"], "n": [1, -2, 3, 4, 5],
                          "neg": ["-5", "-1,5", "x", "y", "z"]})
    safe = formula_safe(frame)
    assert safe["name"].tolist() == ["'=HYPERLINK(\"x\")", "'+46 70", "'-", "'@SUM", "vanlig"]
    assert safe["n"].tolist() == [1, -2, 3, 4, 5]
    assert safe["neg"].tolist()[0] == "-5"


def test_pickles_between_report_steps_round_trip_per_mapping_key(tmp_path: Path) -> None:
    """The intermediate pickles: one file per run, step, output and dynamic mapping key, as Dagster's
    FilesystemIOManager laid them out, and a clear error when a re-execution finds one missing."""
    from pipelines.io_manager import PickleIOManager

    manager = PickleIOManager(base_dir=str(tmp_path))
    for key, name in (("finsam_vast", "Finsam Väst"), ("ostra", "Östra")):
        out = build_output_context(run_id="run-1", step_key="report_inputs", name="forbund", mapping_key=key)
        manager.handle_output(out, name)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()) == [
        "run-1/report_inputs/forbund/finsam_vast", "run-1/report_inputs/forbund/ostra"]
    upstream = build_output_context(run_id="run-1", step_key="report_inputs", name="forbund", mapping_key="ostra")
    assert manager.load_input(build_input_context(upstream_output=upstream)) == "Östra"
    missing = build_output_context(run_id="run-2", step_key="report_inputs", name="forbund", mapping_key="ostra")
    with pytest.raises(FileNotFoundError, match="report_inputs: mellanresultatet .* saknas"):
        manager.load_input(build_input_context(upstream_output=missing))
