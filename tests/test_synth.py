import hashlib
from pathlib import Path

import pandas as pd

from samverkan.contract import DATASETS
from samverkan.synth import ERROR_KINDS, INJECTED_ERRORS_FILE, SynthSpec, synthesise, write_inbox


def test_same_seed_same_data() -> None:
    spec = SynthSpec(forbund=2, first_year=2021, last_year=2023, participants_per_year=120, seed=11)
    first, _ = synthesise(spec)
    second, _ = synthesise(spec)
    for name in first:
        pd.testing.assert_frame_equal(first[name], second[name])
    other, _ = synthesise(SynthSpec(forbund=2, first_year=2021, last_year=2023, participants_per_year=120, seed=12))
    assert not first["participants"].equals(other["participants"])


def test_written_csv_files_are_byte_identical_for_a_seed(tmp_path: Path) -> None:
    spec = SynthSpec(forbund=1, first_year=2022, last_year=2023, participants_per_year=50, seed=5, with_errors=True)
    for target in ("a", "b"):
        frames, errors = synthesise(spec)
        write_inbox(frames, errors, tmp_path / target)
    for path in (tmp_path / "a").glob("*.csv"):
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes(), path.name


# Written by the single-module generator before it became a package: a seed means the same files for good, so
# moving code between its modules (or reordering draws from the shared generator) fails here. participants_2022.csv
# changed once on purpose: its injected unknown codes became near misses ("kvinn", "hogskolan") when "Kvinna" and
# "Högskola" became Swedish labels of the code lists; the draws are the same.
PINNED_CSV_SHA256 = {
    "_injected_errors.csv": "4b4765dab7d87c5b37efeafc29719f13ad78dbcf199def0626401034c9f21e45",
    "participants_2022.csv": "c23dd3840a0ea371a84774d82cd9108e3684f50b585219917f08bdde875cd63a",
    "participants_2023.csv": "c9da6bd7ccc1a647751101f51eba1a256164cb2b9c49306721733919fe95cae8",
    "project_assessments.csv": "a26c439534f1c839cb3ea0378ecdd0c24abaaa2db3fac25c67ab6c7b43efad64",
    "project_costs.csv": "235371333b2e6484ace1429f0a4ce29db453000958366dfe524b64ce70e36e10",
}


def test_a_seed_gives_the_files_it_always_gave(tmp_path: Path) -> None:
    spec = SynthSpec(forbund=2, first_year=2022, last_year=2023, participants_per_year=80, seed=7, with_errors=True)
    write_inbox(*synthesise(spec), tmp_path)
    written = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in tmp_path.glob("*.csv")}
    assert written == PINNED_CSV_SHA256


def test_realistic_shape() -> None:
    frames, errors = synthesise(SynthSpec(forbund=4, participants_per_year=400, seed=3))
    assert errors.empty
    projects = frames["projects"]
    assert set(projects.columns) == set(DATASETS["projects"].column_names)
    assert projects["forbund"].nunique() == 4 and projects["project_id"].is_unique
    assert set(projects["orientation"]) == {"individinriktad", "strukturovergripande"}
    assert (projects["end_date"] == "").any()  # some ongoing projects
    people = frames["participants"]
    # Contract 1.2's optional home kommun is left out of the demo data on purpose: its report says why the per-kommun
    # table is missing, and the pinned inbox hashes below stay those of contract 1.1.
    assert set(people.columns) == set(DATASETS["participants"].column_names) - {"kommun"}
    assert people["participant_id"].duplicated().any()  # some people return
    assert (people["occupation_12m"] != "").any()
    assert set(frames["project_events"]["kind"]) == set(DATASETS["project_events"].column("kind").codes)
    assert set(frames["project_costs"]["financier"]) >= {"samordningsforbund", "af", "fk", "kommun", "region"}
    exited = people[people["exited_on"] != ""]
    assert (exited["exited_on"] >= exited["enrolled_on"]).all()


def test_errors_are_logged_with_file_and_row(spoiled_inbox: Path) -> None:
    log = pd.read_csv(spoiled_inbox / INJECTED_ERRORS_FILE)
    assert set(log["kind"]) == set(ERROR_KINDS)
    assert (log["source_row"] >= 2).all()
    assert all((spoiled_inbox / f).exists() for f in log["source_file"].unique())
