"""Personnummer never enter the system: run the whole pipeline on an inbox full of them and search every output."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipelines import gx
from samverkan.files import read_csv_extract
from samverkan.privacy import contains_personal_number
from samverkan.synth import SynthSpec, fake_personal_number, synthesise, write_inbox

ROOT = Path(__file__).resolve().parents[1]


def personal_numbers() -> dict[str, str]:
    rng = np.random.default_rng(20240601)
    return {
        "10_dash": fake_personal_number(rng, separator="-"),
        "10_plain": fake_personal_number(rng, separator=""),
        "10_plus": fake_personal_number(rng, separator="+"),
        "12_dash": fake_personal_number(rng, twelve_digits=True, separator="-"),
        "12_plain": fake_personal_number(rng, twelve_digits=True, separator=""),
        "samordning_12": fake_personal_number(rng, twelve_digits=True, separator="", coordination=True),
        "samordning_10": fake_personal_number(rng, separator="-", coordination=True),
        "in_code_column": fake_personal_number(rng, separator="-"),
        "in_support_column": fake_personal_number(rng, twelve_digits=True, separator="-"),
        "in_project_text": fake_personal_number(rng, twelve_digits=True, separator="-"),
        "in_event_reference": fake_personal_number(rng, separator=""),
        "in_cost_project_id": fake_personal_number(rng, separator="-"),
        "in_assessment_comment": fake_personal_number(rng, twelve_digits=True, separator=""),
    }


def spoil(frames: dict[str, pd.DataFrame], numbers: dict[str, str]) -> None:
    people = frames["participants"]
    in_2024 = people.index[people["enrolled_on"].str.startswith("2024")]
    for i, key in enumerate(["10_dash", "10_plain", "10_plus", "12_dash", "12_plain", "samordning_12",
                             "samordning_10"]):
        people.at[in_2024[i], "participant_id"] = numbers[key]
    people.at[in_2024[10], "occupation_before"] = numbers["in_code_column"]
    people.at[in_2024[11], "support_before"] = f"forsorjningsstod|{numbers['in_support_column']}"
    projects = frames["projects"]
    projects.at[projects.index[-1], "target_group"] = f"Kontaktperson {numbers['in_project_text']}"
    events = frames["project_events"]
    events.at[events.index[0], "reference"] = f"Beslut om {numbers['in_event_reference']}"
    costs = frames["project_costs"]
    costs.at[costs.index[0], "project_id"] = numbers["in_cost_project_id"]
    assessments = frames.get("project_assessments")
    if assessments is not None and len(assessments):
        assessments.at[assessments.index[0], "comment"] = f"Enligt {numbers['in_assessment_comment']}"


def forms(value: str) -> set[str]:
    """The raw value and every way its digits could be written out again."""
    digits = "".join(ch for ch in value if ch.isdigit())
    ten = digits[-10:]
    return {value, digits, ten, f"{ten[:6]}-{ten[6:]}", f"{ten[:6]}+{ten[6:]}"}


def readable_text(path: Path) -> str:
    data = path.read_bytes()
    text = data.decode("utf-8", errors="replace") + data.decode("latin-1")
    if path.suffix == ".parquet":
        # Parquet pages may be compressed: search the values as well as the bytes.
        text += pd.read_parquet(path).to_csv()
    return text


@pytest.mark.slow
def test_no_personnummer_anywhere_after_a_run(tmp_path: Path) -> None:
    numbers = personal_numbers()
    assert all(contains_personal_number(v) for v in numbers.values())
    frames, errors = synthesise(SynthSpec(forbund=2, first_year=2021, last_year=2024, participants_per_year=120,
                                          seed=11))
    spoil(frames, numbers)
    inbox = tmp_path / "inbox"
    write_inbox(frames, errors, inbox)
    gx_dir = tmp_path / "gx"
    gx.sync_context(gx_dir)
    env = {
        **os.environ,
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "SAMVERKAN_STORAGE": str(tmp_path / "storage"),
        "SAMVERKAN_GX_DIR": str(gx_dir),
        "SAMVERKAN_ALERTS_DIR": str(tmp_path / "alerts"),
        "SAMVERKAN_INSTANCE": "",
    }
    (tmp_path / "dagster_home").mkdir()
    run = subprocess.run(
        [sys.executable, "-m", "samverkan.cli", "run", "--inbox", str(inbox), "--year", "2024",
         "--out", str(tmp_path / "out"), "--in-process"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
    )
    out = tmp_path / "out"
    # The run did its work: each personnummer row is in the quarantine, masked.
    quality = read_csv_extract(out / "quality.csv")
    refused = quality[quality["rule"] == "personnummer"]
    assert len(refused) >= len(numbers) - 1, run.stdout + run.stderr
    assert refused["message"].str.contains("XXXXXX", regex=False).all()
    assert (gx_dir / "uncommitted" / "data_docs" / "local_site" / "index.html").exists()

    searched = [p for folder in (out, tmp_path / "storage", gx_dir / "uncommitted", tmp_path / "dagster_home",
                                 tmp_path / "alerts")
                if folder.exists() for p in folder.rglob("*") if p.is_file()]
    assert len(searched) > 20
    logs = run.stdout + run.stderr
    for key, value in numbers.items():
        for form in forms(value):
            assert form not in logs, f"{key} i körningens utskrift"
            for path in searched:
                assert form not in readable_text(path), f"{key} ({form}) finns i {path}"
