"""The inbox is read once and fingerprinted from the bytes parsed; the report lists that record and a changed inbox
stops it with one Swedish line."""

import hashlib
import os
from pathlib import Path

import pandas as pd
import pytest
from dagster import AssetSpec, DagsterInstance, materialize
from test_report_asset import UPSTREAM, seed_storage

import samverkan.ingest as ingest_module
from assets.ingest import inbox_fingerprint, ingest_assets
from assets.report import samverkansbokslut_reports
from pipelines.io_manager import ParquetIOManager, PickleIOManager
from pipelines.partitions import yearly_partitions
from pipelines.resources import SamverkanSettings
from pipelines.run import _failures
from samverkan.inbox import INBOX_COLUMNS, InboxChangedError, combine, inbox_as_now, inbox_change, inbox_digest
from samverkan.ingest import ingest_dataset
from samverkan.report.inputs import input_files_table

PROJECTS = "project_id,forbund,name\nP-001,F,x\n"
PARTICIPANTS = ("participant_id;project_id;gender;birth_year;enrolled_on;exited_on;support_before;support_after;"
                "occupation_before;occupation_after;exit_reason\n"
                "p1;P-001;K;1990;2024-05-01;2025-03-01;ingen;lon;arbetssokande;arbete;arbete\n")
# The same size as PARTICIPANTS, other bytes: a replaced file that a size check alone would miss.
SWAPPED = PARTICIPANTS.replace("p1;", "p9;")


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture()
def inbox(tmp_path: Path) -> Path:
    path = tmp_path / "inbox"
    path.mkdir()
    (path / "projects.csv").write_text(PROJECTS, encoding="utf-8")
    (path / "participants.csv").write_text(PARTICIPANTS, encoding="utf-8")
    pd.DataFrame({"project_id": ["P-001"], "year": [2025], "financier": ["kommun"], "amount_sek": [1000],
                  "in_kind": ["false"]}).to_excel(path / "project_costs.xlsx", index=False,
                                                  sheet_name="project_costs")
    return path


def record_of(inbox: Path) -> pd.DataFrame:
    return combine({name: ingest_dataset(inbox, name).inbox_files()
                    for name in ("projects", "participants", "project_costs")})


def test_the_record_holds_size_and_hash_of_the_bytes_parsed_per_dataset(inbox: Path) -> None:
    record = record_of(inbox)
    assert list(record.columns) == INBOX_COLUMNS
    expected = [("projects", "projects.csv"), ("project_costs", "project_costs.xlsx"),
                ("participants", "participants.csv")]  # contract order
    assert list(zip(record["dataset"], record["file"], strict=True)) == expected
    for row in record.itertuples():
        data = (inbox / row.file).read_bytes()
        assert (row.sha256, row.bytes) == (sha(data), len(data))
    # What the report lists is that record, unchanged.
    assert input_files_table(record, inbox).equals(record)


def test_a_file_replaced_while_it_is_parsed_keeps_the_hash_of_the_bytes_that_were_parsed(
        inbox: Path, monkeypatch) -> None:
    real_parse = ingest_module.parse_source

    def parse_then_swap(source, dataset):
        # Replaced on disk after the reader took its bytes: the old code hashed the disk again after parsing.
        (inbox / "participants.csv").write_text(SWAPPED, encoding="utf-8")
        return real_parse(source, dataset)

    monkeypatch.setattr(ingest_module, "parse_source", parse_then_swap)
    result = ingest_dataset(inbox, "participants")
    assert result.accepted["participant_id"].tolist() == ["p1"]  # the rows parsed are the original's
    assert [f.sha256 for f in result.files] == [sha(PARTICIPANTS.encode())]
    assert sha(PARTICIPANTS.encode()) != sha((inbox / "participants.csv").read_bytes())


def test_the_inbox_is_read_once_per_file_and_never_hashed_from_disk(inbox: Path, monkeypatch) -> None:
    import samverkan.source_rows as source_rows

    reads: list[str] = []
    real_read = source_rows.read_regular

    def counted(path):
        reads.append(Path(path).name)
        return real_read(path)

    def forbidden(path):
        raise AssertionError(f"{path} hashed from disk")

    monkeypatch.setattr(source_rows, "read_regular", counted)
    monkeypatch.setattr(ingest_module, "file_sha256", forbidden)
    record_of(inbox)
    assert sorted(reads) == ["participants.csv", "project_costs.xlsx", "projects.csv"]


def test_an_unchanged_inbox_passes_and_the_digest_is_the_same_on_every_run(inbox: Path) -> None:
    first, second = record_of(inbox), record_of(inbox)
    assert inbox_change(inbox, first) is None
    assert inbox_digest(first) == inbox_digest(second)
    assert inbox_as_now(inbox).equals(first)


def test_a_replaced_file_of_the_same_size_stops_the_report_with_one_swedish_line(inbox: Path) -> None:
    record = record_of(inbox)
    (inbox / "participants.csv").write_text(SWAPPED, encoding="utf-8")
    assert len(SWAPPED) == len(PARTICIPANTS)
    with pytest.raises(InboxChangedError) as raised:
        input_files_table(record, inbox)
    assert str(raised.value) == ("inkorgen ändrades under körningen: participants.csv har bytts ut efter inläsningen; "
                                 "kör om året")


def test_added_removed_and_several_changed_files_are_named(inbox: Path) -> None:
    record = record_of(inbox)
    (inbox / "participants_extra.csv").write_text(PARTICIPANTS, encoding="utf-8")
    assert inbox_change(inbox, record) == ("inkorgen ändrades under körningen: participants_extra.csv har "
                                           "tillkommit efter inläsningen; kör om året")
    (inbox / "projects.csv").unlink()
    (inbox / "project_costs.xlsx").write_bytes(b"not a workbook")
    # In contract order: projects, project_costs, participants.
    assert inbox_change(inbox, record) == ("inkorgen ändrades under körningen: projects.csv har tagits bort "
                                           "efter inläsningen (och 2 filer till); kör om året")
    (inbox / "participants_extra.csv").unlink()
    assert inbox_change(inbox, record) == ("inkorgen ändrades under körningen: projects.csv har tagits bort "
                                           "efter inläsningen (och 1 fil till); kör om året")
    (inbox / "projects.csv").write_text(PROJECTS, encoding="utf-8")
    assert inbox_change(inbox, record) == ("inkorgen ändrades under körningen: project_costs.xlsx har bytts ut "
                                           "efter inläsningen; kör om året")


def test_a_refused_file_is_recorded_unread_and_a_personnummer_in_a_name_stays_masked(inbox: Path) -> None:
    (inbox / "projects_850314-1234.csv").write_text(PROJECTS, encoding="utf-8")
    os.symlink(inbox / "projects.csv", inbox / "projects_link.csv")
    record = record_of(inbox)
    rows = record[record["dataset"] == "projects"].set_index("file")
    assert "projects_850314-1234.csv" not in rows.index and rows.loc["projects_XXXXXX-XXXX.csv", "sha256"] == \
        sha(PROJECTS.encode())
    # The link is refused, never opened: no hash, and the size its folder entry states.
    assert rows.loc["projects_link.csv", "sha256"] == ""
    assert rows.loc["projects_link.csv", "bytes"] == os.lstat(inbox / "projects_link.csv").st_size
    assert inbox_change(inbox, record) is None


def _report(storage: Path, inbox: Path, tmp_path: Path):
    return materialize(
        [samverkansbokslut_reports, *[AssetSpec(key, partitions_def=yearly_partitions) for key in UPSTREAM]],
        partition_key="2025", instance=DagsterInstance.ephemeral(), raise_on_error=False,
        resources={
            "settings": SamverkanSettings(inbox_dir=str(inbox), out_dir=str(tmp_path / "out" / "{year}")),
            "io_manager": ParquetIOManager(base_dir=str(storage)),
            "intermediate_io_manager": PickleIOManager(base_dir=str(storage / "intermediate")),
        },
    )


def test_the_report_step_fails_when_a_file_is_swapped_after_ingest(inbox: Path, tmp_path: Path) -> None:
    """Ingest and inbox_fingerprint materialised by Dagster, the file swapped, the report run on the stored
    upstream: the step that gathers the report inputs fails with the line, before anything is rendered."""
    ingested = tmp_path / "ingested"
    settings = SamverkanSettings(inbox_dir=str(inbox), out_dir=str(tmp_path / "out" / "{year}"))
    result = materialize([*ingest_assets, inbox_fingerprint], partition_key="2025",
                         instance=DagsterInstance.ephemeral(),
                         resources={"settings": settings, "io_manager": ParquetIOManager(base_dir=str(ingested)),
                                    "intermediate_io_manager": PickleIOManager(base_dir=str(ingested / "i"))})
    assert result.success
    record = result.output_for_node("inbox_fingerprint")
    participants = record[record["dataset"] == "participants"].iloc[0]
    assert participants["sha256"] == sha(PARTICIPANTS.encode())
    assert result.output_for_node("ingest_participants", "participants_inbox_files")["sha256"].tolist() == \
        [sha(PARTICIPANTS.encode())]

    storage = tmp_path / "storage"
    seed_storage(storage, "2025", inbox)
    (storage / "inbox_fingerprint" / "2025.parquet").write_bytes((ingested / "inbox_fingerprint" / "2025.parquet")
                                                                 .read_bytes())
    (inbox / "participants.csv").write_text(SWAPPED, encoding="utf-8")
    failed = _report(storage, inbox, tmp_path)
    assert not failed.success
    assert _failures(failed.all_events) == [
        "samverkansbokslut_reports.report_inputs: inkorgen ändrades under körningen: participants.csv har bytts ut "
        "efter inläsningen; kör om året"]
    assert not (tmp_path / "out" / "2025" / "reports.csv").exists()
