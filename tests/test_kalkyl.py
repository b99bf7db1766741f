"""The investeringskalkyl: what it shows (against the forecast's own figures), tagging, layout and determinism."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from test_pdfua import pdfua_findings
from test_report_layout import words_outside_text_area

from reports.kalkyl import kalkyl_paths, write_kalkyl
from samverkan.files import read_csv_extract
from samverkan.forecast.run import forecast_plan

PLAN = """\
forbund: Samordningsförbundet Demo
name: Ny väg till arbete
start_date: 2025-01-01
end_date: 2026-12-31
participants: 60
expected_share: 0.3
target_group: Unga vuxna med försörjningsstöd
support_before: forsorjningsstod|sjukpenning:50
occupation_before: arbetssokande
costs:
  - {year: 2025, financier: samordningsforbund, amount_sek: 1500000}
  - {year: 2026, financier: samordningsforbund, amount_sek: 1500000}
  - {year: 2026, financier: kommun, amount_sek: 200000, in_kind: true}
prerequisites: {1: 3, 2: 2, 3: 2, 4: 1, 5: 2, 6: 0, 7: 2, 8: 3, 9: 1, 10: 2, 11: 2, 12: 1}
scenarios:
  "3": {forbund_locked_share: 0.2}
"""


def write_plan(folder: Path, text: str = PLAN, name: str = "ny_väg.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kalkyl")
    result = forecast_plan(write_plan(folder), folder / "out")
    return result, write_kalkyl(result, folder / "out", version="test")


@pytest.fixture(scope="module")
def text(rendered) -> str:
    _, kalkyl = rendered
    return subprocess.run(["pdftotext", "-layout", str(kalkyl.pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_written_beside_forecast_csv(rendered):
    _, kalkyl = rendered
    assert kalkyl.pdf.name == "investeringskalkyl-ny-vag.pdf" and kalkyl.html.name == "investeringskalkyl-ny-vag.html"
    assert (kalkyl.pdf.parent / "forecast.csv").exists() and kalkyl.html.parent == kalkyl.pdf.parent


def test_the_plan_and_its_situations(text):
    for phrase in ("Ny väg till arbete", "Samordningsförbundet Demo", "Unga vuxna med försörjningsstöd",
                   "30 %, det vill säga 18,0 deltagare",
                   "Arbetssökande; stöd: forsorjningsstod 100 %, sjukpenning 50 %", "Arbete; stöd: lon 100 %"):
        assert phrase in text, phrase


def test_break_even_counts_are_the_forecast_csvs(rendered, text):
    result, kalkyl = rendered
    csv = read_csv_extract(kalkyl.pdf.parent / "forecast.csv")
    project = csv[csv["scenario"] == "projekt"].set_index("actor")
    # The project table: investment, effect, net and break-even count per actor, as forecast.csv has them.
    for actor in ("Försäkringskassan", "Kommun", "Region", "Summa"):
        row = project.loc[actor]
        figures = [f"{int(v):,}".replace(",", " ").replace("-", "\u2212") + " kr"
                   for v in (row.investment_sek, row.effect_pv_sek, row.net_sek)]
        line = next(ln for ln in text.splitlines() if ln.strip().startswith(actor) and "kr" in ln)
        assert re.sub(r"\s+", " ", line).strip() == " ".join(
            [actor, *figures, str(int(row.break_even_successes))]), line
    # Kommun's in-kind cost and förbund share: 13 must succeed, hand-checked against the net function.
    model = result.models[0]
    kommun = 2
    assert project.loc["Kommun", "break_even_successes"] == 13
    assert model.net(13)[kommun] >= 0 > model.net(12)[kommun]


def test_empty_break_even_is_explained(text):
    assert "Arbetsförmedlingen, Rättsväsende, Övriga, Produktionsvärde investerar inget" in re.sub(r"\s+", " ", text)


def test_out_of_reach_is_explained(tmp_path):
    small = PLAN.replace("participants: 60", "participants: 2")
    result = forecast_plan(write_plan(tmp_path, small, "liten.yaml"), tmp_path / "out")
    kommun = next(line for line in result.view.scenarios[0].lines if line.actor == "Kommun")
    assert kommun.break_even_successes is None
    assert kommun.break_even_reason == "går inte jämnt ut ens om alla 2 planerade deltagare lyckas"


def test_scenarios_side_by_side(rendered, text):
    result, _ = rendered
    flat = re.sub(r"\s+", " ", text)
    assert "Projekt Scenario 1 Scenario 2 Scenario 3" in flat
    for scenario in result.view.scenarios:
        assert scenario.label in flat
    summa = [s.lines[-1].net_sek for s in result.view.scenarios]
    assert "Summa " + " ".join(f"{v:,}".replace(",", " ") + " kr" for v in summa) in flat


def test_prerequisites_x_of_12_with_the_missing_named(text):
    flat = re.sub(r"\s+", " ", text)
    assert "8 av 12 förutsättningar" in flat
    for name in ("Samfinansiering", "Uppföljningssystem", "Prövande och risktagande förhållningssätt", "Eldsjälar"):
        assert name in flat


def test_method_note(text):
    flat = re.sub(r"\s+", " ", text)
    assert "p₀ = 18 % av deltagarna" in flat and "av 60 planerade är det 10,8" in flat
    assert "verktygets modell och antaganden" in flat
    for label in ("Katalogversion", "Parameterversion", "Scenarioversion", "Diskonteringsränta"):
        assert label in flat


def test_html_is_swedish_with_scoped_headers_and_chart_title(rendered):
    _, kalkyl = rendered
    html = kalkyl.html.read_text(encoding="utf-8")
    assert '<html lang="sv">' in html and "<h1>" in html and "<h2>" in html
    assert "<style></style>" not in html and "@page" in html  # the twin carries its stylesheet
    assert not re.search(r"<th(?=[\s>])(?![^>]*scope=)", html)
    assert html.count('scope="row"') >= 8 * 4
    title = re.search(r"<svg[^>]*>\s*<title>(.*?)</title>", html, re.S)
    assert title and "Går jämnt ut: Arbetsförmedlingen inte (–); Försäkringskassan vid 15; Kommun vid 13" in title[1]


def test_same_plan_gives_identical_bytes(rendered, tmp_path):
    result, kalkyl = rendered
    again = write_kalkyl(forecast_plan(write_plan(tmp_path), tmp_path / "out"), tmp_path / "out", version="test")
    assert again.pdf.read_bytes() == kalkyl.pdf.read_bytes()
    assert again.html.read_bytes() == kalkyl.html.read_bytes()


def test_no_pdfua_finding(rendered):
    _, kalkyl = rendered
    findings, skipped = pdfua_findings(kalkyl.pdf)
    assert findings == []
    assert set(skipped) <= {"UA-14-001"}, skipped


def test_no_text_beyond_the_text_area(rendered):
    _, kalkyl = rendered
    assert words_outside_text_area(kalkyl.pdf) == []


def test_paths_follow_the_plan_file(rendered, tmp_path):
    result, _ = rendered
    assert kalkyl_paths(tmp_path, result) == (tmp_path / "investeringskalkyl-ny-vag.pdf",
                                              tmp_path / "investeringskalkyl-ny-vag.html")


def test_plan_forecasts_writes_each_plans_kalkyl(small_inbox: Path, pipeline_resources):
    from dagster import DagsterInstance, materialize

    from assets.forecast import plan_forecasts

    resources = pipeline_resources(small_inbox)
    result = materialize([plan_forecasts], partition_key="2024", instance=DagsterInstance.ephemeral(),
                         resources=resources)
    assert result.success
    pdfs = result.asset_materializations_for_node("plan_forecasts")[0].metadata["investeringskalkyler"].value
    assert [Path(p).name for p in pdfs] == ["investeringskalkyl-plan-avslutad-insats.pdf",
                                            "investeringskalkyl-plan-ny-insats.pdf"]
    for pdf in map(Path, pdfs):
        assert pdf.read_bytes().startswith(b"%PDF") and pdf.with_suffix(".html").exists()
        assert (pdf.parent / "forecast.csv").exists()
