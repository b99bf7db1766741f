"""Comparing two output folders: hand-made extracts, every expected difference written out."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from pipelines.cli import main
from samverkan.compare import CompareError, compare_command, compare_outputs, comparison_lines, comparison_markdown
from samverkan.files import read_csv_extract, write_csv_atomic
from samverkan.manifest import file_hashes, read_manifest, record, sha256_file
from samverkan.publish import adopt, ensure_staging, publish
from samverkan.report.extracts import BENCHMARKS_FILE

LEDGER_HEADER = ("forbund,project_id,actor,investment_sek,effect_pv_sek,net_sek,return_ratio,payback_year,"
                 "effect_real_pv_sek,effect_transfer_pv_sek,society_return_ratio,participant_effect_established,"
                 "not_established_reason,effect_not_established_pv_sek,effect_not_established_share\n")


def ledger_row(forbund: str, project: str, actor: str, investment: int, effect: int, ratio: str) -> str:
    return f"{forbund},{project},{actor},{investment},{effect},{effect - investment},{ratio},,,,,True,,0,0\n"


def write_run(folder: Path, rate: str, version: str, net_a: int, level_p2: str, reasons_p2: str) -> Path:
    folder.mkdir()
    (folder / "ledger_parameters.csv").write_text(
        "parameter,value,basis,version\n"
        f"diskonteringsränta,{rate},grund,{version}\n"
        "horisont (år),5,grund,{v}\n".replace("{v}", version), encoding="utf-8")
    (folder / "success_rules.csv").write_text(
        "parameter,value,basis\nrules_version,2026.2,Regelfil\noutcome.min_exits,20,Minsta antal\n",
        encoding="utf-8")
    (folder / "ledger.csv").write_text(
        LEDGER_HEADER
        + ledger_row("Förbund A", "ALL", "Summa", 1000, 1000 + net_a, "1.5")
        + ledger_row("Förbund A", "P1", "Kommun", 400, 100, "0.25")
        + ledger_row("Förbund B", "ALL", "Summa", 500, 800, "1.6"), encoding="utf-8")
    (folder / "success.csv").write_text(
        "forbund,project_id,year,level,label,reasons\n"
        "Förbund A,P1,2024,1,Effekt,skäl ett\n"
        f"Förbund A,P2,2024,{level_p2},x,{reasons_p2}\n", encoding="utf-8")
    return folder


@pytest.fixture()
def runs(tmp_path: Path) -> tuple[Path, Path]:
    a = write_run(tmp_path / "a", "0.04 (0.03–0.05)", "2026.1 (parameters.yaml 0ac56e92)", 500, "0", "för få avslut")
    b = write_run(tmp_path / "b", "0.03 (0.03–0.05)", "2026.1+88d661cf", 620, "1", "andelen över p0")
    # B as today's runs write it (semicolons, decimal comma, BOM), A as runs did before: both compare.
    for extract in b.iterdir():
        frame = pd.read_csv(extract, dtype="str", keep_default_na=False)
        if extract.name == "ledger.csv":
            frame = frame.astype({"investment_sek": "int64", "effect_pv_sek": "int64", "return_ratio": "float64"})
        write_csv_atomic(frame, extract)
    assert (b / "ledger.csv").read_bytes().startswith(b"\xef\xbb\xbfforbund;")
    return a, b


def test_what_differs_and_nothing_else(runs: tuple[Path, Path]) -> None:
    comparison = compare_outputs(*runs)
    frame = comparison.frame
    assert frame["section"].value_counts().to_dict() == {"ledger": 2, "version": 1, "parameter": 1, "success": 1}
    version = comparison.section("version").iloc[0]
    assert (version["measure"], version["a"], version["b"]) == (
        "parametrar", "2026.1 (parameters.yaml 0ac56e92)", "2026.1+88d661cf")
    parameter = comparison.section("parameter").iloc[0]
    assert parameter["measure"] == "bokslut: diskonteringsränta" and parameter["b"] == "0.03 (0.03–0.05)"
    # Förbund A's total: effect 1500 → 1620 and net 500 → 620; investment and the ratio as in both.
    ledger = comparison.section("ledger").set_index("measure")
    assert ledger.loc["effect_pv_sek", ["a", "b", "change"]].tolist() == [1500, 1620, 120]
    assert ledger.loc["net_sek", ["a", "b", "change"]].tolist() == [500, 620, 120]
    assert set(ledger["forbund"]) == {"Förbund A"} and set(ledger["project_id"]) == {"ALL"}
    level = comparison.section("success").iloc[0]
    assert (level["project_id"], level["a"], level["b"]) == ("P2", "0", "1")
    assert level["note"] == "före: för få avslut | efter: andelen över p0"


def test_the_same_folder_twice_has_no_differences(runs: tuple[Path, Path]) -> None:
    comparison = compare_outputs(runs[0], runs[0])
    assert comparison.frame.empty
    assert comparison_lines(comparison) == [f"Inga skillnader mellan {runs[0]} och {runs[0]}."]


def test_written_files_and_printed_lines(runs: tuple[Path, Path], tmp_path: Path) -> None:
    lines = compare_command(*runs, tmp_path / "jmf")
    assert lines[0].endswith("versioner 1, parametrar och regler 1, enhetskostnader 0, bokslut 2, "
                             "framgångsnivåer 1, rapporter 0")
    assert "  netto Förbund A: 500\u00a0kr → 620\u00a0kr" in lines
    assert "  1 insats har ändrad framgångsnivå" in lines
    written = read_csv_extract(tmp_path / "jmf" / "comparison.csv", dtype={"a": "str", "b": "str"},
                               keep_default_na=False)
    assert len(written) == 5 and list(written.columns)[:5] == ["section", "forbund", "project_id", "actor",
                                                                 "measure"]
    markdown = (tmp_path / "jmf" / "comparison.md").read_text(encoding="utf-8")
    assert "| Förbund A | 500\u00a0kr | 620\u00a0kr | 120\u00a0kr |" in markdown
    assert "| Förbund A | P2 | 0 | 1 |" in markdown


def test_a_row_in_one_run_only_and_a_missing_extract(runs: tuple[Path, Path]) -> None:
    a, b = runs
    with (b / "ledger.csv").open("a", encoding="utf-8") as handle:
        handle.write(ledger_row("Förbund C", "ALL", "Summa", 10, 30, "3").replace(",", ";"))
    (a / "success_rules.csv").unlink()
    comparison = compare_outputs(a, b)
    only_b = comparison.section("ledger").query("forbund == 'Förbund C'")
    assert set(only_b["note"]) == {"bara i B"} and len(only_b) == 4
    assert comparison.notes == [f"success_rules.csv saknas i A ({a})"]


def test_folders_that_are_not_runs_are_refused(tmp_path: Path, runs: tuple[Path, Path]) -> None:
    (tmp_path / "tom").mkdir()
    with pytest.raises(CompareError) as info:
        compare_outputs(tmp_path / "tom", tmp_path / "saknas")
    assert info.value.lines == [f"mappen {tmp_path / 'saknas'} finns inte",
                                f"ledger.csv saknas i {tmp_path / 'tom'}: är det en körnings utdatamapp?"]


def _reports(folder: Path, index: dict[str, str], content: dict[str, str]) -> None:
    write_csv_atomic(pd.DataFrame({"forbund": list(index), "pdf": [f"{n[-1].lower()}/r.pdf" for n in index],
                                   "pages": 20, "pdf_sha256": list(index.values())}), folder / "reports.csv")
    (folder / "run.json").write_text(
        json.dumps({"status": "klar", "reports": {n: {"pdf": f"{n[-1].lower()}/r.pdf", "content_hash": h}
                                                  for n, h in content.items()}}), encoding="utf-8")


def test_a_report_that_changed_or_is_on_one_side_only(runs: tuple[Path, Path]) -> None:
    a, b = runs
    _reports(a, {"Förbund A": "pa", "Förbund B": "pb", "Förbund D": "pd"},
             {"Förbund A": "ca", "Förbund B": "cb", "Förbund D": "cd"})
    # A: the same content, another PDF (the content hash decides); B: other content; C: new in B;
    # D: no content hash in B, so the PDF's SHA-256 decides, and it differs.
    _reports(b, {"Förbund A": "pa2", "Förbund B": "pb", "Förbund C": "pc", "Förbund D": "pd2"},
             {"Förbund A": "ca", "Förbund B": "cb2", "Förbund C": "cc"})
    comparison = compare_outputs(a, b)
    reports = comparison.section("report")
    assert reports[["forbund", "measure", "a", "b", "note"]].values.tolist() == [
        ["Förbund B", "innehåll (content_hash)", "cb", "cb2", "rapporten b/r.pdf har ändrats"],
        ["Förbund D", "pdf (sha256)", "pd", "pd2", "rapporten d/r.pdf har ändrats"],
        ["Förbund C", "rapport", "", "c/r.pdf", "bara i B"]]
    lines = comparison_lines(comparison)
    assert lines[0].endswith("rapporter 3")
    assert "  2 rapporter har ändrats: Förbund B, Förbund D" in lines
    assert "  rapport Förbund C: bara i B" in lines
    (b / "reports.csv").unlink()
    (b / "run.json").unlink()
    # A folder that lists no reports (no report step ran) has no report differences, only the missing file.
    without = compare_outputs(a, b)
    assert without.section("report").empty and f"reports.csv saknas i B ({b})" in without.notes
    markdown = comparison_markdown(comparison)
    assert "| Förbund C | rapport | bara i B |" in markdown and "rapporter 3" in markdown


def test_the_same_runs_reports_are_no_difference(runs: tuple[Path, Path]) -> None:
    a, _ = runs
    _reports(a, {"Förbund A": "pa"}, {"Förbund A": "ca"})
    assert compare_outputs(a, a).section("report").empty


CATALOGUE = ["version", "support_code", "occupation", "target_group", "education_level", "item", "kind",
             "reduction_in_work", "af_sek", "kommun_sek", "price_year", "kommun_sek_2024", "catalogue_version"]


def _catalogue(folder: Path, rows: list[list]) -> None:
    write_csv_atomic(pd.DataFrame(rows, columns=CATALOGUE), folder / "ledger_catalogue.csv")


def test_the_catalogue_amounts_that_differ(runs: tuple[Path, Path]) -> None:
    a, b = runs
    lon = ["2026.2", "lon", "", "", "forgymnasial", "", "transfer", 0.0]
    psyk = ["2026.2", "", "", "unga_vuxna", "", "psykiatri", "real", 0.0]
    _catalogue(a, [[*lon, 0, -64490, 2024, -64490.0, "2026.2 (unit_costs.csv 08dd9349)"],
                   [*psyk, 0, 1000, 2023, 1050.0, "2026.2 (unit_costs.csv 08dd9349)"]])
    # B: the wage row's kommun amount changed; the psykiatri row's price year (so its price in 2024) changed;
    # a row only in B.
    _catalogue(b, [[*lon, 0, -60000, 2024, -60000.0, "2026.2+1b2c3d4e"],
                   [*psyk, 0, 1000, 2024, 1000.0, "2026.2+1b2c3d4e"],
                   ["2026.2", "a_kassa", "", "", "", "", "transfer", 0.0, 0, 5, 2024, 5.0, "2026.2+1b2c3d4e"]])
    comparison = compare_outputs(a, b)
    assert comparison.section("version").query("measure == 'katalog'")["b"].tolist() == ["2026.2+1b2c3d4e"]
    rows = comparison.section("catalogue")
    assert rows[["measure", "actor", "a", "b", "change", "note"]].values.tolist() == [
        ["lon / forgymnasial (transfer): kommun_sek", "Kommun", -64490, -60000, 4490,
         "i 2024 års priser: -64490 → -60000"],
        ["unga_vuxna / psykiatri (real): kommun_sek_2024", "Kommun", 1050, 1000, -50,
         "samma belopp i filen, annan indexering"],
        ["unga_vuxna / psykiatri (real): price_year", "", 2023, 2024, 1, ""],
        ["a_kassa (transfer)", "", "", "kommun_sek 5; price_year 2024", "", "bara i B"]]
    assert "  4 skillnader i enhetskostnadskatalogen" in comparison_lines(comparison)
    assert compare_outputs(a, a).section("catalogue").empty


def test_a_runs_output_folder_is_refused_as_the_place_to_write(runs: tuple[Path, Path], capsys) -> None:
    a, b = runs
    record(b, status="klar")  # b is now a run's output folder (it has run.json)
    before = {p.name: p.read_bytes() for p in b.iterdir()}
    with pytest.raises(CompareError) as info:
        compare_command(a, b, b)
    assert len(info.value.lines) == 1 and "run.json" in info.value.lines[0] and "--out" in info.value.lines[0]
    assert main(["compare", str(a), str(b), "--out", str(b)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith(f"fel: {b} är en körnings utdatamapp")
    assert {p.name: p.read_bytes() for p in b.iterdir()} == before


def _run_folder(published: Path, run_id: str, net: int) -> Path:
    staging = ensure_staging(published, run_id, run_id, 2024, "alla")
    (staging / "ledger.csv").write_text(LEDGER_HEADER + ledger_row("Förbund A", "ALL", "Summa", 100, 100 + net, "1"),
                                        encoding="utf-8")
    write_csv_atomic(pd.DataFrame({"forbund": ["Förbund A"], "year": [2024], "measure": ["andel"], "value": [0.4],
                                   "median": [0.3], "percentile": [70], "forbund_compared": [6]}),
                     staging / BENCHMARKS_FILE)
    return staging


def test_a_new_version_after_adoption_keeps_its_benchmarks_beside_the_comparison(tmp_path: Path) -> None:
    published = tmp_path / "out" / "2024"
    publish(_run_folder(published, "r1", 50), published, "r1")
    adopt(published)
    staged = _run_folder(published, "r2", 80)
    benchmarks = (staged / BENCHMARKS_FILE).read_bytes()
    result = publish(staged, published, "r2")
    assert result.version == 2
    assert (result.folder / BENCHMARKS_FILE).read_bytes() == benchmarks
    comparison = read_csv_extract(result.folder / "comparison.csv", dtype="str", keep_default_na=False)
    assert list(comparison.columns)[0] == "section" and "net_sek" in set(comparison["measure"])
    manifest = read_manifest(result.folder)
    assert {BENCHMARKS_FILE, "comparison.csv", "comparison.md"} <= set(manifest["files"])
    assert manifest["files"] == file_hashes(result.folder)
    assert all(sha256_file(result.folder / n) == e["sha256"] for n, e in manifest["files"].items())
