"""Output folders through real runs of the job (`samverkan run` in-process): a run is published whole, an
unchanged rerun lays out no report, a failed run leaves the published folder as it was and its staging folder
marked, and an adopted year gets a new numbered version. One year's runs in sequence, on one instance."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from dagster import DagsterEventType, DagsterInstance

from pipelines.cli import main
from pipelines.run import run_year
from samverkan.files import read_csv_extract
from samverkan.manifest import DONE, FAILED, file_hashes, read_manifest

pytestmark = pytest.mark.slow

VOLATILE = ("run_id", "started_at", "finished_at", "moved_aside")


def _render_metadata(instance: DagsterInstance, run_id: str) -> tuple[list[dict], dict]:
    """Each render step's output metadata and collect_reports' (WeasyPrint calls are counted there)."""
    renders, collect = [], {}
    for record in instance.all_logs(run_id, of_type=DagsterEventType.STEP_OUTPUT):
        event = record.dagster_event
        metadata = {k: getattr(v, "value", v) for k, v in event.event_specific_data.metadata.items()}
        if event.step_key.startswith("samverkansbokslut_reports.render_forbund"):
            renders.append(metadata)
    for record in instance.all_logs(run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION):
        materialization = record.dagster_event.event_specific_data.materialization
        if materialization.asset_key.to_user_string() == "samverkansbokslut_reports":
            collect = {k: getattr(v, "value", v) for k, v in materialization.metadata.items()}
    return renders, collect


@pytest.fixture(scope="module")
def year(tmp_path_factory, small_inbox: Path) -> dict:
    root = tmp_path_factory.mktemp("outputs")
    out = root / "out" / "2024"
    instance = DagsterInstance.ephemeral()
    runs = {"first": run_year(small_inbox, 2024, out, instance=instance, in_process=True)}
    state = {"out": out, "instance": instance, "runs": runs, "after_first": file_hashes(out),
             "manifest_first": read_manifest(out)}
    # A förbund of an earlier run that is no longer in the inbox.
    (out / "fornsamverkan").mkdir()
    (out / "fornsamverkan" / "samverkansbokslut-fornsamverkan-2024.pdf").write_bytes(b"%PDF gammal")
    runs["second"] = run_year(small_inbox, 2024, out, instance=instance, in_process=True)
    state["after_second"], state["manifest_second"] = file_hashes(out), read_manifest(out)
    runs["failed"] = run_year(small_inbox, 2024, out, instance=instance, in_process=True, pdf_variant="pdf/x")
    state["after_failed"] = file_hashes(out)
    assert main(["adopt", "--year", "2024", "--out", str(root / "out" / "{year}")]) == 0
    runs["after_adoption"] = run_year(small_inbox, 2024, out, instance=instance, in_process=True)
    return state


def test_a_run_is_published_whole_with_its_manifest(year: dict) -> None:
    first, out = year["runs"]["first"], year["out"]
    assert first.success and first.out_dir == out
    manifest = year["manifest_first"]
    assert manifest["status"] == DONE and manifest["run_id"] == first.run_id and manifest["scope"] == "alla"
    assert manifest["complete"] is True and manifest["version"] == 1 and manifest["year"] == 2024
    assert set(manifest["files"]) == set(year["after_first"])
    assert {"reports.csv", "ledger.csv", "quality.csv"} <= set(manifest["files"])
    assert {r["dataset"] for r in manifest["inbox"]} >= {"projects", "participants"}
    assert {"Parameterversion", "Katalogversion", "Regelversion"} <= set(manifest["parameters"])
    reports = read_csv_extract(out / "reports.csv")
    for row in reports.itertuples():
        entry = manifest["reports"][row.forbund]
        assert entry["pdf"] == row.pdf and manifest["files"][row.pdf]["sha256"] == row.pdf_sha256
        assert len(entry["content_hash"]) == 64


def test_an_unchanged_rerun_lays_out_no_report_and_moves_a_stale_forbund_aside(year: dict) -> None:
    second, out, instance = year["runs"]["second"], year["out"], year["instance"]
    assert second.success
    renders, collect = _render_metadata(instance, second.run_id)
    assert len(renders) == 2 and all(r["reused"] is True and r["weasyprint_calls"] == 0 for r in renders)
    assert collect["weasyprint_calls"] == 0 and collect["reused"] == 2
    first_renders, first_collect = _render_metadata(instance, year["runs"]["first"].run_id)
    assert first_collect["weasyprint_calls"] == 2 and not any(r["reused"] for r in first_renders)
    # Byte for byte the same files, and a manifest that differs only in the run, its times and what it moved.
    assert year["after_second"] == year["after_first"]
    manifest = year["manifest_second"]
    assert {k: v for k, v in manifest.items() if k not in VOLATILE} == \
        {k: v for k, v in year["manifest_first"].items() if k not in VOLATILE}
    # The förbund no longer in the inbox is moved aside, with a note, and is not among the run's files.
    stale = "fornsamverkan/samverkansbokslut-fornsamverkan-2024.pdf"
    assert manifest["moved_aside"] == [stale] and stale not in manifest["files"]
    aside = out / "_tidigare" / year["runs"]["first"].run_id  # the run whose folder it was in
    assert (aside / stale).read_bytes() == b"%PDF gammal"
    assert second.run_id in (aside / "LASMIG.txt").read_text(encoding="utf-8")
    assert not (out / "fornsamverkan").exists()


def test_a_failed_run_leaves_the_published_folder_and_marks_its_staging_folder(year: dict) -> None:
    failed, out = year["runs"]["failed"], year["out"]
    assert not failed.success
    assert year["after_failed"] == year["after_second"]
    staging = failed.out_dir
    assert staging == out.with_name(f"2024.korning-{failed.run_id}")
    manifest = read_manifest(staging)
    assert manifest["status"] == FAILED and "pdf_variant" in manifest["reason"]
    assert (staging / "ledger.csv").exists()  # what the run wrote before it stopped, kept beside, marked


def test_an_adopted_year_stays_and_the_next_run_is_version_2(year: dict) -> None:
    rerun, out = year["runs"]["after_adoption"], year["out"]
    assert rerun.success
    v2 = out.with_name("2024-v2")
    assert rerun.out_dir == v2
    assert file_hashes(out) == year["after_second"]  # the adopted folder, byte for byte
    assert read_manifest(out)["adopted"]["version"] == 1
    assert not os.stat(out / "ledger.csv").st_mode & stat.S_IWUSR
    manifest = read_manifest(v2)
    assert manifest["version"] == 2 and manifest["based_on"]["folder"] == "2024"
    assert manifest["differences"][0].startswith("Inga skillnader mellan 2024 och 2024-v2")
    assert (v2 / "comparison.md").exists()
    # Same content: the reports were copied from the adopted version, not laid out again.
    renders, collect = _render_metadata(year["instance"], rerun.run_id)
    assert collect["weasyprint_calls"] == 0
    for row in read_csv_extract(v2 / "reports.csv").itertuples():
        assert (v2 / row.pdf).read_bytes() == (out / row.pdf).read_bytes()
