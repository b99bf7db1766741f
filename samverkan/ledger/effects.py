"""Effects of the year's cohort of participant episodes, per episode and actor.

The cohort of report year Y is every episode that exited during Y, except
``felregistrering``, in a project known to ``projects``. For each episode the
situation before (``support_before`` + ``occupation_before``) and after
(``support_after`` + ``occupation_after``) is priced with the catalogue; the
gross yearly effect per actor is cost before − cost after (production value:
after − before). It is then adjusted for deadweight (per outcome) and
attribution; drop-off and discounting act through the cumulative factors.

Where ``support_after`` is empty, work (subsidised or not) is taken as ``lon``
and studies as ``studiemedel``; any other situation is taken as unchanged (no
effect). An empty ``occupation_after`` is taken as the occupation before.

Situations repeat a lot (a few hundred distinct ones among a million
episodes), so each distinct situation is priced once and episodes index into it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from samverkan.contract import EXIT_REASON_MISREGISTERED, WORK_OR_STUDIES
from samverkan.ledger.catalogue import Catalogue
from samverkan.ledger.parameters import OUTCOMES, LedgerParameters
from samverkan.support import explode_support

AFTER_FROM_OCCUPATION = {"arbete": "lon", "subventionerat_arbete": "lon", "studier": "studiemedel"}
AFTER_BASIS = ("registrerat", "från sysselsättning", "oförändrat")


@dataclass
class Cohort:
    episodes: pd.DataFrame  # the cohort's rows with ``forbund`` added
    exited: int  # exited in the year (any reason, known project or not)
    misregistered: int
    unknown_project: int


def select_cohort(participants: pd.DataFrame, projects: pd.DataFrame, year: int) -> Cohort:
    """The episodes that count for report year ``year`` (see the module docstring)."""
    exited_in_year = (participants["exited_on"].dt.year == year).fillna(False).to_numpy(dtype=bool)
    misregistered = (participants["exit_reason"] == EXIT_REASON_MISREGISTERED).fillna(False).to_numpy(dtype=bool)
    lookup = projects.drop_duplicates("project_id").set_index("project_id")["forbund"]
    forbund = participants["project_id"].map(lookup)
    known = forbund.notna().to_numpy()
    keep = exited_in_year & ~misregistered & known
    episodes = participants.loc[keep].copy()
    episodes["forbund"] = forbund[keep]
    return Cohort(episodes=episodes.reset_index(drop=True), exited=int(exited_in_year.sum()),
                  misregistered=int((exited_in_year & misregistered).sum()),
                  unknown_project=int((exited_in_year & ~misregistered & ~known).sum()))


def resolve_after(episodes: pd.DataFrame) -> pd.DataFrame:
    """``support_after``, ``occupation_after`` as used, and ``after_basis`` (see module docstring)."""
    support_after = episodes["support_after"].fillna("").astype("str")
    occ_before = episodes["occupation_before"].astype("str").where(episodes["occupation_before"].notna(), "")
    occ_after = episodes["occupation_after"].astype("str").where(episodes["occupation_after"].notna(), "")
    recorded = (support_after != "").to_numpy()
    implied = occ_after.map(AFTER_FROM_OCCUPATION).fillna("").to_numpy()
    from_occupation = ~recorded & (implied != "")
    unchanged = ~recorded & ~from_occupation
    support_before = episodes["support_before"].fillna("").astype("str").to_numpy()
    support_used = np.where(recorded, support_after.to_numpy(), np.where(from_occupation, implied, support_before))
    occ_used = np.where(unchanged | (occ_after == "").to_numpy(), occ_before.to_numpy(), occ_after.to_numpy())
    basis = np.select([recorded, from_occupation], [AFTER_BASIS[0], AFTER_BASIS[1]], default=AFTER_BASIS[2])
    return pd.DataFrame({"support_after_used": support_used, "occupation_after_used": occ_used,
                         "after_basis": basis}, index=episodes.index)


def situation_weights(support: pd.Series, occupation: pd.Series, catalogue: Catalogue
                      ) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Price every distinct situation once.

    Returns (codes, weights, unmatched): ``codes[i]`` is the situation number of row i;
    ``weights[s, r]`` the full-time-year weight of catalogue row r in situation s (the
    extent / 100 for support items, 1 for the whole-person row of the occupation); and
    the support codes the catalogue has no row for (priced at zero).
    """
    support_codes, support_uniques = pd.factorize(support.astype("str").to_numpy())
    occ_codes, occ_uniques = pd.factorize(occupation.astype("str").to_numpy())
    pair = support_codes.astype("int64") * max(len(occ_uniques), 1) + occ_codes
    pair_uniques, codes = np.unique(pair, return_inverse=True)
    sit_support = pd.Series(support_uniques[pair_uniques // max(len(occ_uniques), 1)])
    sit_occ = np.asarray(occ_uniques)[pair_uniques % max(len(occ_uniques), 1)]
    n_rows = len(catalogue.rows)
    weights = np.zeros((len(pair_uniques), n_rows), dtype="float64")
    items = explode_support(sit_support)
    item_rows = catalogue.item_rows()
    unmatched: set[str] = set()
    if len(items):
        occ_of_item = sit_occ[items["row"].to_numpy()]
        rows = [item_rows.get((c, o), item_rows.get((c, ""), -1))
                for c, o in zip(items["code"], occ_of_item, strict=True)]
        rows = np.asarray(rows, dtype="int64")
        unmatched = set(items["code"].to_numpy()[rows < 0])
        ok = rows >= 0
        np.add.at(weights, (items["row"].to_numpy()[ok], rows[ok]), items["extent"].to_numpy()[ok] / 100.0)
    situation = catalogue.situation_rows()
    whole = np.array([situation.get(o, -1) for o in sit_occ], dtype="int64")
    has = whole >= 0
    weights[np.flatnonzero(has), whole[has]] += 1.0
    return codes.reshape(-1), weights, sorted(unmatched)


@dataclass
class EpisodeEffects:
    """Per cohort episode: situations, costs per actor before and after, outcome and adjustment."""

    episodes: pd.DataFrame  # forbund, project_id, source_file, source_row, outcome, after_basis
    before: np.ndarray  # situation number before, per episode
    after: np.ndarray  # situation number after, per episode
    weights: np.ndarray  # (situations, catalogue rows)
    cost_before: np.ndarray  # (episodes, actors)
    cost_after: np.ndarray  # (episodes, actors)
    outcome: np.ndarray  # index into OUTCOMES per episode
    adjustment: np.ndarray  # (1 - deadweight[outcome]) × attribution per episode
    unmatched_codes: list[str]
    cohort: Cohort

    @property
    def gross(self) -> np.ndarray:
        """Gross yearly effect per episode and actor: cost before − cost after."""
        return self.cost_before - self.cost_after


def episode_effects(participants: pd.DataFrame, projects: pd.DataFrame, year: int, catalogue: Catalogue,
                    parameters: LedgerParameters) -> EpisodeEffects:
    """Price the cohort of ``year`` with ``catalogue`` and adjust it with ``parameters``."""
    cohort = select_cohort(participants, projects, year)
    episodes = cohort.episodes
    after = resolve_after(episodes)
    n = len(episodes)
    occ_before = episodes["occupation_before"].astype("str").where(episodes["occupation_before"].notna(), "")
    support_before = episodes["support_before"].fillna("").astype("str")
    support = pd.concat([support_before, after["support_after_used"]], ignore_index=True)
    occupation = pd.concat([occ_before, after["occupation_after_used"]], ignore_index=True)
    codes, weights, unmatched = situation_weights(support, occupation, catalogue)
    before_sit, after_sit = codes[:n], codes[n:]
    situation_costs = weights @ catalogue.costs
    work = np.isin(after["occupation_after_used"].to_numpy(), WORK_OR_STUDIES)
    outcome = np.where(work, OUTCOMES.index("work_or_studies"), OUTCOMES.index("other")).astype("int8")
    deadweight = np.array([parameters.deadweight[o].value for o in OUTCOMES])
    adjustment = (1.0 - deadweight[outcome]) * parameters.attribution
    meta = pd.DataFrame({
        "forbund": episodes["forbund"].astype("category"),
        "project_id": episodes["project_id"].astype("category"),
        "source_file": episodes["source_file"].astype("category"),
        "source_row": episodes["source_row"].astype("int64"),
        "outcome": pd.Categorical.from_codes(outcome, categories=list(OUTCOMES)),
        "after_basis": pd.Categorical(after["after_basis"].to_numpy(), categories=list(AFTER_BASIS)),
    })
    return EpisodeEffects(episodes=meta, before=before_sit, after=after_sit, weights=weights,
                          cost_before=situation_costs[before_sit], cost_after=situation_costs[after_sit],
                          outcome=outcome, adjustment=adjustment, unmatched_codes=unmatched, cohort=cohort)


def observed_follow_up(participants: pd.DataFrame, year: int) -> dict[str, float | int | None]:
    """Evidence for the drop-off parameter: of the episodes that left for work or studies before
    ``year`` and have a follow-up a year later, how many were still in work or studies."""
    left = participants["occupation_after"].isin(WORK_OR_STUDIES).fillna(False).to_numpy(dtype=bool)
    before = (participants["exited_on"].dt.year < year).fillna(False).to_numpy(dtype=bool)
    followed = participants["occupation_12m"].notna().to_numpy()
    base = left & before & followed
    kept = base & participants["occupation_12m"].isin(WORK_OR_STUDIES).fillna(False).to_numpy(dtype=bool)
    n = int(base.sum())
    return {"followed_up": n, "still_in_work_or_studies": int(kept.sum()),
            "share_retained": round(kept.sum() / n, 3) if n else None}
