"""Comparing two output folders: hand-made extracts, every expected difference written out."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from samverkan.compare import CompareError, compare_command, compare_outputs, comparison_lines
from samverkan.files import read_csv_extract, write_csv_atomic

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
    assert lines[0].endswith("versioner 1, parametrar och regler 1, bokslut 2, framgångsnivåer 1")
    assert "  netto Förbund A: 500\u00a0kr → 620\u00a0kr" in lines
    assert "  1 insatser har ändrad framgångsnivå" in lines
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
