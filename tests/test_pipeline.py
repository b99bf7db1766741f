"""Materialise a year partition end to end with an ephemeral instance."""

import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from dagster import DagsterInstance, materialize

from assets.flow import participant_flow
from assets.ingest import ingest_assets
from samverkan.files import read_csv_extract

ROOT = Path(__file__).resolve().parents[1]


def write_inbox(path: Path) -> Path:
    path.mkdir()
    (path / "projects.csv").write_text(
        "project_id,forbund,name,start_date,end_date,orientation\n"
        "A1,Förbund A,Steg,2022-01-01,,individinriktad\n"
        "B1,Förbund B,Bron,2023-01-01,2024-12-31,individinriktad\n",
        encoding="utf-8",
    )
    (path / "participants.csv").write_text(
        "participant_id;project_id;gender;birth_year;enrolled_on;exited_on;support_before;support_after;"
        "occupation_before;occupation_after;exit_reason\n"
        "p1;A1;K;1990;2023-05-01;2024-03-01;forsorjningsstod;lon;arbetssokande;arbete;arbete\n"
        "p2;A1;M;1985;2024-02-01;;sjukpenning:50;;arbetssokande;;\n"
        "p3;A1;K;1999;2024-04-01;2024-10-01;aktivitetsstod;aktivitetsstod;arbetssokande;arbetssokande;avbrott\n"
        "p4;B1;X;2001;2024-01-10;2024-06-01;ingen;studiemedel;ovrigt;studier;studier\n"
        "p5;B1;M;1970;2024-01-10;2024-02-01;ingen;;ovrigt;;felregistrering\n"
        "p6;Z9;M;1970;2024-01-10;2024-02-01;ingen;;ovrigt;;avbrott\n",
        encoding="utf-8",
    )
    return path


def test_materialise_2024(tmp_path: Path, pipeline_resources) -> None:
    inbox = write_inbox(tmp_path / "inbox")
    result = materialize(
        [*ingest_assets, participant_flow],
        partition_key="2024",
        instance=DagsterInstance.ephemeral(),
        resources=pipeline_resources(inbox),
    )
    assert result.success
    flow = read_csv_extract(tmp_path / "out" / "2024" / "participant_flow.csv")
    assert list(flow.columns) == ["forbund", "year", "participants", "enrolled", "exited", "to_work_or_studies",
                                  "share_work_or_studies", "long_support_before", "share_long_support_before",
                                  "median_days_in_effort"]
    this_year = flow[flow["year"] == 2024].set_index("forbund").iloc[:, :6]
    assert this_year.loc["Förbund A"].tolist() == [2024, 3, 2, 2, 1, 0.5]
    assert this_year.loc["Förbund B"].tolist() == [2024, 1, 1, 1, 1, 1.0]  # p5 (felregistrering) is no participant
    # The orphan episode p6 is quarantined, not silently dropped.
    quarantine = result.output_for_node("ingest_participants", "participants_quarantine")
    assert quarantine[["source_row", "rule"]].values.tolist() == [[7, "unknown_project"]]
    accepted = result.output_for_node("ingest_participants", "participants")
    assert len(accepted) + quarantine[["source_file", "source_row"]].drop_duplicates().shape[0] == 6
    assert (tmp_path / "storage" / "participant_flow" / "2024.parquet").exists()


@pytest.mark.slow
def test_samverkan_run_on_a_synthetic_inbox(tmp_path: Path, small_inbox: Path) -> None:
    out = tmp_path / "out"
    # A short TMPDIR of the run's own: the forkserver's socket lives there too, and AF_UNIX paths are short.
    with tempfile.TemporaryDirectory(prefix="sv-") as scratch:
        env = {"DAGSTER_HOME": str(tmp_path / "home"), "SAMVERKAN_STORAGE": str(tmp_path / "storage"),
               "PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "TMPDIR": scratch}
        command = [str(Path(sys.executable).parent / "samverkan"), "run", "--inbox", str(small_inbox),
                   "--year", "2024", "--out", str(out)]
        first = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        assert first.returncode == 0, first.stderr
        # WeasyPrint's font folders (one per process that renders, the forkserver's included) are all removed.
        assert not list(Path(scratch).glob("weasyprint-*"))
    flow = read_csv_extract(out / "participant_flow.csv")
    assert set(flow["year"]) == {2020, 2021, 2022, 2023, 2024}
    assert (flow["participants"] >= flow["exited"]).all()
    assert (tmp_path / "home" / "dagster.yaml").exists()  # the configured instance was used
    assert "klart: 2024" in first.stdout
    # Byte-identical re-runs are shown by tests/test_crash.py and the report tests.


def test_run_refuses_an_unfinished_year(tmp_path: Path, small_inbox: Path) -> None:
    from pipelines.run import run_year

    with pytest.raises(ValueError, match="finns inte som partition"):
        run_year(small_inbox, 2099, tmp_path, instance=DagsterInstance.ephemeral())


def test_the_command_line_hands_workers_to_the_run_not_to_the_environment(monkeypatch, tmp_path: Path) -> None:
    """``--workers`` becomes the executor's run config for that run (pipelines/run.py); nothing is set in the
    environment for the pipeline to read when it is imported."""
    import os

    import pipelines.cli as cli
    import pipelines.cli_run as cli_run
    import pipelines.run as run

    seen: dict = {}

    def fake_run_year(inbox: Path, year: int, out: Path, **kwargs: object) -> run.YearRun:
        seen.update(kwargs, year=year)
        return run.YearRun(True, "körning", [], out)

    monkeypatch.delenv("SAMVERKAN_WORKERS", raising=False)
    monkeypatch.setattr(run, "run_year", fake_run_year)
    monkeypatch.setattr(cli_run, "_start_workers_early", lambda args: None)
    monkeypatch.setattr(cli_run, "_steward_view", lambda run_id, out: None)
    argv = ["run", "--inbox", str(tmp_path), "--year", "2024", "--out", str(tmp_path / "ut"), "--workers", "3"]
    assert cli.main(argv) == 0
    assert seen == {"year": 2024, "in_process": False, "workers": 3}
    assert "SAMVERKAN_WORKERS" not in os.environ
