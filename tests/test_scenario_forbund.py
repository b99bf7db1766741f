"""A scenario's run limited to some förbund and a scenario's backfill (issue 19 items 1 and 5): they run in the
scenario's own instance and storage, read the official year only where the scenario has nothing of its own, and
leave the official instance, stored files and outputs byte for byte as they were."""

from __future__ import annotations

import contextlib
import hashlib
import io
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from dagster import DagsterInstance, RunsFilter

from pipelines.cli import main
from pipelines.instance import ensure_dagster_home
from pipelines.run import run_year
from pipelines.scenarios import run_scenario, run_scenario_forbund
from pipelines.scope import SCOPE_TAG
from samverkan.files import read_csv_extract
from samverkan.national_reference import REFERENCE_FILE
from samverkan.publish import LIMITED
from samverkan.scope import ScopeError
from samverkan.synth import SynthSpec, synthesise, write_inbox

SPEC = SynthSpec(forbund=2, first_year=2022, last_year=2024, participants_per_year=60, seed=11)


def _tree(*roots: Path) -> dict[str, str]:
    # Not SQLite's -shm files: the shared-memory index of a WAL database, which every reader writes its read
    # marks into (this test reads the official instance with its connections open); the .db and -wal are data.
    return {str(path): hashlib.sha256(path.read_bytes()).hexdigest()
            for root in roots for path in sorted(root.rglob("*")) if path.is_file() and not path.name.endswith("-shm")}


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def _of_forbund(frame, name: str):
    return frame[frame["forbund"] == name].reset_index(drop=True)


def _html(out: Path, name: str) -> str:
    row = read_csv_extract(out / "reports.csv").set_index("forbund").loc[name]
    return (out / str(row["html"])).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    """The official 2024; the scenario ranta-3 (a two-line file) for the year, then for one förbund from the
    command line; a scenario without a full run for that förbund, on the same and on a changed inbox; and a
    scenario backfill of 2023-2024."""
    root = tmp_path_factory.mktemp("scenario_forbund")
    frames, errors = synthesise(SPEC)
    write_inbox(frames, errors, root / "inbox")
    shutil.copytree(root / "inbox", root / "changed")
    (root / "changed" / "project_costs.csv").rename(root / "changed" / "project_costs_2024.csv")
    (root / "ranta.yaml").write_text("discount_rate:\n  value: 0.03\n", encoding="utf-8")
    (root / "hog.yaml").write_text("discount_rate:\n  value: 0.06\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DAGSTER_HOME", str(root / "home"))
        for name in ("SAMVERKAN_INSTANCE", "SAMVERKAN_GX_RESULTS_DIR", "SAMVERKAN_OUT"):
            env.delenv(name, raising=False)
        env.chdir(root)  # the official storage a command reads is the default one, var/storage, here
        ensure_dagster_home()
        official = DagsterInstance.get()
        storage = root / "var" / "storage"
        first = run_year(root / "inbox", 2024, root / "out" / "2024", instance=official, in_process=True,
                         resources={"io_manager": {"config": {"base_dir": str(storage)}},
                                    "intermediate_io_manager": {"config": {"base_dir": str(storage / "x")}}})
        assert first.success, first.failures
        roots = (root / "out" / "2024", storage, root / "home" / "gx", root / "home" / "history")
        before = _tree(*roots)
        every = read_csv_extract(root / "out" / "2024" / REFERENCE_FILE)["forbund"].tolist()
        name = every[1]

        whole = run_scenario("ranta-3", root / "inbox", 2024, official=official, in_process=True,
                             parameters_file=str(root / "ranta.yaml"))
        assert whole.run.success, whole.run.failures
        scenario_out = root / "out" / "scenarios" / "ranta-3" / "2024"
        ledger = read_csv_extract(scenario_out / "ledger.csv")
        cli = _cli("run", "--inbox", str(root / "inbox"), "--year", "2024", "--scenario", "ranta-3",
                   "--forbund", name, "--parameters", str(root / "ranta.yaml"), "--in-process")
        refused = _cli("run", "--inbox", str(root / "inbox"), "--year", "2024", "--scenario", "ranta-3",
                       "--forbund", name, "--parameters", str(root / "hog.yaml"), "--in-process")
        official_after_cli = _tree(*roots)
        fresh = run_scenario_forbund("ny", root / "inbox", 2024, [name], official=official, in_process=True,
                                     official_storage=storage, parameters_file=str(root / "hog.yaml"))
        fresh_html = _html(fresh.run.out_dir, name)
        changed = run_scenario_forbund("ny", root / "changed", 2024, [name], official=official, in_process=True,
                                       official_storage=storage, parameters_file=str(root / "hog.yaml"))
        backfill = _cli("backfill", "--inbox", str(root / "inbox"), "--years", "2023-2024", "--scenario", "bf",
                        "--in-process")
        yield SimpleNamespace(root=root, official=official, first=first, roots=roots, before=before, name=name,
                              every=every, whole=whole, scenario_out=scenario_out, ledger=ledger, cli=cli,
                              refused=refused, official_after_cli=official_after_cli, fresh=fresh,
                              fresh_html=fresh_html, changed=changed, backfill=backfill, storage=storage)


def _scenario_runs(world, name: str):
    with DagsterInstance.from_config(str(world.root / "home" / "scenarios" / name)) as instance:
        return instance.get_runs()


@pytest.mark.slow
def test_a_limited_run_in_a_scenario_reuses_its_validation_and_reads_its_own_reference(world):
    code, out, err = world.cli
    assert code == 0, err
    lines = out.splitlines()
    assert "validerade data återanvända från scenariots lagring (inkorgen är oförändrad)" in lines
    assert f"riksjämförelse: scenariots fullständiga körning {world.whole.run.run_id} (" in out
    limited = [run for run in _scenario_runs(world, "ranta-3") if SCOPE_TAG in run.tags]
    assert len(limited) == 1 and limited[0].tags["samverkan/scenario"] == "ranta-3"
    assert limited[0].tags[SCOPE_TAG] == world.name
    run_id = limited[0].run_id
    assert lines[-1].startswith(f"klart: scenariot ranta-3: 2024 för {world.name} skrivet till "
                                f"{world.scenario_out} (körning {run_id}, instans ")
    # No ingest ran: the limited run is the only run besides the full one, and it materialised no ingest asset.
    assert len(_scenario_runs(world, "ranta-3")) == 2
    # Its figures are the scenario's full run's for the förbund (not the official year's: another rate).
    own = read_csv_extract(world.scenario_out / LIMITED / run_id / "ledger.csv")
    assert own.equals(_of_forbund(world.ledger, world.name))
    assert not own.equals(_of_forbund(read_csv_extract(world.root / "out" / "2024" / "ledger.csv"), world.name))
    # Published into the scenario's folder like an official limited run: only the förbund's report replaced.
    assert sorted(read_csv_extract(world.scenario_out / "reports.csv")["forbund"]) == sorted(world.every)
    html = _html(world.scenario_out, world.name)
    assert "den fullständiga körningen av 2024 (inkorg " in html and "i scenariot ranta-3 (med scenariots" in html


@pytest.mark.slow
def test_other_files_than_the_scenarios_full_run_are_refused_in_one_line(world):
    code, _, err = world.refused
    assert code == 2 and err.count("\n") == 1
    assert err.startswith("fel: en körning för några förbund i scenariot ranta-3 måste använda samma filer för "
                          "parametrar som scenariots senaste fullständiga körning av året")


@pytest.mark.slow
def test_without_a_full_run_of_its_own_a_scenario_reads_the_official_reference_and_validation(world):
    fresh = world.fresh.scoped
    assert world.fresh.run.success, world.fresh.run.failures
    assert fresh.reused and fresh.official_validation and fresh.validation is None
    assert fresh.official_reference and fresh.reference_run == world.first.run_id
    assert world.fresh.run.out_dir == world.root / "out" / "scenarios" / "ny" / "2024"
    # The reference is a copy in the scenario's storage whose source says the national figures are the official's.
    assert fresh.reference.is_relative_to(world.root / "home" / "scenarios" / "ny" / "assets" / "_scoped")
    assert "i det officiella året: scenariot ny har ingen egen fullständig körning" in world.fresh_html
    # Other files than the official run's are the point of a scenario: its own rate, not the official one.
    assert read_csv_extract(world.fresh.run.out_dir / "reports.csv")["forbund"].tolist() == [world.name]
    official = _of_forbund(read_csv_extract(world.root / "out" / "2024" / "ledger.csv"), world.name)
    assert not read_csv_extract(world.fresh.run.out_dir / "ledger.csv").equals(official)
    # The official validation was read, and nothing of the official year written (nor by the command line run).
    assert world.official_after_cli == world.before


@pytest.mark.slow
def test_a_changed_inbox_is_validated_inside_the_scenario(world):
    changed = world.changed.scoped
    assert world.changed.run.success, world.changed.run.failures
    assert not changed.reused and not changed.official_validation and changed.validation.success
    assert changed.official_reference and changed.reference_run == world.first.run_id
    assert (world.root / "home" / "scenarios" / "ny" / "assets" / "projects" / "2024.parquet").is_file()
    assert (world.root / "home" / "scenarios" / "ny" / "gx").is_dir()
    validation = [run for run in _scenario_runs(world, "ny") if "samverkan/validated-inbox" in run.tags]
    assert [run.run_id for run in validation] == [changed.validation.run_id]


@pytest.mark.slow
def test_a_scenario_backfill_runs_each_year_in_the_scenario_and_the_official_year_stays(world):
    code, out, err = world.backfill
    assert code == 0, err
    runs = _scenario_runs(world, "bf")
    assert sorted(run.tags["dagster/partition"] for run in runs) == ["2023", "2024"]
    assert {run.tags["samverkan/batch"] for run in runs} == {"backfill-2023-2024"}
    assert (world.root / "out" / "scenarios" / "bf" / "2023" / "ledger.csv").is_file()
    assert (world.root / "out" / "scenarios" / "bf" / "2024" / "ledger.csv").is_file()
    assert "scenariot bf (instans " in out
    # The official instance ran nothing of any scenario and materialised nothing for it; its files are as before.
    assert [run.run_id for run in world.official.get_runs(RunsFilter())] == [world.first.run_id]
    keys = world.official.get_asset_keys()
    assert len(keys) > 20
    assert {world.official.get_latest_materialization_event(k).run_id for k in keys} == {world.first.run_id}
    assert _tree(*world.roots) == world.before


@pytest.mark.slow
def test_a_scenario_backfill_into_the_official_folder_is_refused_before_anything_runs(world):
    code, _, err = _cli("backfill", "--inbox", str(world.root / "inbox"), "--years", "2023-2024", "--scenario",
                        "bf2", "--out", str(world.root / "out" / "{year}"), "--in-process")
    assert code == 2 and "officiella årets utmapp" in err and err.count("\n") == 1
    assert not (world.root / "home" / "scenarios" / "bf2").exists()


def test_an_empty_scenario_name_is_refused_not_taken_as_the_official_year(tmp_path: Path, small_inbox: Path):
    for argv in (["run", "--inbox", str(small_inbox), "--year", "2024", "--out", str(tmp_path / "o")],
                 ["run", "--inbox", str(small_inbox), "--year", "2024", "--forbund", "x"],
                 ["backfill", "--inbox", str(small_inbox), "--years", "2023-2024", "--out", str(tmp_path / "{year}")]):
        for blank in ("", "   "):
            code, out, err = _cli(*argv, "--scenario", blank)
            assert code == 2 and out == ""
            assert err == ("fel: --scenario kräver ett namn, t.ex. --scenario ranta-3 (utan --scenario körs det "
                           "officiella året)\n")
    assert not (tmp_path / "o").exists()


def test_a_backfill_without_out_needs_a_scenario_and_a_template_needs_the_year(tmp_path: Path, small_inbox: Path):
    code, _, err = _cli("backfill", "--inbox", str(small_inbox), "--years", "2023-2024")
    assert code == 2 and "--out krävs" in err
    code, _, err = _cli("backfill", "--inbox", str(small_inbox), "--years", "2023-2024", "--scenario", "x",
                        "--out", str(tmp_path / "fast"))
    assert code == 2 and "{year}" in err


def test_an_unknown_forbund_in_a_scenario_is_refused_before_the_scenario_is_made(tmp_path: Path,
                                                                                 small_inbox: Path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    with pytest.raises(ScopeError, match="Kända förbund"):
        run_scenario_forbund("ny", small_inbox, 2024, ["Finsam Gotland"])
    assert not (tmp_path / "home" / "scenarios").exists()
