"""Present value, the actors and the `samverkan ledger` command."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from samverkan.ledger.actors import ACTORS_WITH_TOTAL, actor_name
from samverkan.ledger.present_value import (
    cumulative_factors,
    cumulative_pv,
    ledger_command,
    pv_table,
    read_flows,
)

ROOT = Path(__file__).resolve().parents[1]

REFERENCE_FLOWS = """actor,amount_sek
Arbetsförmedlingen,175000
Försäkringskassan,546250
Kommun,1111333
Region,795583
Rättsväsende,16875
Övriga,0
Produktionsvärde,2856000
"""
# DESIGN.md's reference table, cumulated at 4 % over years 1–4.
REFERENCE_TABLE = {
    "Arbetsförmedlingen": [175000, 343269, 505067, 660641],
    "Försäkringskassan": [546250, 1071490, 1576529, 2062143],
    "Kommun": [1111333, 2179923, 3207413, 4195385],
    "Region": [795583, 1560567, 2296129, 3003400],
    "Rättsväsende": [16875, 33101, 48703, 63705],
    "Övriga": [0, 0, 0, 0],
    "Produktionsvärde": [2856000, 5602154, 8242686, 10781660],
    "Summa": [5501042, 10790505, 15876527, 20766933],
}


def parse(csv_text: str) -> tuple[list[str], dict[str, list[int]]]:
    lines = csv_text.strip().split("\n")
    rows = {line.split(",")[0]: [int(v) for v in line.split(",")[1:]] for line in lines[1:]}
    return lines[0].split(","), rows


def assert_reference(csv_text: str) -> None:
    header, rows = parse(csv_text)
    assert header == ["actor", "1", "2", "3", "4"]
    assert list(rows) == list(REFERENCE_TABLE)
    for actor, expected in REFERENCE_TABLE.items():
        assert np.abs(np.array(rows[actor]) - np.array(expected)).max() <= 2, actor


def test_reference_table_by_function(tmp_path: Path) -> None:
    flows = tmp_path / "flows.csv"
    flows.write_text(REFERENCE_FLOWS, encoding="utf-8")
    assert_reference(ledger_command(flows, 0.04, 4))


def test_reference_table_by_cli(tmp_path: Path) -> None:
    flows = tmp_path / "flows.csv"
    flows.write_text(REFERENCE_FLOWS, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "pipelines.cli", "ledger", "--flows", str(flows), "--rate", "0.04",
                           "--years", "4"], capture_output=True, text=True, cwd=ROOT, check=True)
    assert_reference(done.stdout)


def test_reference_with_codes_and_old_names(tmp_path: Path) -> None:
    text = REFERENCE_FLOWS.replace("Arbetsförmedlingen", "af").replace("Region", "Landsting") \
        .replace("Rättsväsende", "rattsvasende").replace("Produktionsvärde", "produktionsvarde")
    flows = tmp_path / "flows.csv"
    flows.write_text(text, encoding="utf-8")
    assert_reference(ledger_command(flows, 0.04, 4))


def test_rate_zero_is_a_plain_cumulative_sum() -> None:
    flows = read_flows(io.StringIO("actor,amount_sek\nKommun,100\nfk,-40\n"), 3)
    out = ledger_command(io.StringIO("actor,amount_sek\nKommun,100\nfk,-40\n"), 0.0, 3)
    assert list(flows.index) == ["Försäkringskassan", "Kommun"]
    assert out == "actor,1,2,3\nFörsäkringskassan,-40,-80,-120\nKommun,100,200,300\nSumma,60,120,180\n"


def test_one_year_is_undiscounted() -> None:
    out = ledger_command(io.StringIO("actor,amount_sek\nRegion,123456.6\n"), 0.5, 1)
    assert out == "actor,1\nRegion,123457\nSumma,123457\n"


def test_varying_flows_negative_amounts_and_missing_years() -> None:
    text = "actor,year,amount_sek\nKommun,1,1000\nKommun,3,1100\nAF,2,-500\nAF,2,-500\nKommun,9,77\n"
    out = ledger_command(io.StringIO(text), 0.10, 3)
    # Kommun: 1000; 1000 + 0/1.1; 1000 + 1100/1.21 = 1909.09. AF: 0; -1000/1.1 = -909.09; unchanged.
    # Year 9 is beyond the horizon and ignored.
    assert out == ("actor,1,2,3\nArbetsförmedlingen,0,-909,-909\nKommun,1000,1000,1909\n"
                   "Summa,1000,91,1000\n")


def test_summa_is_computed_before_rounding() -> None:
    table = pv_table(read_flows(io.StringIO("actor,amount_sek\nAF,0.4\nFK,0.4\nKommun,0.4\n"), 1), 0.04)
    assert round(table.loc["Summa", 1]) == 1


def test_cumulative_factors_match_the_definition() -> None:
    rate, drop = 0.04, 0.15
    expected = np.cumsum([(1 - drop) ** k / (1 + rate) ** k for k in range(5)])
    assert np.allclose(cumulative_factors(rate, 5, drop), expected)
    assert np.allclose(cumulative_factors(rate, 5, np.array([drop, 0.0]))[1], cumulative_pv(np.ones(5), rate))


def test_actor_names() -> None:
    assert actor_name("Landsting") == "Region"
    assert actor_name("landstinget".removesuffix("et")) == "Region"
    assert actor_name("ovriga") == "Övriga"
    assert actor_name("RÄTTSVÄSENDE") == "Rättsväsende"
    assert [actor_name(a) for a in ACTORS_WITH_TOTAL] == list(ACTORS_WITH_TOTAL)
    with pytest.raises(ValueError, match="okänd aktör"):
        actor_name("Skatteverket")


def test_bad_flow_files_are_refused() -> None:
    with pytest.raises(ValueError):
        read_flows(io.StringIO("who,amount\nAF,1\n"), 2)
    with pytest.raises(ValueError):
        read_flows(io.StringIO("actor,amount_sek\nSumma,1\n"), 2)


def test_excel_style_flows(tmp_path: Path) -> None:
    flows = tmp_path / "flows.csv"
    flows.write_bytes("\ufeffactor;year;amount_sek\nKommun;1;1000,5\nLandsting;2;-10\n".encode())
    assert ledger_command(flows, 0.0, 2) == "actor,1,2\nKommun,1001,1001\nRegion,0,-10\nSumma,1001,991\n"


def test_run_flags_validate_the_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pipelines.cli import build_parser, main

    bad = tmp_path / "bad.csv"
    bad.write_text("support_code,occupation\nlon,\n", encoding="utf-8")
    # Checked with the other run files before anything runs: one Swedish line, exit 2.
    assert main(["run", "--inbox", ".", "--year", "2024", "--out", ".", "--catalogue", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("fel: ") and "bad.csv" in err and "Traceback" not in err
    with pytest.raises(SystemExit):
        build_parser().parse_args(["run", "--inbox", ".", "--year", "2024", "--out", ".", "--catalogue",
                                   str(tmp_path / "finns-inte.csv")])
    from samverkan.ledger.catalogue import default_catalogue_file
    from samverkan.ledger.parameters import default_parameters_file

    args = build_parser().parse_args(["run", "--inbox", ".", "--year", "2024", "--out", ".", "--catalogue",
                                      str(default_catalogue_file()), "--parameters", str(default_parameters_file())])
    assert args.catalogue_file == str(default_catalogue_file().resolve())
    assert args.parameters_file == str(default_parameters_file().resolve())


def test_rate_in_percent_is_refused() -> None:
    with pytest.raises(ValueError, match="decimaltal"):
        ledger_command(io.StringIO(REFERENCE_FLOWS), 4, 3)
