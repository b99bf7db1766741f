"""Row rules, the GX suites generated from the contract, and the synthetic inbox with injected errors."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from pipelines import gx
from samverkan import quality, validation_rules
from samverkan.contract import DATASETS, Column, Dataset
from samverkan.ingest import ingest_dataset
from samverkan.readers import dataset_files
from samverkan.synth import INJECTED_ERRORS_FILE

TODAY = dt.date(2025, 6, 30)
REPO = Path(__file__).resolve().parents[1]


def typed_participants(**columns: list) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    base = {
        "participant_id": [f"P-{i}" for i in range(n)],
        "project_id": ["SF01-P001"] * n,
        "enrolled_on": ["2024-01-10"] * n,
        "exited_on": [None] * n,
        "exit_reason": [None] * n,
        "birth_year": [1990] * n,
    }
    base.update(columns)
    frame = pd.DataFrame(base)
    for c in ("enrolled_on", "exited_on"):
        frame[c] = pd.to_datetime(frame[c]).astype("datetime64[s]")
    frame["birth_year"] = frame["birth_year"].astype("Int64")
    for c in ("participant_id", "project_id", "exit_reason"):
        frame[c] = frame[c].astype("str")
    for spec_column in DATASETS["participants"].column_names:
        if spec_column not in frame:
            frame[spec_column] = pd.Series(pd.NA, index=frame.index, dtype="str")
    frame["source_file"] = "p.csv"
    frame["source_row"] = range(2, n + 2)
    return frame


# ------------------------------------------------------------------ row rules by hand


def test_duplicates_keep_the_first_and_name_it() -> None:
    frame = typed_participants(participant_id=["A", "B", "A", "A"])
    problems = quality.duplicate_problems(DATASETS["participants"], frame)
    assert problems["source_row"].tolist() == [4, 5]
    assert (problems["rule"] == "duplicate_key").all()
    assert all("p.csv rad 2" in m for m in problems["message"])


def test_duplicate_with_missing_key_part_is_not_a_duplicate() -> None:
    frame = typed_participants(participant_id=["A", "A"], enrolled_on=[None, None])
    assert quality.duplicate_problems(DATASETS["participants"], frame).empty


def test_date_order_needs_value_future_and_birth_year() -> None:
    frame = typed_participants(
        participant_id=["ok", "swapped", "reason_only", "future", "young"],
        exited_on=["2024-03-01", "2023-12-01", None, None, None],
        exit_reason=["arbete", "arbete", "arbete", None, None],
        enrolled_on=["2024-01-10", "2024-01-10", "2024-01-10", "2025-07-01", "2024-01-10"],
        birth_year=[1990, 1990, 1990, 1990, 2011],
    )
    problems = quality.row_problems("participants", frame, pd.Series(["SF01-P001"]), TODAY)
    found = set(zip(problems["source_row"], problems["rule"], strict=True))
    assert found == {(3, "date_order"), (4, "needs_value"), (5, "future_date"), (6, "range")}
    message = problems.loc[problems["rule"] == "date_order", "message"].iloc[0]
    assert "2023-12-01" in message and "2024-01-10" in message
    # 2025 - 15 = 2010 is the latest plausible birth year on TODAY.
    assert "2010" in problems.loc[problems["rule"] == "range", "message"].iloc[0]


def test_unknown_project_formula_and_long_text() -> None:
    frame = typed_participants(participant_id=["=HYPERLINK(\"x\")", "-SUM(1)", "- ok", "x" * 501, "P-1"],
                               project_id=["SF01-P001"] * 4 + ["SF09-P999"])
    problems = quality.row_problems("participants", frame, pd.Series(["SF01-P001"]), TODAY)
    found = set(zip(problems["source_row"], problems["rule"], strict=True))
    assert found == {(2, "formula"), (3, "formula"), (5, "too_long"), (6, "unknown_project")}


def test_extracts_combine_every_dataset_in_contract_order(tmp_path: Path) -> None:
    problems = pd.DataFrame([["participants", "p.csv", 3, "gender", "allowed_codes", "okänd kod"]],
                            columns=["dataset", "source_file", "source_row", "column", "rule", "message"])
    quarantines = {"participants": problems, "projects": problems.iloc[0:0]}
    # Given in the order the steps might finish in; the extracts are in contract order.
    verdicts = {"participants": quality.verdict("participants", 10, 9, []),
                "projects": quality.verdict("projects", 2, 2, [])}
    problems_path, summary_path, workbook_path = quality.write_extracts(tmp_path,
                                                                        *quality.combine(quarantines, verdicts))
    # For Swedish Excel: a BOM, semicolons, and the rule's Swedish label beside its code.
    assert problems_path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert problems_path.read_text(encoding="utf-8-sig").splitlines() == [
        "dataset;source_file;source_row;column;rule;rule_label;message",
        "participants;p.csv;3;gender;allowed_codes;okänd kod;okänd kod",
    ]
    assert summary_path.read_text(encoding="utf-8-sig").splitlines() == [
        "dataset;rows_in;accepted;quarantined", "projects;2;2;0", "participants;10;9;1"]
    assert workbook_path == tmp_path / "quality.xlsx" and workbook_path.read_bytes().startswith(b"PK")


def test_gate_names_every_unusable_dataset_and_why() -> None:
    verdicts = pd.concat([
        quality.verdict("projects", 4, 1, ["3 av 4 rader i projects.csv ligger i karantän"]),
        quality.verdict("participants", 2, 0, ["p.csv: obligatorisk kolumn saknas: gender", "andra felet"]),
        quality.verdict("project_costs", 5, 4, []),
    ], ignore_index=True)
    assert verdicts["usable"].tolist() == [False, False, True]
    assert verdicts["quarantined"].tolist() == [3, 2, 1]
    assert quality.gate_message(verdicts).splitlines() == [
        "Årets bokslut stoppas: projects, participants kan inte användas. Rätta filerna och kör året igen.",
        "- projects: 3 av 4 rader i projects.csv ligger i karantän",
        "- participants: p.csv: obligatorisk kolumn saknas: gender",
        "- participants: andra felet",
    ]
    assert quality.gate_message(verdicts.iloc[2:]) is None


def test_more_than_half_quarantined_makes_the_dataset_unusable(tmp_path: Path) -> None:
    header = "project_id,forbund,name,start_date,orientation\n"
    good = "A1,F,N,2022-01-01,individinriktad\n"
    bad = "A{n},F,N,2022-13-01,individinriktad\n"
    (tmp_path / "projects.csv").write_text(header + good + bad.format(n=2) + bad.format(n=3), encoding="utf-8")
    result = ingest_dataset(tmp_path, "projects", None, TODAY)
    assert (result.rows_in, len(result.accepted)) == (3, 1)
    assert result.dataset_errors == [
        "2 av 3 rader i projects.csv ligger i karantän; när mer än 50% av raderna gör det kan datasetet inte användas"]
    assert result.verdict()[["usable", "errors"]].values.tolist() == [[False, result.dataset_errors[0]]]
    # Exactly half is still usable.
    (tmp_path / "projects.csv").write_text(header + good + bad.format(n=2), encoding="utf-8")
    assert ingest_dataset(tmp_path, "projects", None, TODAY).usable


def test_registry_names_every_rule_the_core_emits(ingested) -> None:
    results, _outcomes, _root = ingested
    emitted = set().union(*(set(r.quarantine["rule"]) for r in results.values()))
    assert emitted <= set(validation_rules.RULES)
    assert validation_rules.rule_label("date_order") == "datum i fel ordning"
    assert validation_rules.rule_label("okänd_regel") == "okänd_regel"
    assert validation_rules.RULES["quarantine_share"].makes_dataset_unusable
    assert not validation_rules.RULES["date_order"].makes_dataset_unusable


def test_rule_messages_fill_values_and_series() -> None:
    text = validation_rules.DATE_ORDER.text(later="exited_on", later_date=pd.Series(["2024-01-01", "2024-02-01"]),
                                            earlier="enrolled_on", earlier_date="2024-03-01")
    assert text.tolist() == ["exited_on 2024-01-01 är före enrolled_on 2024-03-01",
                             "exited_on 2024-02-01 är före enrolled_on 2024-03-01"]
    assert validation_rules.ALLOWED_CODES.text(value="Y", codes="K, M") == "okänd kod 'Y'; tillåtna: K, M"


# ------------------------------------------------------------------ GX suites from the contract


def _configs(spec: Dataset) -> list[dict]:
    return [e.configuration.to_json_dict() for e in gx.expectations_for(spec)]


@pytest.fixture(scope="module")
def generated() -> dict[str, str]:
    return gx.context_files()


def test_committed_context_is_in_sync_with_the_contract(generated: dict[str, str]) -> None:
    for relative, content in generated.items():
        path = REPO / "expectations" / relative
        assert path.exists(), f"{path} saknas: kör python -m pipelines.gx"
        assert path.read_text(encoding="utf-8") == content, f"{path} är inaktuell: kör python -m pipelines.gx"
    # Nothing stale is left beside them (what .gitignore keeps out of git aside: results, GX's store ids).
    committed = {p.relative_to(REPO / "expectations").as_posix() for p in (REPO / "expectations").rglob("*")
                 if p.is_file() and "uncommitted" not in p.parts and p.name != ".ge_store_backend_id"}
    assert committed == set(generated)


def test_generating_the_context_twice_gives_the_same_bytes(generated: dict[str, str]) -> None:
    # GX gives new expectations random ids; the generator replaces them with ids derived from the names.
    assert gx.context_files() == generated


def test_every_dataset_has_suite_validation_and_checkpoint(generated: dict[str, str]) -> None:
    files = generated
    for name in DATASETS:
        suite = json.loads(files[f"expectations/{name}.json"])
        assert suite["name"] == name
        checkpoint = json.loads(files[f"checkpoints/{name}.json"])
        assert checkpoint["result_format"]["unexpected_index_column_names"] == ["source_file", "source_row"]
        # Data Docs are built once per run by build_data_docs, not by every checkpoint.
        assert checkpoint["actions"] == []
        assert json.loads(files[f"validation_definitions/{name}.json"])["suite"]["id"] == suite["id"]


def test_suite_expresses_the_contract() -> None:
    by_rule: dict[str, list[dict]] = {}
    for e in _configs(DATASETS["participants"]):
        by_rule.setdefault(e["meta"]["rule"], []).append(e)
    assert {e["kwargs"]["column"] for e in by_rule["missing_column"]} == set(DATASETS["participants"].required_columns)
    assert all(e["severity"] == "critical" for e in by_rule["missing_column"])
    gender = next(e for e in by_rule["allowed_codes"] if e["kwargs"]["column"] == "gender")
    assert gender["kwargs"]["value_set"] == ["K", "M", "X", "okand"]
    assert by_rule["duplicate_key"][0]["kwargs"]["column_list"] == ["participant_id", "project_id", "enrolled_on"]
    assert by_rule["date_order"][0]["kwargs"] == {"column_A": "exited_on", "column_B": "enrolled_on",
                                                  "or_equal": True, "ignore_row_if": "either_value_is_missing"}
    assert by_rule["needs_value"][0]["kwargs"]["row_condition"]["column"]["name"] == "exit_reason"
    assert by_rule["unknown_project"][0]["kwargs"]["value_set"] == {"$PARAMETER": "known_project_ids"}
    assert {e["kwargs"]["column"] for e in by_rule["future_date"]} == {"enrolled_on", "exited_on"}
    costs = {e["meta"]["rule"]: e for e in _configs(DATASETS["project_costs"])}
    assert costs["range"]["kwargs"] == {"column": "amount_sek", "min_value": 0}
    projects = {e["meta"]["rule"]: e for e in _configs(DATASETS["projects"])}
    assert projects["no_rows"]["severity"] == "critical"
    assert projects["duplicate_key"]["type"] == "expect_column_values_to_be_unique"


def test_a_new_dataset_gets_its_suite_from_its_columns() -> None:
    spec = Dataset("project_visits", "Besök.", key=("project_id", "day"), columns=(
        Column("project_id", "text", True, "", ""),
        Column("day", "date", True, "", ""),
        Column("kind", "code", False, "", "", codes=("a", "b")),
        Column("guests", "integer", False, "", "", minimum=0),
    ))
    rules = {(e["meta"]["rule"], e["kwargs"].get("column")) for e in _configs(spec)}
    assert {("missing_column", "project_id"), ("missing_column", "day"), ("allowed_codes", "kind"),
            ("range", "guests"), ("future_date", "day"), ("unknown_project", "project_id"),
            ("duplicate_key", None)} <= rules


# ------------------------------------------------------------------ the synthetic inbox with errors


@pytest.fixture(scope="module")
def ingested(spoiled_inbox: Path, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("gx")
    gx.sync_context(root)
    today = dt.date.today()
    results, outcomes = {}, {}
    projects = ingest_dataset(spoiled_inbox, "projects", None, today)
    for name in DATASETS:
        known = None if name == "projects" else projects.accepted["project_id"]
        result = projects if name == "projects" else ingest_dataset(spoiled_inbox, name, known, today)
        outcome = gx.validate(name, result.validation, gx.parameters_for(pd.Timestamp(today), known), root)
        results[name], outcomes[name] = result, outcome
    return results, outcomes, root


def _data_rows(inbox: Path, name: str) -> int:
    """Rows counted independently of the readers: lines of each CSV, rows of each sheet or table."""
    total = 0
    for path in dataset_files(inbox, name):
        if path.suffix == ".csv":
            total += sum(1 for line in path.read_bytes().splitlines()[1:] if line.strip())
        elif path.suffix == ".xlsx":
            total += len(pd.read_excel(path))
        elif path.suffix == ".parquet":
            total += len(pd.read_parquet(path))
    return total


def test_nothing_is_lost_on_any_dataset(ingested, spoiled_inbox: Path) -> None:
    results, _outcomes, _root = ingested
    for name, result in results.items():
        assert result.rows_in == _data_rows(spoiled_inbox, name), name
        assert len(result.accepted) + result.quarantined_rows == result.rows_in
        bad = set(zip(result.quarantine["source_file"], result.quarantine["source_row"], strict=True))
        good = set(zip(result.accepted["source_file"], result.accepted["source_row"], strict=True))
        assert bad.isdisjoint(good)
        assert len(bad) == result.quarantined_rows


def test_every_injected_error_is_quarantined(ingested, spoiled_inbox: Path) -> None:
    results, _outcomes, _root = ingested
    injected = pd.read_csv(spoiled_inbox / INJECTED_ERRORS_FILE)
    assert len(injected) > 20
    for row in injected.itertuples():
        quarantine = results[row.dataset].quarantine
        hit = quarantine[(quarantine["source_file"] == row.source_file) & (quarantine["source_row"] == row.source_row)]
        if row.kind == "duplicate_episode" and hit.empty:
            # Both copies are listed; the first is kept and the later one is quarantined naming it.
            later = quarantine[quarantine["rule"] == "duplicate_key"]
            assert later["message"].str.contains(f"{row.source_file} rad {row.source_row};", regex=False).any(), row
            continue
        assert not hit.empty, f"{row.kind} i {row.source_file} rad {row.source_row} släpptes igenom"


def test_gx_sees_what_the_row_rules_see(ingested) -> None:
    results, outcomes, _root = ingested
    for name, outcome in outcomes.items():
        result = results[name]
        quarantined = set(zip(result.quarantine["source_file"], result.quarantine["source_row"], strict=True))
        flagged = set(zip(outcome.flagged["source_file"], outcome.flagged["source_row"], strict=True))
        # Every row a GX row expectation flags was already quarantined by the row rules.
        assert flagged <= quarantined, name
        assert gx.disagreements(outcome, result.quarantine, result.usable) == [], name
        assert outcome.success == (result.quarantined_rows == 0), name
        assert outcome.critical == [], name
    participants = {f.rule for f in outcomes["participants"].failed}
    assert {"allowed_codes", "date_order", "needs_value", "duplicate_key", "unknown_project", "range",
            "support_code", "required", "quarantined"} <= participants
    assert {f.rule for f in outcomes["project_costs"].failed} >= {"range"}


def test_checkpoints_store_results_and_data_docs_are_built_once(ingested) -> None:
    _results, outcomes, root = ingested
    index = root / "uncommitted" / "data_docs" / "local_site" / "index.html"
    # The checkpoints store their results but no longer rebuild the site themselves.
    assert list((root / "uncommitted" / "validations" / "participants").rglob("*.json"))
    assert outcomes["participants"].data_docs is None and not index.exists()
    assert gx.build_data_docs(root) == index
    pages = {p.parent.parent.parent.name for p in (index.parent / "validations").rglob("*.html")}
    assert pages == set(DATASETS)
    assert "participants" in index.read_text(encoding="utf-8")
    # The next build renders only the new result's page; the earlier pages stay.
    results, _outcomes, _root = ingested
    gx.validate("projects", results["projects"].validation, gx.parameters_for(pd.Timestamp(dt.date.today()), None),
                root)
    gx.build_data_docs(root)
    assert len(list((index.parent / "validations" / "projects").rglob("*.html"))) == 2


def _fake_result(store: Path, suite: str, stamp: str) -> Path:
    path = store / "validations" / suite / "__none__" / stamp / "batch.json"
    path.parent.mkdir(parents=True)
    path.write_text("{}")
    page = store / "data_docs" / "local_site" / "validations" / suite / "__none__" / stamp / "batch.html"
    page.parent.mkdir(parents=True)
    page.write_text("<html/>")
    return path


def test_prune_results_keeps_the_newest_per_dataset(tmp_path: Path) -> None:
    store = tmp_path / "uncommitted"
    stamps = [f"2025063{d}T1200{s:02d}.000000Z" for d in (0, 1) for s in range(3)]
    for stamp in stamps:
        _fake_result(store, "participants", stamp)
    _fake_result(store, "projects", stamps[0])
    assert gx.prune_results(tmp_path, keep=2) == 4
    kept = sorted(p.parent.name for p in (store / "validations" / "participants").rglob("*.json"))
    assert kept == stamps[-2:]
    pages = sorted(p.parent.name for p in (store / "data_docs").rglob("participants/**/*.html"))
    assert pages == stamps[-2:]
    assert len(list((store / "validations" / "participants" / "__none__").iterdir())) == 2
    assert list((store / "validations" / "projects").rglob("*.json"))
    assert gx.prune_results(tmp_path, keep=2) == 0


def test_missing_column_fails_the_suite_at_critical(tmp_path: Path) -> None:
    root = tmp_path / "gx"
    gx.sync_context(root)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "projects.csv").write_text("project_id,forbund,name,orientation\nP1,F,N,individinriktad\n")
    result = ingest_dataset(inbox, "projects", None, TODAY)
    outcome = gx.validate("projects", result.validation, gx.parameters_for(pd.Timestamp(TODAY), None), root)
    assert [f.column for f in outcome.critical if f.rule == "missing_column"] == ["start_date"]
    assert "projects.csv" in result.dataset_errors[0] and "start_date" in result.dataset_errors[0]
    assert result.quarantine["rule"].tolist() == ["missing_column"]


# ------------------------------------------------------------------ the steward notice text


def test_steward_notice_names_what_stops_the_year(tmp_path: Path) -> None:
    from samverkan import steward

    outcomes = [
        steward.CheckOutcome("projects", True, "WARN", 3, 3, 0),
        steward.CheckOutcome("participants", False, "ERROR", 10, 2, 8,
                             dataset_errors=("8 av 10 rader i p.csv ligger i karantän",),
                             failed_expectations=({"severity": "critical", "rule": "quarantine_share",
                                                   "column": "quarantined", "note": "högst 50 % i karantän"},)),
        steward.CheckOutcome("project_costs", False, "WARN", 5, 4, 1),
        steward.CheckOutcome("project_events", False, "ERROR", 3, 3, 0,
                             disagreements=("e.csv rad 2: GX-regeln formula (name) underkänner raden",)),
    ]
    assert steward.needs_notice(outcomes)
    assert not steward.needs_notice(outcomes[:1])
    assert steward.subject("2024", outcomes) == \
        "[samverkansbokslut] 2024: participants kan inte användas – åtgärd krävs"
    assert steward.subject("2024", [outcomes[2]]) == "[samverkansbokslut] 2024: 1 rader i karantän att granska"
    text = steward.notice_markdown("2024", "run-1", outcomes, tmp_path, "/x/index.html")
    assert "### participants" in text and "högst 50 % i karantän" in text and "quarantine_share" in text
    assert "- 8 av 10 rader i p.csv ligger i karantän" in text
    # A disagreement between GX and the rules is the program's fault: told apart, and it stops nothing.
    assert "### project_events" not in text and "## Fel i programmet" in text
    assert "- project_events: e.csv rad 2: GX-regeln formula (name) underkänner raden" in text
    assert "| project_events | fel | 3 | 3 | 0 |" in text
    assert "| participants | FEL (stoppar) | 10 | 2 | 8 |" in text
    assert "| project_costs | varning | 5 | 4 | 1 |" in text
    assert str(tmp_path / "quality.csv") in text and "/x/index.html" in text
    assert steward.send_notice("s", text, {}) is False


def test_validation_frame_hands_gx_numpy_numbers_and_nanosecond_dates() -> None:
    from samverkan.ingest import _numpy_comparable

    frame = pd.DataFrame({
        "whole": pd.array([1990, 2001], dtype="Int64"),
        "gappy": pd.array([3, None], dtype="Int64"),
        "share": pd.array([0.5, None], dtype="Float64"),
        "day": pd.Series(["2024-01-31", None], dtype="datetime64[s]"),
        "far": pd.Series(["2024-01-31", "9999-12-31"], dtype="datetime64[s]"),
    })
    out = _numpy_comparable(frame)
    assert [str(t) for t in out.dtypes] == ["int64", "float64", "float64", "datetime64[ns]", "datetime64[s]"]
    assert out["whole"].tolist() == [1990, 2001] and out["gappy"].isna().tolist() == [False, True]
    assert out["day"].iloc[0] == pd.Timestamp("2024-01-31") and out["far"].iloc[1].year == 9999
