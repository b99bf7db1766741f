"""Personnummer never enter the system: run the whole pipeline on an inbox full of them and search every output."""

from __future__ import annotations

import json
import os
import pickle
import sqlite3
import subprocess
import sys
import unicodedata
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
        # Issue 17: as people type them.
        "space": fake_personal_number(rng, separator=" "),
        "en_dash": fake_personal_number(rng, separator=" \u2013 "),
        "minus_sign": fake_personal_number(rng, separator="\u2212"),
        "non_breaking_hyphen": fake_personal_number(rng, separator="\u2011"),
        "no_break_space": fake_personal_number(rng, separator="\u00a0"),
        "zero_width": "\u200b".join(fake_personal_number(rng, separator="-").split("-")),
        "dashed_date": "-".join((lambda v: (v[:4], v[4:6], v[6:]))(fake_personal_number(rng, twelve_digits=True))),
        "in_file_name": fake_personal_number(rng, separator="-"),
    }


def spoil(frames: dict[str, pd.DataFrame], numbers: dict[str, str]) -> None:
    people = frames["participants"]
    in_2024 = people.index[people["enrolled_on"].str.startswith("2024")]
    for i, key in enumerate(["10_dash", "10_plain", "10_plus", "12_dash", "12_plain", "samordning_12",
                             "samordning_10", "space", "en_dash", "minus_sign", "non_breaking_hyphen",
                             "no_break_space", "zero_width", "dashed_date"]):
        people.at[in_2024[i], "participant_id"] = numbers[key]
    people.at[in_2024[20], "occupation_before"] = numbers["in_code_column"]
    people.at[in_2024[21], "support_before"] = f"forsorjningsstod|{numbers['in_support_column']}"
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
    """The raw value, normalised, and every way its digits could be written out again."""
    normal = "".join(ch for ch in unicodedata.normalize("NFKC", value) if unicodedata.category(ch) != "Cf")
    digits = "".join(ch for ch in normal if ch.isdigit())
    ten = digits[-10:]
    return {value, normal, digits, ten, f"{ten[:6]}-{ten[6:]}", f"{ten[:6]}+{ten[6:]}", f"{ten[:6]} {ten[6:]}"}


def add_named_file(inbox: Path, number: str) -> None:
    """One more participants file, one good row, a personnummer in its name."""
    source = sorted(inbox.glob("participants*.csv"))[0]
    frame = pd.read_csv(source, sep=";", dtype=str, encoding="utf-8-sig", keep_default_na=False).head(1)
    frame["participant_id"] = "P-NAMNFIL1"
    frame.to_csv(inbox / f"participants_{number}.csv", sep=";", index=False, encoding="utf-8")


def decoded(path: Path) -> str:
    """What a file holds as values: compressed and binary formats decoded (a raw byte scan proves nothing)."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            return pd.read_parquet(path).to_csv()
        if suffix == ".xlsx":
            from openpyxl import load_workbook

            book = load_workbook(path, read_only=True)
            return "\n".join(str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row)
        if suffix == ".pdf":
            return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                                  check=True).stdout
        data = path.read_bytes()
        if data.startswith(b"SQLite format 3"):
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
                return "\n".join(db.iterdump())
        if data[:1] == b"\x80":
            value = pickle.loads(data)  # noqa: S301 - this run's own storage
            return value.to_csv() if isinstance(value, pd.DataFrame) else repr(value)
    except Exception as exc:  # noqa: BLE001 - an undecodable file is searched as bytes only
        return f"(kunde inte avkodas: {exc})"
    return ""


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        try:
            decoded_value = json.loads(value)
        except ValueError:
            return [value]
        return [value] if isinstance(decoded_value, str) else _strings(decoded_value)
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def instance_strings(home: Path) -> dict[str, list[str]]:
    """Every string the instance's databases hold, JSON payloads decoded (an en dash is stored as \\u2013 there,
    so only the decoded event says what was stored): event logs, metadata, log messages, runs and tags."""
    found: dict[str, list[str]] = {}
    for db in sorted(home.rglob("*.db")):
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            tables = [name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            for table in tables:
                for row in conn.execute(f'SELECT * FROM "{table}"'):  # noqa: S608 - names from the database
                    found.setdefault(f"{db.name}:{table}", []).extend(s for v in row for s in _strings(v))
    return found


def readable_text(path: Path) -> str:
    data = path.read_bytes()
    return data.decode("utf-8", errors="replace") + data.decode("latin-1") + decoded(path)


@pytest.mark.slow
def test_no_personnummer_anywhere_after_a_run(tmp_path: Path) -> None:
    numbers = personal_numbers()
    assert all(contains_personal_number(v) for v in numbers.values())
    frames, errors = synthesise(SynthSpec(forbund=2, first_year=2021, last_year=2024, participants_per_year=120,
                                          seed=11))
    spoil(frames, numbers)
    inbox = tmp_path / "inbox"
    write_inbox(frames, errors, inbox)
    add_named_file(inbox, numbers["in_file_name"])
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
        [sys.executable, "-m", "pipelines.cli", "run", "--inbox", str(inbox), "--year", "2024",
         "--out", str(tmp_path / "out"), "--in-process"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
    )
    out = tmp_path / "out"
    # The run did its work: each personnummer row is in the quarantine, masked.
    quality = read_csv_extract(out / "quality.csv")
    refused = quality[quality["rule"] == "personnummer"]
    assert len(refused) >= len(numbers) - 2, run.stdout + run.stderr
    assert refused["message"].str.contains("XXXXXX", regex=False).all()
    assert (gx_dir / "uncommitted" / "data_docs" / "local_site" / "index.html").exists()

    searched = [p for folder in (out, tmp_path / "storage", gx_dir / "uncommitted", tmp_path / "dagster_home",
                                 tmp_path / "alerts")
                if folder.exists() for p in folder.rglob("*") if p.is_file()]
    assert len(searched) > 20
    logs = run.stdout + run.stderr
    texts = {path: readable_text(path) for path in searched}
    leaks = [f"{key} ({form}) finns i {path}" for key, value in numbers.items() for form in forms(value)
             for path, text in {Path("<utskrift>"): logs, **texts}.items() if form in text]
    assert leaks == [], "\n".join(leaks[:20])

    # The instance, decoded: every event's dagster_event JSON, metadata entries and log messages pass the detector.
    stored = instance_strings(tmp_path / "dagster_home")
    assert any("event_logs" in where for where in stored) and sum(map(len, stored.values())) > 1000
    found = [f"{where}: {text[:120]!r}" for where, texts in stored.items() for text in texts
             if contains_personal_number(text)]
    assert found == [], "\n".join(found[:20])


def test_the_instance_scan_decodes_what_a_byte_scan_misses(tmp_path: Path) -> None:
    number = "850314 \u2013 1234"
    payload = json.dumps({"dagster_event": {"metadata": [{"label": "summary", "text": f"fil {number}.csv"}]}})
    assert number not in payload and "\\u2013" in payload  # stored escaped: a raw scan finds nothing
    with sqlite3.connect(tmp_path / "index.db") as db:
        db.execute("CREATE TABLE event_logs (id INTEGER, event TEXT)")
        db.execute("INSERT INTO event_logs VALUES (1, ?)", (payload,))
    stored = instance_strings(tmp_path)
    assert [text for text in stored["index.db:event_logs"] if contains_personal_number(text)] == [f"fil {number}.csv"]
