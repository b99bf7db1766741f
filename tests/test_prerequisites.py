"""The 12 prerequisites mapped onto Ling's four dimensions, the förbund's profile over them, and x of 12."""

from __future__ import annotations

import pandas as pd

from samverkan.prerequisites import DIMENSION_OF, DIMENSIONS, PREREQUISITES, dimension_profile, in_place


def test_every_prerequisite_falls_under_exactly_one_dimension_and_every_dimension_has_some():
    assert sorted(DIMENSION_OF) == sorted(PREREQUISITES)
    assert set(DIMENSION_OF.values()) == set(DIMENSIONS)


def test_dimension_profile_is_the_mean_of_the_scores_under_each_dimension():
    rows = [("F", "P1", c, s) for c, s in [(1, 3), (8, 1), (9, None), (12, 2), (2, 0), (3, 3), (11, 3)]]
    rows += [("F", "P2", 1, 1), ("G", "Q1", 5, 2)]
    profiles = pd.DataFrame(rows, columns=["forbund", "project_id", "criterion", "score"]).assign(year=2024)
    profiles["score"] = profiles["score"].astype("Int64")
    profile = dimension_profile(profiles)
    f = profile[profile["forbund"] == "F"].set_index("dimension")
    culture, structure = DIMENSIONS[0], DIMENSIONS[3]
    assert f.loc[culture, "scores"] == 4 and f.loc[culture, "mean_score"] == round((3 + 1 + 2 + 1) / 4, 2)
    assert f.loc[structure, "mean_score"] == 2.0 and f.loc[structure, "criteria"] == "2, 3, 11"
    assert pd.isna(f.loc[DIMENSIONS[1], "mean_score"]) and f.loc[DIMENSIONS[1], "scores"] == 0
    assert list(profile[profile["forbund"] == "G"]["scores"]) == [0, 0, 1, 0]


def test_in_place_counts_scores_of_two_or_more_and_names_the_rest():
    count, missing = in_place({n: 3 for n in range(1, 11)} | {11: 1})
    assert count == 10 and missing == [PREREQUISITES[11], PREREQUISITES[12]]
