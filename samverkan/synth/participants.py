"""Participant episodes: pseudonyms, support before and after, exits, follow-ups, returning people."""

from __future__ import annotations

import numpy as np
import pandas as pd

from samverkan.synth.vocabulary import SUPPORT_BEFORE, SynthSpec


def pseudonyms(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` distinct participant pseudonyms ("P-" and seven letters or digits)."""
    alphabet = np.array(list("ABCDEFGHJKLMNPQRSTUVWXYZ23456789"))
    letters = alphabet[rng.integers(0, len(alphabet), size=(n, 7))]
    ids = np.char.add("P-", np.apply_along_axis(lambda r: "".join(r), 1, letters)) if n else np.array([], str)
    # Make collisions impossible rather than unlikely.
    return np.char.add(ids, np.char.add("-", np.arange(n).astype(str))) if n else ids


def draw_participants(rng: np.random.Generator, projects: pd.DataFrame, project_years: pd.DataFrame,
                      spec: SynthSpec) -> pd.DataFrame:
    """``participants_per_year`` episodes a year in the individual projects running that year.

    A project's hidden quality raises its participants' chance of work or studies, its hidden lasting their
    chance of still being there at the follow-up; about one in twenty people returns in a later episode.
    """
    individual = project_years[project_years["orientation"] == "individinriktad"]
    quality = projects.set_index("project_id")["hidden_quality"]
    lasting = projects.set_index("project_id")["hidden_lasting"]
    frames = []
    data_end = np.datetime64(f"{spec.last_year}-12-31")
    for year in range(spec.first_year, spec.last_year + 1):
        active = individual[individual["year"] == year]["project_id"].to_numpy()
        if len(active) == 0:
            continue
        n = spec.participants_per_year
        pid = active[rng.integers(0, len(active), size=n)]
        enrolled = np.datetime64(f"{year}-01-01") + rng.integers(0, 365, size=n).astype("timedelta64[D]")
        months = np.clip(rng.gamma(2.0, 5.0, size=n), 0.5, 48)
        exited = enrolled + (months * 30.4).astype(int).astype("timedelta64[D]")
        ongoing = exited > data_end
        q = quality.reindex(pid).to_numpy()
        u = rng.random(n)
        p_work = 0.08 + 0.55 * q
        p_study = 0.05 + 0.10 * q
        reason = np.where(u < p_work, "arbete", np.where(u < p_work + p_study, "studier", ""))
        rest = rng.choice(
            ["arbetssokande", "annan_insats", "sjukdom", "flytt", "avbrott", "ovrigt", "felregistrering"],
            size=n, p=[0.35, 0.2, 0.17, 0.06, 0.12, 0.07, 0.03],
        )
        reason = np.where(reason == "", rest, reason)
        subsidised = rng.random(n) < 0.3
        occupation_after = np.select(
            [reason == "arbete", reason == "studier", np.isin(reason, ["arbetssokande", "avbrott"])],
            [np.where(subsidised, "subventionerat_arbete", "arbete"), "studier", "arbetssokande"],
            default="ovrigt",
        )
        before_codes = np.array([s for s, _ in SUPPORT_BEFORE])
        weights = np.array([w for _, w in SUPPORT_BEFORE])
        support_before = before_codes[rng.choice(len(before_codes), size=n, p=weights / weights.sum())]
        part_time = rng.random(n) < 0.2
        support_after = np.select(
            [occupation_after == "arbete", occupation_after == "subventionerat_arbete",
             occupation_after == "studier", occupation_after == "arbetssokande"],
            [np.where(part_time, "lon:50|forsorjningsstod", "lon"), "lon", "studiemedel",
             np.where(rng.random(n) < 0.5, "aktivitetsstod", support_before)],
            default=support_before,
        )
        occupation_before = rng.choice(["arbetssokande", "ovrigt", "studier", "subventionerat_arbete"],
                                       size=n, p=[0.62, 0.3, 0.04, 0.04])
        # Follow-up a year after exit, where that day has passed; lasting projects keep their gains.
        followed = (~ongoing) & (exited + np.timedelta64(365, "D") <= data_end) & (rng.random(n) < 0.6)
        keeps = rng.random(n) < lasting.reindex(pid).to_numpy()
        worked = np.isin(occupation_after, ["arbete", "subventionerat_arbete", "studier"])
        later = np.where(worked & keeps, occupation_after,
                         np.where(rng.random(n) < 0.12, "arbete", "arbetssokande"))
        frame = pd.DataFrame(
            {
                "participant_id": pseudonyms(rng, n),
                "project_id": pid,
                "gender": rng.choice(["K", "M", "X", "okand"], size=n, p=[0.49, 0.49, 0.01, 0.01]),
                "birth_year": (year - np.clip(rng.normal(34, 11, size=n), 16, 64)).astype(int).astype(str),
                "enrolled_on": pd.Series(enrolled).dt.strftime("%Y-%m-%d").to_numpy(),
                "exited_on": np.where(ongoing, "", pd.Series(exited).dt.strftime("%Y-%m-%d").to_numpy()),
                "support_before": support_before,
                "support_after": np.where(ongoing, "", support_after),
                "occupation_before": occupation_before,
                "occupation_after": np.where(ongoing, "", occupation_after),
                "months_on_support_before": np.clip(rng.gamma(1.6, 18, size=n), 0, 240).astype(int).astype(str),
                "education_level": rng.choice(["forgymnasial", "gymnasial", "eftergymnasial", "okand"],
                                              size=n, p=[0.35, 0.4, 0.15, 0.1]),
                "exit_reason": np.where(ongoing, "", reason),
                "occupation_12m": np.where(followed, later, ""),
            }
        )
        frame.loc[frame["exit_reason"] == "felregistrering", ["support_after", "occupation_after"]] = ""
        frames.append(frame)
    participants = pd.concat(frames, ignore_index=True)
    # Some people come back in a later episode: reuse an earlier pseudonym.
    again = rng.random(len(participants)) < 0.05
    donors = rng.integers(0, len(participants), size=len(participants))
    earlier = donors < np.arange(len(participants))
    participants.loc[again & earlier, "participant_id"] = participants["participant_id"].to_numpy()[
        donors[again & earlier]]
    return participants.drop_duplicates(["participant_id", "project_id", "enrolled_on"], ignore_index=True)
