"""Output folders on their own (samverkan/publish.py, samverkan/manifest.py): staging, publishing, moving aside,
limited runs, versions, adoption, a killed run and a half-done swap. Hand-made folders, no run."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pandas as pd
import pytest

from samverkan.files import write_csv_atomic
from samverkan.manifest import (
    ABANDONED,
    DONE,
    RUNNING,
    file_hashes,
    inbox_fingerprint,
    manifest_bytes,
    read_manifest,
    record,
)
from samverkan.publish import (
    AdoptError,
    adopt,
    adopt_command,
    ensure_staging,
    publish,
    restore_interrupted,
    staging_folder,
    target_version,
    version_folder,
)

LEDGER = ["forbund", "project_id", "actor", "investment_sek", "effect_pv_sek", "net_sek", "return_ratio"]


def _write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")


def _staged(published: Path, run_id: str, files: dict[str, str], reports: dict | None = None) -> Path:
    staging = ensure_staging(published, run_id, run_id, 2024, "alla")
    _write(staging, files)
    if reports:
        record(staging, reports=reports)
    return staging


def _ledger(folder: Path, net: float) -> None:
    write_csv_atomic(pd.DataFrame([["Förbund A", "ALL", "Summa", 100.0, 100.0 + net, net, 1.0]],
                                  columns=LEDGER), folder / "ledger.csv")


def test_a_staged_run_is_published_whole_with_every_file_and_its_hash(tmp_path: Path) -> None:
    published = tmp_path / "out" / "2024"
    staging = _staged(published, "r1", {"ledger.csv": "a", "forbund-a/rapport.pdf": "pdf-a"})
    assert staging == tmp_path / "out" / "2024.korning-r1"
    assert read_manifest(staging)["status"] == RUNNING
    assert not published.exists()  # nothing is visible before the end

    result = publish(staging, published, "r1")

    assert result.folder == published and result.version == 1 and not staging.exists()
    manifest = read_manifest(published)
    assert manifest["status"] == DONE and manifest["run_id"] == "r1" and manifest["scope"] == "alla"
    # sha256("a") and sha256("pdf-a"), computed by hand with hashlib
    assert manifest["files"] == {
        "forbund-a/rapport.pdf": {"sha256": "2778baef34a09e1df2288ad483990f75bfb3845f8d178785a752dca7993af07a",
                                  "bytes": 5},
        "ledger.csv": {"sha256": "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb", "bytes": 1}}
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["2024"]


def test_a_full_run_moves_files_it_did_not_write_aside_with_a_note(tmp_path: Path) -> None:
    published = tmp_path / "out" / "2024"
    publish(_staged(published, "r1", {"ledger.csv": "1", "forbund-a/a.pdf": "A", "forbund-b/b.pdf": "B"}),
            published, "r1")
    # Förbund B has left the inbox: the second run writes only A.
    publish(_staged(published, "r2", {"ledger.csv": "2", "forbund-a/a.pdf": "A2"}), published, "r2")

    assert not (published / "forbund-b").exists()
    aside = published / "_tidigare" / "r1"
    assert (aside / "forbund-b" / "b.pdf").read_text() == "B"
    note = (aside / "LASMIG.txt").read_text(encoding="utf-8")
    assert "körning r1" in note and "körning r2" in note and "forbund-b/b.pdf" in note
    manifest = read_manifest(published)
    assert manifest["moved_aside"] == ["forbund-b/b.pdf"]
    assert sorted(manifest["files"]) == ["forbund-a/a.pdf", "ledger.csv"]  # moved-aside files are not the run's

    # A third run keeps the history of the moved-aside files and moves nothing more.
    publish(_staged(published, "r3", {"ledger.csv": "3", "forbund-a/a.pdf": "A3"}), published, "r3")
    assert (published / "_tidigare" / "r1" / "forbund-b" / "b.pdf").read_text() == "B"
    assert read_manifest(published)["moved_aside"] == []


def test_a_limited_run_replaces_only_its_forbund_and_says_so(tmp_path: Path) -> None:
    published = tmp_path / "out" / "2024"
    reports = {"Förbund A": {"pdf": "forbund-a/a.pdf"}, "Förbund B": {"pdf": "forbund-b/b.pdf"}}
    publish(_staged(published, "r1", {"ledger.csv": "1", "forbund-a/a.pdf": "A", "forbund-a/old.html": "x",
                                      "forbund-b/b.pdf": "B"}, reports), published, "r1")

    staging = _staged(published, "r2", {"forbund-b/b.pdf": "B2"}, {"Förbund B": {"pdf": "forbund-b/b.pdf"}})
    result = publish(staging, published, "r2", scope=["Förbund B"])

    assert (published / "forbund-a" / "a.pdf").read_text() == "A"  # carried over untouched
    assert (published / "forbund-b" / "b.pdf").read_text() == "B2"
    assert (published / "ledger.csv").read_text() == "1"
    assert sorted(result.carried) == ["forbund-a/a.pdf", "forbund-a/old.html", "ledger.csv"]
    assert result.written == ["forbund-b/b.pdf"]
    manifest = read_manifest(published)
    # The folder is still r1's, a complete run; r2 is named with the förbund it replaced and what it wrote.
    assert (manifest["run_id"], manifest["scope"], manifest["complete"]) == ("r1", "alla", True)
    (limited,) = manifest["limited_runs"]
    assert (limited["run_id"], limited["forbund"], limited["written"], limited["removed"]) == \
        ("r2", ["Förbund B"], ["forbund-b/b.pdf"], [])
    assert limited["finished_at"] >= limited["started_at"] and limited["set_aside"] is None
    assert sorted(manifest["files"]) == ["forbund-a/a.pdf", "forbund-a/old.html", "forbund-b/b.pdf", "ledger.csv"]
    # sha256("B2"), by hand with hashlib: the hash of what is on disk, not of r1's file.
    assert manifest["files"]["forbund-b/b.pdf"] == {
        "sha256": "abdbc2b5cc2c7a519b72bf7a164c58ebf892ab0c2df6468213705cc2f0da8561", "bytes": 2}


def test_a_scope_drops_a_scoped_forbunds_old_files(tmp_path: Path) -> None:
    published = tmp_path / "out" / "2024"
    reports = {"Förbund B": {"pdf": "forbund-b/b.pdf"}}
    publish(_staged(published, "r1", {"forbund-b/b.pdf": "B", "forbund-b/extra.csv": "e"}, reports), published, "r1")
    publish(_staged(published, "r2", {"forbund-b/b.pdf": "B2"}, reports), published, "r2", scope=["Förbund B"])
    assert not (published / "forbund-b" / "extra.csv").exists()
    assert read_manifest(published)["limited_runs"][0]["removed"] == ["forbund-b/extra.csv"]


def test_a_limited_run_keeps_the_years_national_files_and_its_own_beside(tmp_path: Path) -> None:
    """A run for förbund B writes its own ledger.csv (B's rows only) and reports.csv (B only): the published year
    keeps the national ledger, gets B's row in reports.csv, and the limited files lie in _avgransad/<run>/."""
    from samverkan.files import read_csv_extract, write_csv_atomic

    published = tmp_path / "out" / "2024"
    reports = {"Förbund A": {"pdf": "forbund-a/a.pdf"}, "Förbund B": {"pdf": "forbund-b/b.pdf"}}
    first = _staged(published, "r1", {"ledger.csv": "national", "forbund-a/a.pdf": "A", "forbund-b/b.pdf": "B"},
                    reports)
    write_csv_atomic(pd.DataFrame({"forbund": ["Förbund A", "Förbund B"], "pdf_sha256": ["a1", "b1"]}),
                     first / "reports.csv")
    publish(first, published, "r1")

    limited = _staged(published, "r2", {"ledger.csv": "only B", "forbund-b/b.pdf": "B2"},
                      {"Förbund B": {"pdf": "forbund-b/b.pdf", "pdf_sha256": "b2"}})
    write_csv_atomic(pd.DataFrame({"forbund": ["Förbund B"], "pdf_sha256": ["b2"]}), limited / "reports.csv")
    publish(limited, published, "r2", scope=["Förbund B"])

    assert (published / "ledger.csv").read_text() == "national"
    assert (published / "_avgransad" / "r2" / "ledger.csv").read_text() == "only B"
    assert (published / "forbund-b" / "b.pdf").read_text() == "B2"
    index = read_csv_extract(published / "reports.csv")
    assert index.to_dict("list") == {"forbund": ["Förbund A", "Förbund B"], "pdf_sha256": ["a1", "b2"]}
    manifest = read_manifest(published)
    assert sorted(manifest["reports"]) == ["Förbund A", "Förbund B"]
    assert manifest["reports"]["Förbund B"]["pdf_sha256"] == "b2"
    # The first run's folder was linked into the new one: its reports.csv was not written through.
    assert manifest["run_id"] == "r1" and manifest["carried_over"] == []
    (entry,) = manifest["limited_runs"]
    # reports.csv was rewritten by r2: its, not carried over, with the hash of the merged file.
    assert entry["written"] == ["forbund-b/b.pdf", "reports.csv"] and entry["set_aside"] == "_avgransad/r2/"
    assert manifest["files"] == file_hashes(published)
    assert "reports.csv" in manifest["files"] and "_avgransad/r2/reports.csv" in manifest["files"]


def _two_forbund(published: Path) -> dict:
    reports = {"Förbund A": {"pdf": "forbund-a/a.pdf"}, "Förbund B": {"pdf": "forbund-b/b.pdf"}}
    first = _staged(published, "r1", {"forbund-a/a.pdf": "A", "forbund-b/b.pdf": "B"}, reports)
    _ledger(first, 50.0)  # the national ledger (a new version is compared with the adopted one)
    record(first, inbox_sha256="inkorg-1", parameters={"Parameterversion": "p1"})
    publish(first, published, "r1")
    return reports


def _limited(published: Path, run_id: str, forbund: str, inbox: str = "inkorg-1") -> None:
    slug = "forbund-a" if forbund == "Förbund A" else "forbund-b"
    staging = _staged(published, run_id, {f"{slug}/{slug[-1]}.pdf": run_id, "ledger.csv": f"only {forbund}"},
                      {forbund: {"pdf": f"{slug}/{slug[-1]}.pdf"}})
    record(staging, inbox_sha256=inbox, inbox=[{"dataset": "projects", "file": "p.csv"}],
           parameters={"Parameterversion": "p1"})
    publish(staging, published, run_id, scope=[forbund])


def test_each_limited_run_is_added_in_turn_and_a_complete_run_ends_the_list(tmp_path: Path) -> None:
    published = tmp_path / "out" / "2024"
    _two_forbund(published)
    national = (published / "ledger.csv").read_bytes()
    _limited(published, "r2", "Förbund B")
    _limited(published, "r3", "Förbund A", inbox="inkorg-2")

    manifest = read_manifest(published)
    assert manifest["run_id"] == "r1" and manifest["inbox_sha256"] == "inkorg-1"
    assert [(e["run_id"], e["forbund"]) for e in manifest["limited_runs"]] == \
        [("r2", ["Förbund B"]), ("r3", ["Förbund A"])]
    # Only a limited run of another inbox than the complete run's lists its inbox.
    assert "inbox" not in manifest["limited_runs"][0]
    assert manifest["limited_runs"][1]["inbox"] == [{"dataset": "projects", "file": "p.csv"}]
    assert (published / "forbund-a" / "a.pdf").read_text() == "r3"
    assert (published / "ledger.csv").read_bytes() == national
    assert manifest["files"] == file_hashes(published)

    # A complete run replaces the folder: the folder is its own again, the limited runs' files moved aside.
    publish(_staged(published, "r4", {"ledger.csv": "4", "forbund-a/a.pdf": "A4", "forbund-b/b.pdf": "B4"}),
            published, "r4")
    manifest = read_manifest(published)
    assert manifest["run_id"] == "r4" and "limited_runs" not in manifest
    assert (published / "_tidigare" / "r1" / "_avgransad" / "r3" / "ledger.csv").read_text() == "only Förbund A"


def test_a_limited_run_after_adoption_writes_version_2_on_the_adopted_run(tmp_path: Path) -> None:
    published = tmp_path / "out" / "2024"
    _two_forbund(published)
    adopt(published, by="styrelsen")
    _limited(published, "r2", "Förbund B")

    v2 = version_folder(published, 2)
    manifest = read_manifest(v2)
    assert manifest["run_id"] == "r1" and manifest["version"] == 2 and "adopted" not in manifest
    assert manifest["based_on"] == {"folder": "2024", "run_id": "r1"}
    assert [e["run_id"] for e in manifest["limited_runs"]] == ["r2"]
    assert read_manifest(published)["adopted"]["by"] == "styrelsen" and "limited_runs" not in read_manifest(published)
    assert (v2 / "forbund-b" / "b.pdf").read_text() == "r2" and (published / "forbund-b" / "b.pdf").read_text() == "B"
    lines = adopt_command(str(published), 2024)
    assert "körning r1, för några förbund ersatt av körning r2" in lines[0]


def test_a_killed_run_is_marked_by_the_next_one(tmp_path: Path) -> None:
    published = tmp_path / "out" / "2024"
    killed = _staged(published, "r1", {"ledger.csv": "half"})
    _staged(published, "r2", {})
    manifest = read_manifest(killed)
    assert manifest["status"] == ABANDONED and "r2" in manifest["reason"]
    assert not published.exists()


def test_a_reexecution_takes_over_its_roots_staging_folder(tmp_path: Path) -> None:
    published = tmp_path / "out" / "2024"
    root = _staged(published, "r1", {"ledger.csv": "from the first attempt"})
    record(root, status="misslyckad")
    again = ensure_staging(published, "r1b", "r1", 2024, "urval")
    assert again == root and (again / "ledger.csv").exists()
    manifest = read_manifest(again)
    assert manifest["run_id"] == "r1b" and manifest["status"] == RUNNING and manifest["steps"] == "alla"


def test_a_swap_killed_halfway_is_put_right(tmp_path: Path) -> None:
    published = tmp_path / "out" / "2024"
    publish(_staged(published, "r1", {"ledger.csv": "1"}), published, "r1")
    # Killed between the two renames: the old folder is renamed away and the new one not yet in place.
    os.rename(published, published.with_name(".2024.ersatt-r2"))
    restore_interrupted(published)
    assert (published / "ledger.csv").read_text() == "1"
    # Killed after both renames, before removing the old one.
    (tmp_path / "out" / ".2024.ersatt-r3").mkdir()
    restore_interrupted(published)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["2024"]


def test_adopting_freezes_and_the_next_run_writes_version_2_with_a_comparison(tmp_path: Path) -> None:
    published = tmp_path / "out" / "2024"
    first = _staged(published, "r1", {})
    _ledger(first, 50.0)
    publish(first, published, "r1")
    before = file_hashes(published)

    lines = adopt_command(str(tmp_path / "out" / "{year}"), 2024, by="styrelsen 2025-03-20")
    assert "fastställd" in lines[0] and "2024-v2" in lines[1]
    adopted = read_manifest(published)["adopted"]
    assert adopted["by"] == "styrelsen 2025-03-20" and adopted["version"] == 1
    assert not os.stat(published / "ledger.csv").st_mode & stat.S_IWUSR
    assert target_version(published) == (version_folder(published, 2), 2)
    with pytest.raises(AdoptError, match="redan fastställd"):
        adopt(published)

    second = _staged(published, "r2", {})
    _ledger(second, 80.0)
    result = publish(second, published, "r2")

    assert result.folder == tmp_path / "out" / "2024-v2" and result.version == 2
    assert file_hashes(published) == before  # the adopted folder, byte for byte
    manifest = read_manifest(result.folder)
    assert manifest["based_on"] == {"folder": "2024", "run_id": "r1"}
    assert any("netto Förbund A" in line and "50" in line and "80" in line for line in manifest["differences"])
    assert (result.folder / "comparison.md").exists() and "comparison.csv" in manifest["files"]

    # A third run replaces version 2, which is not adopted, and compares with version 1 again.
    third = _staged(published, "r3", {})
    _ledger(third, 80.0)
    assert publish(third, published, "r3").folder == result.folder
    assert not version_folder(published, 3).exists()


def test_a_new_version_beside_an_adopted_one_moves_nothing_aside(tmp_path: Path) -> None:
    published = tmp_path / "out" / "2024"
    first = _staged(published, "r1", {"forbund-b/b.pdf": "B"})
    _ledger(first, 50.0)
    publish(first, published, "r1")
    adopt(published)
    # Förbund B is gone from the inbox: version 2 simply lacks it; the adopted folder still has it.
    second = _staged(published, "r2", {})
    _ledger(second, 80.0)
    result = publish(second, published, "r2")
    assert result.version == 2 and result.moved_aside == []
    assert not (result.folder / "_tidigare").exists()
    assert (published / "forbund-b" / "b.pdf").read_text() == "B"


def test_adopting_needs_a_finished_run(tmp_path: Path) -> None:
    published = tmp_path / "out" / "2024"
    with pytest.raises(AdoptError, match="kör året först"):
        adopt(published)
    published.mkdir(parents=True)
    with pytest.raises(AdoptError, match="ingen färdig körning"):
        adopt(published)


def test_the_manifest_is_deterministic_and_passes_the_last_gate() -> None:
    rows = [{"dataset": "participants", "file": "b.csv", "sha256": "2", "bytes": 2},
            {"dataset": "projects", "file": "a.csv", "sha256": "1", "bytes": 1}]
    assert inbox_fingerprint(rows) == inbox_fingerprint(list(reversed(rows)))
    text = manifest_bytes({"b": 1, "a": {"reason": "okänd kod 811218 9876"}}).decode()
    assert text.index('"a"') < text.index('"b"')
    assert "9876" not in text and json.loads(text)["b"] == 1


def test_staging_folders_are_named_after_the_run(tmp_path: Path) -> None:
    assert staging_folder(tmp_path / "2024", "abc") == tmp_path / "2024.korning-abc"


def test_a_failed_runs_folder_is_found_and_marked_from_the_run_alone(tmp_path: Path) -> None:
    from dagster import DagsterRun

    from pipelines.outputs import mark_failed, run_folder

    published = tmp_path / "out" / "2024"
    run = DagsterRun(job_name="samverkansbokslut", run_id="r1", tags={"dagster/partition": "2024"},
                     run_config={"resources": {"settings": {"config": {"out_dir": str(tmp_path / "out" / "{year}")}}}})
    staging = _staged(published, "r1", {"quality.csv": "q"})
    assert run_folder(run) == staging  # the steward notice of a failed run goes beside its extracts
    assert mark_failed(run, ["report_inputs: pdf_variant='x' är okänd"]) == staging
    manifest = read_manifest(staging)
    assert manifest["status"] == "misslyckad" and manifest["reason"] == "report_inputs: pdf_variant='x' är okänd"
    assert not published.exists()
    other = DagsterRun(job_name="year", run_id="r2", tags={"dagster/partition": "2024"}, run_config=run.run_config)
    assert mark_failed(other, ["x"]) is None and run_folder(other) == published  # a run that does not stage
