"""The Dagster UI as a steward's tool: failing rows as tables, column schemas, kinds, owners and links."""

from __future__ import annotations

import json
from pathlib import Path

from dagster import AssetKey, DagsterInstance, TableMetadataValue, TableSchema, materialize
from test_steward_cascade import cascade_inbox

from assets.ingest import OWNER, ingest_assets
from assets.quality import data_gate, data_quality
from pipelines import gx
from pipelines.metadata import PREVIEW_ROWS, failing_rows
from samverkan.contract import DATASETS

INGEST_KEYS = [AssetKey(f"{name}{suffix}") for name in DATASETS for suffix in ("", "_quarantine", "_verdict")]


def _run(tmp_path: Path, pipeline_resources):
    gx_dir = tmp_path / "gx"
    gx.sync_context(gx_dir)
    instance = DagsterInstance.ephemeral()
    result = materialize([*ingest_assets, data_quality, data_gate], partition_key="2024", instance=instance,
                         resources=pipeline_resources(cascade_inbox(tmp_path), expectations_dir=str(gx_dir)))
    return result, instance


def _metadata(instance: DagsterInstance, key: str) -> dict:
    return instance.get_latest_materialization_event(AssetKey(key)).asset_materialization.metadata


def test_every_ingest_output_has_schema_kinds_owner_and_a_swedish_description() -> None:
    specs = {spec.key: spec for a in ingest_assets for spec in a.specs}
    assert set(INGEST_KEYS) <= set(specs)
    for key in INGEST_KEYS:
        spec = specs[key]
        assert spec.owners == [OWNER] and spec.kinds == {"pandas", "parquet"}, key
        assert "rader" in spec.description and "rows" not in spec.description, key
    schema = specs[AssetKey("participants")].metadata["dagster/column_schema"]
    assert isinstance(schema, TableSchema)
    columns = {c.name: c for c in schema.columns}
    assert list(columns)[:3] == ["participant_id", "project_id", "gender"]
    assert columns["gender"].type == "string" and "koder: K, M, X, okand" in columns["gender"].description
    assert columns["birth_year"].type == "int" and columns["enrolled_on"].type == "date"
    assert not columns["participant_id"].constraints.nullable and columns["exited_on"].constraints.nullable
    assert {"source_file", "source_row"} <= set(columns)
    projects = {c.name: c for c in specs[AssetKey("projects")].metadata["dagster/column_schema"].columns}
    assert projects["project_id"].constraints.unique


def test_quarantine_and_check_show_the_failing_rows_masked(tmp_path: Path, pipeline_resources) -> None:
    result, instance = _run(tmp_path, pipeline_resources)
    assert result.success
    quarantine = _metadata(instance, "participants_quarantine")
    table = quarantine["failing_rows"]
    assert isinstance(table, TableMetadataValue)
    assert [c.name for c in table.schema.columns] == ["source_file", "source_row", "column", "rule_label", "rule",
                                                      "message"]
    rows = [r.data for r in table.records]
    assert {"source_file": "participants.csv", "source_row": 3, "column": "project_id",
            "rule_label": "projektet ligger i karantän", "rule": "project_in_quarantine",
            "message": "projektet är i karantän: projects.csv rad 3"} in rows
    assert quarantine["cascaded_rows"].value == 1

    check = {e.asset_key.to_user_string(): e for e in result.get_asset_check_evaluations()}["participants"]
    assert [r.data for r in check.metadata["failing_rows"].records] == rows
    assert check.metadata["cascades"].value == [{"cause": "projects.csv rad 3", "rows": 1}]

    problems = _metadata(instance, "quality_problems")
    out = (tmp_path / "out" / "2024").resolve()
    assert problems["output_folder"].value == out.as_uri()
    assert problems["workbook"].value == str(out / "quality.xlsx") and (out / "quality.xlsx").exists()
    assert Path(problems["extract"].value).is_absolute()
    assert problems["data_docs"].value.startswith("/") and problems["data_docs_link"].value.startswith("file:///")

    shown = json.dumps([str(v) for key in ("participants_quarantine", "quality_problems", "quality_summary")
                        for v in _metadata(instance, key).values()] + [str(check.metadata)])
    assert "19XXXXXX-XXXX" in shown and "121212" not in shown


def test_the_preview_keeps_the_first_fifty() -> None:
    import pandas as pd

    problems = pd.DataFrame({"dataset": "participants", "source_file": "p.csv", "source_row": range(2, 82),
                             "column": "gender", "rule": "allowed_codes", "message": "okänd kod '19121212-1212'"})
    table = failing_rows(problems)
    assert len(table.records) == PREVIEW_ROWS == 50
    assert table.records[0].data["source_row"] == 2 and table.records[-1].data["source_row"] == 51
    assert table.records[0].data["message"] == "okänd kod '19XXXXXX-XXXX'"
    assert table.records[0].data["rule_label"] == "okänd kod"
