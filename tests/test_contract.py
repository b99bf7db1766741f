from pathlib import Path

import pandas as pd
import pytest

from samverkan.conform import conform, parse_decimal
from samverkan.contract import DATASETS, PARTICIPANTS, PROJECT_COSTS, PROJECTS
from samverkan.contract_doc import contract_markdown
from samverkan.support import explode_support, parse_support

ROOT = Path(__file__).resolve().parents[1]


def raw(rows: list[dict[str, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, dtype="str").fillna("")
    frame["source_file"] = "test.csv"
    frame["source_row"] = range(2, len(frame) + 2)
    return frame


def test_docs_are_generated_from_the_contract() -> None:
    assert (ROOT / "docs" / "data-contract.md").read_text(encoding="utf-8") == contract_markdown()


def test_every_dataset_documents_every_column() -> None:
    for dataset in DATASETS.values():
        assert set(dataset.key) <= set(dataset.column_names)
        for column in dataset.columns:
            assert column.description and column.example, f"{dataset.name}.{column.name}"
            if column.codes and column.type == "code":
                assert column.example in column.codes


def test_decimal_comma_and_thousands() -> None:
    values = pd.Series(["1 250 000,50", "1250000.5", "1.250.000,50", "1,250,000.50", "12", "", "abc", "-3,5"])
    parsed = parse_decimal(values)
    assert parsed.iloc[:5].tolist() == [1250000.5, 1250000.5, 1250000.5, 1250000.5, 12.0]
    assert pd.isna(parsed.iloc[5]) and pd.isna(parsed.iloc[6])
    assert parsed.iloc[7] == -3.5


def test_conform_types_and_problems() -> None:
    frame = raw([
        {"project_id": "P1", "year": "2024", "financier": "Kommun", "amount_sek": "1 000,5", "in_kind": "ja"},
        {"project_id": "P1", "year": "tjugo", "financier": "staten", "amount_sek": "-5", "in_kind": "kanske"},
        {"project_id": "", "year": "2024", "financier": "af", "amount_sek": "10", "in_kind": "0"},
    ])
    result = conform(frame, PROJECT_COSTS)
    rows = result.rows
    assert rows.loc[0, "financier"] == "kommun"  # codes match without regard to case
    assert rows.loc[0, "amount_sek"] == 1000.5
    assert bool(rows.loc[0, "in_kind"]) is True and bool(rows.loc[2, "in_kind"]) is False
    assert str(rows["year"].dtype) == "Int64" and str(rows["amount_sek"].dtype) == "Float64"
    found = set(zip(result.problems["source_row"], result.problems["column"], result.problems["rule"], strict=True))
    assert found == {
        (3, "year", "type"), (3, "financier", "allowed_codes"), (3, "amount_sek", "range"), (3, "in_kind", "type"),
        (4, "project_id", "required"),
    }
    assert len(rows) == 3  # conform never drops a row


def test_dates_iso_only_but_midnight_times_accepted() -> None:
    frame = raw([
        {"project_id": "P1", "forbund": "F", "name": "N", "start_date": "2024-01-31", "orientation": "individinriktad"},
        {"project_id": "P2", "forbund": "F", "name": "N", "start_date": "2024-02-30", "orientation": "individinriktad"},
        {"project_id": "P3", "forbund": "F", "name": "N", "start_date": "31/1/2024", "orientation": "individinriktad"},
        {"project_id": "P4", "forbund": "F", "name": "N", "start_date": "2024-03-01T00:00:00",
         "orientation": "strukturovergripande"},
    ])
    result = conform(frame, PROJECTS)
    assert result.rows.loc[0, "start_date"] == pd.Timestamp("2024-01-31")
    assert result.rows.loc[3, "start_date"] == pd.Timestamp("2024-03-01")
    bad = result.problems[result.problems["rule"] == "date_format"]["source_row"].tolist()
    assert bad == [3, 4]
    assert result.missing_optional == [c for c in PROJECTS.column_names if c not in frame.columns]


def test_personnummer_is_masked_in_rows_and_messages() -> None:
    frame = raw([{"participant_id": "19811218-9876", "project_id": "P1", "gender": "K", "birth_year": "1981",
                  "enrolled_on": "2024-01-01", "support_before": "ingen", "occupation_before": "ovrigt"}])
    result = conform(frame, PARTICIPANTS)
    assert result.rows.loc[0, "participant_id"] == "19XXXXXX-XXXX"
    assert result.problems["rule"].tolist() == ["personnummer"]
    assert "9876" not in result.problems.to_csv() and "811218" not in result.problems.to_csv()


def test_support_notation() -> None:
    assert parse_support("forsorjningsstod|sjukpenning:50") == [("forsorjningsstod", 100), ("sjukpenning", 50)]
    for bad, reason in [("sjukpenning:30", "25, 50, 75 eller 100"), ("lön", "okänd stödkod"),
                        ("lon|lon", "två gånger"), ("lon||a_kassa", "tom")]:
        with pytest.raises(ValueError, match=reason):
            parse_support(bad)
    long = explode_support(pd.Series(["forsorjningsstod|sjukpenning:50", "", "lon:75"], index=[10, 11, 12]))
    assert long.to_dict("list") == {"row": [10, 10, 12], "code": ["forsorjningsstod", "sjukpenning", "lon"],
                                    "extent": [100, 50, 75]}
