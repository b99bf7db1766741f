"""`samverkan forecast --plan FILE --out DIR`, through ``pipelines.cli.main`` on plans written here."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from pypdf import PdfReader
from test_kalkyl import PLAN, write_plan

from pipelines.cli import build_parser, main
from samverkan.files import read_csv_extract


def test_a_plan_gives_forecast_csv_and_the_kalkyl(tmp_path, capsys):
    plan = write_plan(tmp_path)
    out = tmp_path / "ut"
    assert main(["forecast", "--plan", str(plan), "--out", str(out)]) == 0
    stdout = capsys.readouterr().out.splitlines()
    assert sorted(p.name for p in out.iterdir()) == [
        "forecast.csv", "forecast_chart.csv", "forecast_scenarios.csv", "investeringskalkyl-ny-vag.html",
        "investeringskalkyl-ny-vag.pdf"]
    assert stdout[0] == ("prognos för Ny väg till arbete (Samordningsförbundet Demo) skriven till "
                         f"{out / 'forecast.csv'}")
    assert stdout[1] == (f"investeringskalkyl: {out / 'investeringskalkyl-ny-vag.pdf'} och "
                         f"{out / 'investeringskalkyl-ny-vag.html'}")
    # The break-even counts printed are forecast.csv's, members and the total.
    table = read_csv_extract(out / "forecast.csv")
    project = table[table["scenario"] == "projekt"].set_index("actor")["break_even_successes"]
    assert stdout[2:] == [
        "måste lyckas för att gå jämnt ut (projekttiden, av 60 planerade):",
        "  Arbetsförmedlingen: – (investerar inget, så det finns ingen investering att tjäna igen)",
        f"  Försäkringskassan: {int(project['Försäkringskassan'])}",
        f"  Kommun: {int(project['Kommun'])}",
        f"  Region: {int(project['Region'])}",
        f"  Summa: {int(project['Summa'])}",
    ]
    assert int(project["Kommun"]) == 13 and pd.isna(project["Arbetsförmedlingen"])


def test_a_bad_plan_gets_one_swedish_line_per_problem_and_exit_2(tmp_path, capsys):
    bad = PLAN.replace("participants: 60", "participants: -3").replace("expected_share: 0.3", "expected_share: 3")
    plan = write_plan(tmp_path, bad, "trasig.yaml")
    assert main(["forecast", "--plan", str(plan), "--out", str(tmp_path / "ut")]) == 2
    captured = capsys.readouterr()
    assert captured.err.splitlines() == ["trasig.yaml: participants = -3 ligger utanför 1–1000000",
                                         "trasig.yaml: expected_share = 3 ligger utanför 0–1"]
    assert captured.out == "" and not (tmp_path / "ut").exists()


def test_a_missing_plan_file_is_one_line_and_exit_2(tmp_path, capsys):
    assert main(["forecast", "--plan", str(tmp_path / "finns_inte.yaml"), "--out", str(tmp_path / "ut")]) == 2
    assert capsys.readouterr().err.splitlines() == ["finns_inte.yaml: planen kan inte läsas (FileNotFoundError)"]


def test_a_bad_parameters_file_is_exit_2(tmp_path, capsys):
    parameters = tmp_path / "p.yaml"
    parameters.write_text("discount_rate: inte ett tal\n", encoding="utf-8")
    code = main(["forecast", "--plan", str(write_plan(tmp_path)), "--out", str(tmp_path / "ut"),
                 "--parameters", str(parameters)])
    err = capsys.readouterr().err.splitlines()
    assert code == 2 and len(err) == 1 and err[0].startswith("fel: katalogen, parametrarna eller scenarierna")


def test_plan_and_out_are_required_and_help_is_swedish():
    parser = build_parser()
    forecast = parser._subparsers._group_actions[0].choices["forecast"]
    helps = {a.dest: a.help for a in forecast._actions if a.dest != "help"}
    assert set(helps) == {"plan", "out", "catalogue", "parameters", "scenarios", "pdf_variant"}
    assert helps["plan"] == "planen (YAML)" and "standard" in helps["scenarios"]
    assert [a.dest for a in forecast._actions if a.required] == ["plan", "out"]


def test_the_archival_variant(tmp_path: Path, capsys):
    out = tmp_path / "ut"
    assert main(["forecast", "--plan", str(write_plan(tmp_path)), "--out", str(out), "--pdf-variant", "pdf/a-3u"]) == 0
    reader = PdfReader(out / "investeringskalkyl-ny-vag.pdf")
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b"pdfaid:part" in xmp and b"pdfuaid" not in xmp
    assert reader.trailer["/Root"]["/Lang"] == "sv"
