"""Partial parameters, rules and catalogue files: merged over the shipped ones, every value checked first."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from samverkan.ledger.catalogue import load_catalogue
from samverkan.ledger.parameters import load_parameters, parameters_from_overrides
from samverkan.overrides import EVALUATOR_BASIS, RunFileError
from samverkan.run_files import validate_run_files
from samverkan.success.rules import RulesError, load_rules

SHIPPED = load_parameters()


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


def lines_of(call, *args) -> list[str]:
    with pytest.raises(RunFileError) as info:
        call(*args)
    return info.value.lines


def test_a_two_line_file_is_a_complete_scenario(tmp_path: Path) -> None:
    path = write(tmp_path / "ränta.yaml", "discount_rate:\n  value: 0.03\n")
    parameters = load_parameters(path)
    assert parameters.discount_rate == 0.03
    # Everything else is the shipped file's.
    assert (parameters.p0, parameters.horizon_years, parameters.mc_draws) == (
        SHIPPED.p0, SHIPPED.horizon_years, SHIPPED.mc_draws)
    assert re.fullmatch(r"2026\.1\+[0-9a-f]{8}", parameters.version)
    # A value without low/high is its own interval, as in a complete file.
    assert (parameters.discount_range.low, parameters.discount_range.high) == (0.03, 0.03)
    row = parameters.table()[0]
    assert row["value"] == "0.03 (0.03–0.03)"
    assert row["basis"] == f"{EVALUATOR_BASIS} (standardvärde 0.04)"
    # Values the file did not touch keep their own basis.
    assert parameters.table()[1]["basis"] == SHIPPED.table()[1]["basis"]


def test_a_value_with_its_own_basis_and_interval(tmp_path: Path) -> None:
    path = write(tmp_path / "p.yaml", "counterfactual:\n  work_or_studies:\n    value: 0.4\n    low: 0.35\n"
                                      "    basis: SUS 2023, jämförbar målgrupp\n")
    parameters = load_parameters(path)
    # low as given, high the value itself (not the shipped 0.30, which would lie below the value).
    assert (parameters.p0.low, parameters.p0.value, parameters.p0.high) == (0.35, 0.4, 0.4)
    assert parameters.p0.basis == "SUS 2023, jämförbar målgrupp"
    assert parameters.other_outcomes == SHIPPED.other_outcomes
    # The success rules read the same p0 and show the same basis.
    rules = load_rules(None, path)
    assert rules.reference == 0.4 and rules.reference_basis == "SUS 2023, jämförbar målgrupp"
    wider = load_parameters(write(tmp_path / "w.yaml", "drop_off:\n  low: 0.0\n  high: 0.5\n"))
    assert (wider.drop_off.low, wider.drop_off.value, wider.drop_off.high) == (0.0, 0.15, 0.5)
    assert wider.drop_off.basis == f"{EVALUATOR_BASIS} (standardvärde 0.15)"


def test_every_bad_value_is_one_swedish_line(tmp_path: Path) -> None:
    path = write(tmp_path / "fel.yaml", "discount_rate:\n  value: 4\nhorizon_years:\n  value: 50\n"
                                        "horizon:\n  value: 3\ndrop_off:\n  value: -0.1\n"
                                        "monte_carlo:\n  draws: 10\nattribution:\n  value: 0.9\n  low: 0.95\n")
    lines = lines_of(load_parameters, path)
    assert lines[0].startswith("parameterfilen fel.yaml: okänd nyckel horizon (tillåtna: version, discount_rate")
    assert lines[1:] == [
        "parameterfilen fel.yaml: discount_rate.value ska ligga mellan 0 och 0.2, fick 4",
        "parameterfilen fel.yaml: horizon_years.value ska ligga mellan 1 och 40, fick 50",
        "parameterfilen fel.yaml: attribution kräver 0 ≤ low ≤ value ≤ high ≤ 1, fick low 0.95, value 0.9, high 0.9",
        "parameterfilen fel.yaml: drop_off.value ska ligga mellan 0 och 1, fick -0.1",
        "parameterfilen fel.yaml: monte_carlo.draws ska vara ett heltal mellan 100 och 100000, fick 10",
    ]


def test_nested_unknown_keys_shares_and_whole_years(tmp_path: Path) -> None:
    path = write(tmp_path / "p.yaml", "counterfactual:\n  work_or_study:\n    value: 0.2\n"
                                      "forbund_shares:\n  default: {fk: 0.5, region: 0.5, kommun: 0.25}\n"
                                      "horizon_years:\n  value: 4.5\n")
    lines = lines_of(load_parameters, path)
    assert lines[0] == ("parameterfilen p.yaml: okänd nyckel counterfactual.work_or_study "
                        "(tillåtna: work_or_studies, other_outcomes)")
    assert "horizon_years ska anges i hela år, fick 4.5" in lines[1]
    assert "forbund_shares.default: andelarna ska vara icke-negativa och summera till 1" in lines[2]
    # A full set of shares replaces the shipped one as a whole (a half-given set cannot sum to one).
    shares = write(tmp_path / "s.yaml", "forbund_shares:\n  default: {fk: 0.5, region: 0.5}\n")
    parameters = load_parameters(shares)
    assert parameters.default_shares == {"Försäkringskassan": 0.5, "Region": 0.5}
    # No single shipped value to quote: the mark alone.
    assert parameters.basis["forbund_shares"] == EVALUATOR_BASIS


def test_a_yaml_error_is_one_line_with_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path / "trasig.yaml", "discount_rate:\n  value: 0.03\n  low: [0.01\n")
    (line,) = lines_of(load_parameters, path)
    assert line.startswith(f"parameterfilen {path}, rad 4: inte giltig YAML")
    twice = write(tmp_path / "två.yaml", "drop_off:\n  value: 0.1\ndrop_off:\n  value: 0.2\n")
    (line,) = lines_of(load_parameters, twice)
    assert "rad 3" in line and "nyckeln 'drop_off' anges två gånger" in line


def test_launchpad_fields_are_a_partial_document(tmp_path: Path) -> None:
    document = parameters_from_overrides({"discount_rate": 0.05, "counterfactual_share": 0.25,
                                          "horizon_years": None, "drop_off": "", "attribution": 0.8})
    assert document == {"discount_rate": {"value": 0.05}, "counterfactual": {"work_or_studies": {"value": 0.25}},
                        "attribution": {"value": 0.8}}
    file = write(tmp_path / "p.yaml", "discount_rate:\n  value: 0.03\n  basis: egen\n")
    parameters = load_parameters(file, document)
    # The fields win over the file, the file over the shipped values.
    assert (parameters.discount_rate, parameters.p0.value, parameters.attribution.value) == (0.05, 0.25, 0.8)
    assert re.fullmatch(r"2026\.1\+[0-9a-f]{8}\+[0-9a-f]{8}", parameters.version)
    assert parameters.discount_range.basis.startswith(EVALUATOR_BASIS)
    with pytest.raises(RunFileError, match="okänt parameterfält ränta"):
        parameters_from_overrides({"ränta": 0.03})
    assert "discount_rate.value ska ligga mellan 0 och 0.2, fick 3" in lines_of(
        load_parameters, None, parameters_from_overrides({"discount_rate": 3}))[0]


def test_a_partial_rules_file(tmp_path: Path) -> None:
    path = write(tmp_path / "r.yaml", "outcome:\n  min_exits: 30\nfollow_up:\n  min_retention: 0.6\n"
                                      "basis:\n  follow_up.min_retention: Egen uppföljning 2023\n")
    rules = load_rules(path)
    assert (rules.min_exits, rules.min_retention, rules.min_followed) == (30, 0.6, 10)
    assert re.fullmatch(r"2026\.2\+[0-9a-f]{8}", rules.version)
    table = rules.parameters().set_index("parameter")["basis"]
    assert table["outcome.min_exits"] == f"{EVALUATOR_BASIS} (standardvärde 20)"
    assert table["follow_up.min_retention"] == "Egen uppföljning 2023"
    assert table["follow_up.min_followed"].startswith("Minsta antal uppföljda")


def test_bad_rules_give_every_line(tmp_path: Path) -> None:
    path = write(tmp_path / "r.yaml", "outcome:\n  min_exits: tjugo\n  confidence: 1.5\nfolow_up: {}\n")
    with pytest.raises(RulesError) as info:
        load_rules(path)
    assert info.value.lines == [
        f"regelfilen {path}: okänd nyckel folow_up (tillåtna: version, counterfactual, outcome, follow_up, "
        "apparent_success, projects, members, non_members)",
        f"regelfilen {path}: outcome.min_exits: ska vara ett heltal större än eller lika med 0, fick 'tjugo'",
        f"regelfilen {path}: outcome.confidence: ska vara ett tal strikt mellan 0 och 1, fick 1.5",
    ]


OVERRIDE = ("support_code;occupation;education_level;kind;kommun_sek;source\n"
            "sjukpenning;;;;5;egen mätning\nlon;;;transfer;-90000;\n")


def test_a_catalogue_override_replaces_only_its_rows(tmp_path: Path) -> None:
    shipped = load_catalogue(2024)
    catalogue = load_catalogue(2024, write(tmp_path / "k.csv", OVERRIDE, "cp1252"))
    assert len(catalogue.rows) == len(shipped.rows)
    key = ["support_code", "occupation", "education_level", "kind"]
    rows = catalogue.rows.set_index(key)
    before = shipped.rows.set_index(key)
    assert rows.loc[("sjukpenning", "", "", "transfer"), "kommun_sek"] == "5"
    assert rows.loc[("sjukpenning", "", "", "transfer"), "source"] == "egen mätning"
    # An empty kind is the transfer row, as in the catalogue itself; no source given: the evaluator's mark;
    # the general lon row only (an empty education_level given), not the rows per education level.
    assert rows.loc[("lon", "", "", "transfer"), "kommun_sek"] == "-90000"
    lon = rows.loc[("lon", "", "", "transfer"), "source"]
    assert lon.startswith(EVALUATOR_BASIS + " (tidigare källa: Eget antagande: ingångslön")
    # The amount is indexed from the row's own price year, as before.
    assert rows.loc[("lon", "", "", "transfer"), "price_year"] == before.loc[("lon", "", "", "transfer"), "price_year"]
    untouched = [c for c in rows.columns if c != "version"]
    assert rows.drop(index=[("sjukpenning", "", "", "transfer"), ("lon", "", "", "transfer")])[untouched].equals(
        before.drop(index=[("sjukpenning", "", "", "transfer"), ("lon", "", "", "transfer")])[untouched])
    assert re.match(r"2026\.2\+[0-9a-f]{8} ", catalogue.version)


def test_a_catalogue_override_that_names_no_row_or_two(tmp_path: Path) -> None:
    path = write(tmp_path / "k.csv", "support_code,occupation,kommun_sek,pris\nlon,,5,1\nbogus,,1,1\n")
    lines = lines_of(load_catalogue, 2024, path)
    assert lines[0].startswith("k.csv: okänd kolumn pris (tillåtna: support_code, occupation, ")
    assert lines[1:] == [
        "k.csv: rad 2 (support_code=lon, occupation=): matchar 4 rader; ange också education_level",
        "k.csv: rad 3 (support_code=bogus, occupation=): finns inte i katalogen; en ny rad kräver en hel katalogfil",
    ]


def test_validate_run_files_collects_all_three(tmp_path: Path) -> None:
    assert validate_run_files(None, None, None, 2024) == []
    assert validate_run_files(write(tmp_path / "p.yaml", "discount_rate:\n  value: 0.03\n"), None,
                              write(tmp_path / "k.csv", OVERRIDE), 2024) == []
    lines = validate_run_files(write(tmp_path / "fel.yaml", "drop_off:\n  value: 2\n"),
                               write(tmp_path / "r.yaml", "outcome: [\n"), tmp_path / "saknas.csv", 2024)
    assert lines[0] == "parameterfilen fel.yaml: drop_off.value ska ligga mellan 0 och 1, fick 2"
    assert lines[1].startswith(f"regelfilen {tmp_path / 'r.yaml'}, rad 2: inte giltig YAML")
    assert lines[2] == f"katalogfilen {tmp_path / 'saknas.csv'} finns inte"
    assert len(lines) == 3


def test_a_run_file_changed_in_place_is_checked_again(tmp_path: Path) -> None:
    """The check is kept per process by the files' contents (a limited run's steps each ask), never by name."""
    path = write(tmp_path / "p.yaml", "discount_rate:\n  value: 0.03\n")
    assert validate_run_files(path, None, None, 2024) == []
    write(path, "discount_rate:\n  value: 4\n")
    assert validate_run_files(path, None, None, 2024) == [
        "parameterfilen p.yaml: discount_rate.value ska ligga mellan 0 och 0.2, fick 4"]
    assert validate_run_files(path, None, None, 2024) == validate_run_files(path, None, None, 2024)
    write(path, "discount_rate:\n  value: 0.03\n")
    assert validate_run_files(path, None, None, 2024) == []
    path.unlink()
    assert validate_run_files(path, None, None, 2024) == [f"parameterfilen {path} finns inte"]


def test_an_empty_or_header_only_catalogue_is_one_swedish_line_naming_the_file(tmp_path: Path) -> None:
    header = (Path(__file__).parents[1] / "samverkan" / "data" / "unit_costs.csv").read_text(
        encoding="utf-8-sig").split("\n", 1)[0]
    empty = write(tmp_path / "k.csv", "")
    assert validate_run_files(None, None, empty, 2024) == [
        "katalogfilen k.csv är tom; en katalog behöver en rubrikrad och rader (lämna katalogen ogiven för den "
        "medföljande)"]
    assert lines_of(load_catalogue, 2024, write(tmp_path / "bom.csv", "\ufeff \n")) == [
        "katalogfilen bom.csv är tom; en katalog behöver en rubrikrad och rader (lämna katalogen ogiven för den "
        "medföljande)"]
    assert validate_run_files(None, None, write(tmp_path / "h.csv", header + "\n"), 2024) == [
        "katalogfilen h.csv har bara rubrikraden och inga rader med enhetskostnader"]


def test_an_empty_parameters_or_rules_file_is_an_empty_document_and_changes_nothing(tmp_path: Path) -> None:
    parameters = load_parameters(write(tmp_path / "p.yaml", ""))
    assert parameters.discount_rate == SHIPPED.discount_rate and parameters.version.startswith("2026.1+")
    assert validate_run_files(tmp_path / "p.yaml", write(tmp_path / "r.yaml", ""), None, 2024) == []
    shipped, empty = (load_rules(path, parameters=SHIPPED) for path in (None, tmp_path / "r.yaml"))
    assert empty.version.startswith("2026.2+")
    assert dataclasses.replace(empty, version=shipped.version, source=shipped.source) == shipped


def test_a_catalogue_override_naming_one_row_twice_is_refused(tmp_path: Path) -> None:
    twice = write(tmp_path / "k.csv", "support_code;occupation;education_level;kind;kommun_sek\n"
                                      "lon;;;transfer;-50000\nlon;;;transfer;-40000\n")
    with pytest.raises(RunFileError) as caught:
        load_catalogue(2024, twice)
    assert caught.value.lines == ["k.csv: rad 3 (support_code=lon, occupation=, education_level=, kind=transfer): "
                                  "samma rad i katalogen som rad 2; ange varje rad en gång"]


def test_a_basis_for_a_rule_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    typo = write(tmp_path / "r.yaml", "outcome:\n  min_exits: 30\nbasis:\n  outcome.min_exit: Egen grund\n")
    with pytest.raises(RulesError) as caught:
        load_rules(typo)
    assert caught.value.lines == [f"regelfilen {typo}: basis.outcome.min_exit är ingen regel; menade du "
                                  "outcome.min_exits?"]
    right = write(tmp_path / "r2.yaml", "outcome:\n  min_exits: 30\nbasis:\n  outcome.min_exits: Egen grund\n")
    assert load_rules(right).parameters().set_index("parameter")["basis"]["outcome.min_exits"] == "Egen grund"
