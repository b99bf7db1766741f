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


def test_realistic_shape() -> None:
    frames, errors = synthesise(SynthSpec(forbund=4, participants_per_year=400, seed=3))
    assert errors.empty
    projects = frames["projects"]
    assert set(projects.columns) == set(DATASETS["projects"].column_names)
    assert projects["forbund"].nunique() == 4 and projects["project_id"].is_unique
    assert set(projects["orientation"]) == {"individinriktad", "strukturovergripande"}
    assert (projects["end_date"] == "").any()  # some ongoing projects
    people = frames["participants"]
    assert set(people.columns) == set(DATASETS["participants"].column_names)
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
