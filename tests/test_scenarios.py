"""Scenarios (issue 19): a what-if run has its own instance, stored assets, Data Docs and outputs, and the
official year's stored files, outputs and latest materialisations stay exactly as the official run left them."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus
from dagster._core.test_utils import create_run_for_test

from pipelines.cli import main
from pipelines.instance import ensure_dagster_home
from pipelines.run import _failures, run_year
from pipelines.run_lock import RunLockError, claim
from pipelines.scenarios import (
    delete_scenario,
    instance_yaml,
    list_scenarios,
    run_scenario,
    summary_lines,
)
from samverkan.files import read_csv_extract
from samverkan.manifest import read_manifest
from samverkan.scenario import ScenarioError, check_name, check_out, default_out, slug
from samverkan.synth import SynthSpec, synthesise, write_inbox

TINY = SynthSpec(forbund=1, first_year=2022, last_year=2024, participants_per_year=60, seed=11)
TWO_LINES = "discount_rate:\n  value: 0.03\n"


def test_a_name_is_a_short_ascii_slug_and_a_bad_one_gets_a_suggestion():
    assert check_name("ranta-3") == "ranta-3"
    with pytest.raises(ScenarioError, match="t.ex. 'ranta-3'"):
        check_name("Ränta 3%")
    for bad in ("", "-a", "a-", "a/b", "..", "a" * 41, "official", "scenarios"):
        with pytest.raises(ScenarioError):
            check_name(bad)
    assert slug("Högre p0 (0,3) – Åre") == "hogre-p0-0-3-are"
    assert len(slug("x" * 90)) == 40


def test_the_default_folder_is_beside_the_official_one_and_an_official_folder_is_refused(tmp_path: Path):
    official = tmp_path / "out" / "2024"
    assert default_out(official, "ranta-3", 2024) == tmp_path / "out" / "scenarios" / "ranta-3" / "2024"
    staging = tmp_path / "out" / "2024.korning-abc"  # a failed run's folder is still beside the year
    assert default_out(staging, "ranta-3", 2024) == tmp_path / "out" / "scenarios" / "ranta-3" / "2024"
    check_out(default_out(official, "ranta-3", 2024), [official])
    for name in ("850314-1234", "850314 1234", "19850314\u20131234"):
        with pytest.raises(ScenarioError) as refused:
            check_name(name)
        assert "1234" not in str(refused.value)
    for bad in (official, official / "mitt", tmp_path / "out"):  # the folder, inside it, around it
        with pytest.raises(ScenarioError, match="officiella"):
            check_out(bad, [official])


def test_two_runs_of_one_scenario_block_each_other_but_never_the_official_year(tmp_path: Path):
    official = DagsterInstance.ephemeral()
    home = tmp_path / "scenarios" / "ranta-3"
    home.mkdir(parents=True)
    (home / "dagster.yaml").write_text(instance_yaml(home), encoding="utf-8")
    tags = {"dagster/partition": "2024", "samverkan/scenario": "ranta-3"}
    with DagsterInstance.from_config(str(home)) as scenario:
        holder = create_run_for_test(official, job_name="samverkansbokslut", status=DagsterRunStatus.STARTED,
                                     tags={"dagster/partition": "2024"})
        claim(official, holder.run_id)
        first = create_run_for_test(scenario, job_name="samverkansbokslut", status=DagsterRunStatus.STARTED,
                                    tags=tags)
        claim(scenario, first.run_id)  # the official 2024 in progress does not hold it back
        second = create_run_for_test(scenario, job_name="samverkansbokslut", status=DagsterRunStatus.STARTED,
                                     tags=tags)
        with pytest.raises(RunLockError, match="året 2024 i scenariot ranta-3"):
            claim(scenario, second.run_id)
    assert (home / "history" / "runs.db").exists()  # the scenario's runs are in its own SQLite files


def _tree(*roots: Path) -> dict[str, str]:
    return {str(path): hashlib.sha256(path.read_bytes()).hexdigest()
            for root in roots for path in sorted(root.rglob("*")) if path.is_file()}


def _inside(root: Path) -> dict[Path, str]:
    return {Path(path).relative_to(root): digest for path, digest in _tree(root).items()}


def _ui_launch(official: DagsterInstance, root: Path, **fields: object):
    from pipelines.definitions import defs

    config = {"ops": {"run_scenario_year": {"config": {"year": 2024, **fields}}},
              "resources": {"settings": {"config": {"inbox_dir": str(root / "inbox"),
                                                    "out_dir": str(root / "out" / "{year}")}}}}
    return defs.resolve_job_def("scenario_run").execute_in_process(instance=official, run_config=config,
                                                                   raise_on_error=False)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    """The official 2024, then three scenarios (a two-line file, a broken inbox, the launchpad) and a refusal."""
    root = tmp_path_factory.mktemp("scenarios")
    frames, errors = synthesise(TINY)
    write_inbox(frames, errors, root / "inbox")
    (root / "broken").mkdir()
    (root / "broken" / "projects.csv").write_text("projekt;namn\nA1;Steg\n", encoding="utf-8")
    (root / "ranta.yaml").write_text(TWO_LINES, encoding="utf-8")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DAGSTER_HOME", str(root / "home"))
        env.setenv("SAMVERKAN_EXECUTOR", "in_process")  # the launchpad's op runs the year's steps in its process
        for name in ("SAMVERKAN_INSTANCE", "SAMVERKAN_GX_RESULTS_DIR", "SAMVERKAN_OUT"):
            env.delenv(name, raising=False)
        ensure_dagster_home()
        official = DagsterInstance.get()
        storage = {"io_manager": {"config": {"base_dir": str(root / "storage")}},
                   "intermediate_io_manager": {"config": {"base_dir": str(root / "storage" / "intermediate")}}}
        first = run_year(root / "inbox", 2024, root / "out" / "2024", instance=official, in_process=True,
                         resources=storage)
        assert first.success, first.failures
        official_roots = (root / "out" / "2024", root / "storage", root / "home" / "gx")
        before = _tree(*official_roots)
        cli = run_scenario("ranta-3", root / "inbox", 2024, official=official, in_process=True,
                           parameters_file=str(root / "ranta.yaml"))
        failed = run_scenario("trasig", root / "broken", 2024, official=official, in_process=True)
        ui = _ui_launch(official, root, scenario="ui-ranta", discount_rate=0.03)
        with pytest.raises(ScenarioError, match="officiella") as refused:
            run_scenario("ranta-3", root / "inbox", 2024, root / "out" / "2024", official=official, in_process=True)
        yield SimpleNamespace(root=root, official=official, first=first, before=before, roots=official_roots,
                              cli=cli, failed=failed, ui=ui, refused=str(refused.value))


@pytest.mark.slow
def test_the_official_year_is_byte_for_byte_as_before_and_its_materialisations_are_its_own(world):
    assert world.cli.run.success and world.ui.success and not world.failed.run.success
    assert _tree(*world.roots) == world.before
    keys = world.official.get_asset_keys()
    assert len(keys) > 20
    assert {world.official.get_latest_materialization_event(k).run_id for k in keys} == {world.first.run_id}
    # From the launchpad the official instance records only the launcher run, no materialisation.
    launched = world.official.all_logs(world.ui.run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION)
    assert launched == []
    official_runs = {run.job_name for run in world.official.get_runs()}
    assert official_runs == {"samverkansbokslut", "scenario_run"}


@pytest.mark.slow
def test_a_scenario_has_its_own_instance_storage_data_docs_and_outputs(world):
    home = world.root / "home" / "scenarios" / "ranta-3"
    assert world.cli.home == home
    out = world.root / "out" / "scenarios" / "ranta-3" / "2024"
    assert world.cli.run.out_dir == out
    assert (home / "assets" / "ledger" / "2024.parquet").exists()
    assert list((home / "gx" / "data_docs").rglob("index.html"))
    with DagsterInstance.from_config(str(home)) as scenario:
        assert [run.run_id for run in scenario.get_runs()] == [world.cli.run.run_id]
        assert scenario.get_latest_materialization_event(
            next(iter(world.official.get_asset_keys()))).run_id == world.cli.run.run_id
    # The two-line file changed the rate (and says the value is the evaluator's), so the ledger differs.
    parameters = read_csv_extract(out / "ledger_parameters.csv").astype(str)
    rate = parameters[parameters.apply(lambda row: row.str.contains("diskonteringsränta").any(), axis=1)]
    assert rate.apply(lambda row: row.str.contains("0.03").any() and row.str.contains("utvärderaren").any(),
                      axis=1).all()
    official_ledger = (world.root / "out" / "2024" / "ledger.csv").read_bytes()
    assert (out / "ledger.csv").read_bytes() != official_ledger


@pytest.mark.slow
def test_the_launchpad_typed_field_runs_the_same_scenario_as_the_two_line_file(world):
    cli_out = world.root / "out" / "scenarios" / "ranta-3" / "2024"
    ui_out = world.root / "out" / "scenarios" / "ui-ranta" / "2024"
    # run.json names the run that wrote the folder, and the reports name the scenario (their title page);
    # everything else is the same, byte for byte, and the HTML twins differ by the name alone.
    ui, cli = _inside(ui_out), _inside(cli_out)
    assert ui.pop(Path("run.json")) and cli.pop(Path("run.json"))
    reports = {name for name in ui if name.suffix in (".pdf", ".html") or name.name == "reports.csv"}
    assert reports and {name: ui[name] for name in ui if name not in reports} == {
        name: cli[name] for name in cli if name not in reports}
    for html in (name for name in reports if name.suffix == ".html"):
        assert (ui_out / html).read_text(encoding="utf-8").replace("«ui-ranta»", "«ranta-3»") == (
            cli_out / html).read_text(encoding="utf-8")
    assert world.official.get_run_by_id(world.ui.run_id).tags["samverkan/scenario"] == "ui-ranta"
    assert "utmappen" in world.refused


def test_a_bad_launchpad_value_fails_in_the_first_step_with_one_swedish_line_each(tmp_path: Path):
    official = DagsterInstance.ephemeral()
    (tmp_path / "inbox").mkdir()
    bad = _ui_launch(official, tmp_path, scenario="ui-fel", discount_rate=4.0, horizon_years=0)
    assert not bad.success
    assert _failures(bad.all_events) == [
        "run_scenario_year: parameterfilen: discount_rate.value ska ligga mellan 0 och 0.2, fick 4",
        "run_scenario_year: parameterfilen: horizon_years.value ska ligga mellan 1 och 40, fick 0"]
    assert _failures(_ui_launch(official, tmp_path, scenario="Ränta 3%").all_events) == [
        "run_scenario_year: scenarionamnet 'Ränta 3%' går inte att använda: högst 40 tecken a–z, 0–9 och "
        "bindestreck, t.ex. 'ranta-3'"]
    assert not (Path(official.root_directory) / "scenarios").exists()  # refused before anything was made


@pytest.mark.slow
def test_samverkan_scenarios_lists_them(world, monkeypatch, capsys):
    summaries = {item.name: item for item in list_scenarios(world.root / "home")}
    assert sorted(summaries) == ["ranta-3", "trasig", "ui-ranta"]
    assert summaries["ranta-3"].years == ["2024"] and summaries["ranta-3"].last_status == "lyckades"
    assert summaries["trasig"].last_status == "misslyckades"
    assert summaries["ranta-3"].files == {"parameters": str(world.root / "ranta.yaml")}
    assert summaries["ui-ranta"].overrides == {"discount_rate": 0.03}
    assert summaries["ranta-3"].created.endswith("+00:00")
    monkeypatch.setenv("DAGSTER_HOME", str(world.root / "home"))
    assert main(["scenarios"]) == 0
    printed = capsys.readouterr().out
    assert printed.splitlines()[0].startswith("ranta-3: år 2024; skapat ")
    assert "senast misslyckades" in printed and f"parameters {world.root / 'ranta.yaml'}" in printed
    assert summary_lines([]) == ["inga scenarier ännu (skapa ett med samverkan run … --scenario NAMN)"]


@pytest.mark.slow
def test_a_scenarios_run_json_and_report_say_it_is_a_what_if_and_the_official_ones_do_not(world):
    scenario_out, official_out = world.root / "out" / "scenarios" / "ranta-3" / "2024", world.root / "out" / "2024"
    assert read_manifest(scenario_out)["scenario"] == "ranta-3"
    assert "scenario" not in read_manifest(official_out)
    sentence = ("Detta är scenariot «ranta-3», en beräkning med ändrade antaganden – inte förbundets fastställda "
                "samverkansbokslut.")
    row = read_csv_extract(scenario_out / "reports.csv").iloc[0]
    pdf_text = subprocess.run(["pdftotext", str(scenario_out / row["pdf"]), "-"], capture_output=True, text=True,
                              check=True).stdout
    assert sentence in (scenario_out / row["html"]).read_text(encoding="utf-8")
    assert "scenariot «ranta-3»" in " ".join(pdf_text.split())
    official = read_csv_extract(official_out / "reports.csv").iloc[0]
    assert "scenariot" not in (official_out / official["html"]).read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_scenario_at_a_version_or_staging_name_of_the_year_is_refused_and_not_registered(world):
    for bad in ("2024-v2", "2024-v3", "2024.korning-x", "2024/_tidigare"):
        with pytest.raises(ScenarioError, match="officiella året"):
            run_scenario("ranta-v", world.root / "inbox", 2024, world.root / "out" / bad, official=world.official,
                         in_process=True)
        assert not (world.root / "out" / bad).exists() or bad.startswith("2024/")
    assert "ranta-v" not in {item.name for item in list_scenarios(world.root / "home")}
    assert _tree(*world.roots) == world.before


def test_the_command_line_refuses_a_bad_name_and_a_run_without_out(tmp_path: Path, capsys):
    inbox = str(tmp_path)
    assert main(["run", "--inbox", inbox, "--year", "2024", "--scenario", "Ränta 3%"]) == 2
    assert "t.ex. 'ranta-3'" in capsys.readouterr().err
    assert main(["run", "--inbox", inbox, "--year", "2024"]) == 2
    assert "--out krävs" in capsys.readouterr().err


@pytest.mark.slow
def test_deleting_a_scenario_removes_it_and_leaves_the_official_year(world):
    removed = delete_scenario("ranta-3", world.official)
    assert removed == [world.root / "out" / "scenarios" / "ranta-3" / "2024",
                       world.root / "home" / "scenarios" / "ranta-3"]
    assert not any(path.exists() for path in removed)
    assert [item.name for item in list_scenarios(world.root / "home")] == ["trasig", "ui-ranta"]
    assert _tree(*world.roots) == world.before
    with pytest.raises(ScenarioError, match="finns inte"):
        delete_scenario("ranta-3", world.official)
