"""The samverkansbokslut asset: one PDF and HTML per förbund, written by Dagster for a year partition."""

import io
from pathlib import Path

import pandas as pd
import pytest
from dagster import AssetKey, AssetSpec, DagsterInstance, materialize
from pypdf import PdfReader

from assets.report import forbund_in_year, largest_first, samverkansbokslut_reports
from pipelines.partitions import yearly_partitions
from reports.formatting import kronor
from reports.sample import FORBUND, OTHER, sample_inputs
from samverkan.files import read_csv_extract
from samverkan.inbox import inbox_as_now
from samverkan.report import slugify

SLUG = "samordningsforbundet-ostra-alvdalen"
UPSTREAM = ("participant_flow", "projects", "participants", "project_costs", "project_events", "ledger",
            "ledger_transfers", "ledger_uncertainty", "ledger_sensitivity", "success_levels", "prerequisite_profiles",
            "quality_summary", "quality_problems", "ledger_kommun", "ledger_lifetime", "ledger_lifetime_plan",
            "inbox_fingerprint", "inbox_data_date")
# A transfer the sample's ledger does not imply: the report prints what the ledger step published.
PUBLISHED_TRANSFER = {"forbund": FORBUND, "project_id": "ALL", "payer": "Region", "payer_net_sek": 2_253_400,
                      "receiver": "Kommun", "receiver_net_sek": 3_445_385, "amount_sek": 123_457}


def seed_storage(storage: Path, year: str, inbox: Path) -> None:
    """Upstream assets as the Parquet IO manager stores them, from the hand-made sample tables."""
    sample = sample_inputs()
    transfers = pd.concat([sample.transfers, pd.DataFrame([PUBLISHED_TRANSFER])], ignore_index=True)
    # Seven leavers of 2025 in P-001 (two of them men) and one still taking part; a cost of the year.
    participants = pd.DataFrame({"participant_id": [f"x{i}" for i in range(8)], "project_id": ["P-001"] * 8,
                                 "gender": ["K"] * 5 + ["M"] * 3, "birth_year": [1990] * 8,
                                 "enrolled_on": pd.to_datetime(["2024-03-01"] * 7 + ["2025-02-01"]),
                                 "exited_on": pd.to_datetime(["2025-11-30"] * 7 + [pd.NaT]),
                                 "occupation_before": ["arbetssokande"] * 8,
                                 "occupation_after": ["arbete"] * 4 + ["arbetssokande"] * 3 + [None],
                                 "exit_reason": [None] * 8})
    costs = pd.DataFrame({"project_id": ["P-001"], "year": [2025], "financier": ["kommun"],
                          "amount_sek": [800_000.0], "in_kind": [False]})
    events = pd.DataFrame({"project_id": ["P-001"], "date": pd.to_datetime(["2025-12-15"]),
                           "kind": ["method_documented"]})
    tables = {
        "participant_flow": sample.flow, "projects": sample.projects, "participants": participants,
        "project_costs": costs,
        "project_events": events, "ledger": sample.ledger, "ledger_transfers": transfers,
        "ledger_uncertainty": sample.ledger_uncertainty, "ledger_sensitivity": sample.ledger_sensitivity,
        "success_levels": sample.success_levels, "prerequisite_profiles": sample.prerequisite_profiles,
        "quality_summary": sample.quality_summary, "quality_problems": sample.quality_problems,
        "ledger_kommun": sample.ledger_kommun, "ledger_lifetime": sample.ledger_lifetime,
        "ledger_lifetime_plan": sample.ledger_lifetime_plan,
        "inbox_fingerprint": inbox_as_now(inbox),  # as the ingest steps would have recorded it
        "inbox_data_date": pd.DataFrame({"data_date": ["2025-12-15"]}),  # the events' latest date
    }
    assert set(tables) == set(UPSTREAM)
    for key, frame in tables.items():
        path = storage / key / f"{year}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.to_parquet(path, index=False)


def run(tmp_path: Path, inbox: Path, **settings: object):
    from pipelines.io_manager import ParquetIOManager, PickleIOManager
    from pipelines.resources import SamverkanSettings

    storage = tmp_path / "storage"
    seed_storage(storage, "2025", inbox)
    upstream = [AssetSpec(key, partitions_def=yearly_partitions) for key in UPSTREAM]
    return materialize(
        [samverkansbokslut_reports, *upstream],
        partition_key="2025",
        instance=DagsterInstance.ephemeral(),
        resources={
            "settings": SamverkanSettings(inbox_dir=str(inbox), out_dir=str(tmp_path / "out" / "{year}"), **settings),
            "io_manager": ParquetIOManager(base_dir=str(storage)),
            "intermediate_io_manager": PickleIOManager(base_dir=str(storage / "intermediate")),
        },
    )


@pytest.fixture()
def inbox(tmp_path: Path) -> Path:
    path = tmp_path / "inbox"
    path.mkdir()
    (path / "projects.csv").write_text("project_id,forbund,name\nP-001,F,x\n", encoding="utf-8")
    return path


def test_asset_writes_one_report_per_forbund(tmp_path: Path, inbox: Path) -> None:
    result = run(tmp_path, inbox)
    assert result.success
    out = tmp_path / "out" / "2025"
    pdf = out / SLUG / f"samverkansbokslut-{SLUG}-2025.pdf"
    assert pdf.exists() and (out / SLUG / f"samverkansbokslut-{SLUG}-2025.html").exists()
    assert (out / "finsam-vast" / "samverkansbokslut-finsam-vast-2025.pdf").exists()
    index = read_csv_extract(out / "reports.csv")
    assert sorted(index["forbund"]) == sorted([FORBUND, OTHER])
    reader = PdfReader(io.BytesIO(pdf.read_bytes()))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Metodbilaga" in text and "diskonteringsränta" in text  # parameters from the packaged files
    assert "projects.csv" in text  # input file listed with its hash
    assert "15 december 2025" in text  # date of the data: the latest date in participants and events
    assert reader.metadata["/CreationDate"].startswith("D:20251215")
    assert f"Region {kronor(2_253_400)} Kommun {kronor(3_445_385)} {kronor(123_457)}" in text
    materialization = result.asset_materializations_for_node("samverkansbokslut_reports")[0]
    assert materialization.asset_key == AssetKey("samverkansbokslut_reports")
    assert materialization.metadata["reports"].value == 2
    # The outcome chapters come from the aggregates computed in the run, and their extracts are suppressed too.
    assert "Vilka som deltog" in text and "7 deltagare avslutade under året" in text
    breakdowns = read_csv_extract(out / "breakdowns.csv", keep_default_na=False)
    gender = breakdowns[(breakdowns["forbund"] == FORBUND) & (breakdowns["dimension"] == "gender")]
    assert list(gender["category"]) == ["Kvinnor", "Män", "Totalt"]
    men = gender[gender["category"] == "Män"].iloc[0]
    assert (men["participants"], men["exited"], men["hidden"]) == ("", "", "liten")  # 3 men, 2 leavers
    assert gender[gender["category"] == "Totalt"].iloc[0]["participants"] == "8"
    # 4 to work and 3 still seeking work, all seeking work before: both cells small, and 7 = 3 + 4 = 4 + 3.
    transitions = read_csv_extract(out / "transitions.csv", keep_default_na=False)
    assert list(zip(transitions["after"], transitions["leavers"], transitions["hidden"], strict=True)) == [
        ("Arbete", "", "liten"), ("Arbetssökande", "", "liten")]
    assert {"measure", "percentile"} <= set(read_csv_extract(out / "benchmarks.csv").columns)


@pytest.mark.slow
def test_asset_rerun_is_byte_identical_and_variant_is_configurable(tmp_path: Path, inbox: Path) -> None:
    assert run(tmp_path, inbox).success
    out = tmp_path / "out" / "2025"
    first = (out / SLUG / f"samverkansbokslut-{SLUG}-2025.pdf").read_bytes()
    assert run(tmp_path, inbox).success
    assert (out / SLUG / f"samverkansbokslut-{SLUG}-2025.pdf").read_bytes() == first
    assert run(tmp_path, inbox, pdf_variant="pdf/a-3u").success
    archival = (out / SLUG / f"samverkansbokslut-{SLUG}-2025.pdf").read_bytes()
    assert archival != first
    assert b"pdfaid" in PdfReader(io.BytesIO(archival)).trailer["/Root"]["/Metadata"].get_object().get_data()


@pytest.mark.slow
def test_report_figures_match_the_extracts(small_inbox: Path, pipeline_resources, tmp_path: Path) -> None:
    """The whole graph on a synthetic inbox: the PDFs print what the stage extracts say."""
    from pipelines.definitions import defs
    from reports.formatting import number

    result = materialize(list(defs.assets), partition_key="2024", instance=DagsterInstance.ephemeral(),
                         resources=pipeline_resources(small_inbox))
    assert result.success
    out = tmp_path / "out" / "2024"
    flow = read_csv_extract(out / "participant_flow.csv")
    ledger = read_csv_extract(out / "ledger.csv")
    success = read_csv_extract(out / "success.csv")
    index = read_csv_extract(out / "reports.csv")
    assert sorted(index["forbund"]) == sorted(flow["forbund"].unique())
    for forbund in index["forbund"]:
        slug = slugify(forbund)
        reader = PdfReader(io.BytesIO((out / slug / f"samverkansbokslut-{slug}-2024.pdf").read_bytes()))
        text = "\n".join(page.extract_text() for page in reader.pages)
        this_year = flow[(flow["forbund"] == forbund) & (flow["year"] == 2024)].iloc[0]
        assert f"2024 {number(this_year['participants'])} {number(this_year['enrolled'])}" in text
        total = ledger[(ledger["forbund"] == forbund) & (ledger["project_id"] == "ALL")].set_index("actor")
        summa = total.loc["Summa"]
        assert (f"Summa† {kronor(summa['investment_sek'])} {kronor(summa['effect_pv_sek'])} "
                f"{kronor(summa['net_sek'])}") in text
        for actor in ("Arbetsförmedlingen", "Försäkringskassan", "Kommun", "Region"):
            assert f"{actor} {kronor(total.loc[actor, 'investment_sek'])}" in text
        levels = success[success["forbund"] == forbund]
        squashed = " ".join(text.split())
        for project in levels.itertuples():
            first_reason = project.reasons.split("; ")[0]
            assert " ".join(first_reason.split()) in squashed


def test_forbund_in_year():
    assert forbund_in_year(sample_inputs()) == sorted([FORBUND, OTHER])


def test_largest_first_orders_by_projects_then_keeps_the_given_order():
    inputs = sample_inputs()
    inputs.projects = pd.DataFrame({"forbund": ["A", "B", "B", "C", "C", "D"], "project_id": list("123456")})
    assert largest_first(inputs, ["A", "B", "C", "D", "E"]) == ["B", "C", "A", "D", "E"]
    assert sorted(largest_first(sample_inputs(), forbund_in_year(sample_inputs()))) == sorted([FORBUND, OTHER])
