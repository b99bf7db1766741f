"""Effects of the year's cohort of participant episodes, per episode and actor.

The cohort of report year Y is every episode that exited during Y, except
``felregistrering``, in a project known to ``projects``. For each episode the
situation before (``support_before`` + ``occupation_before``) and after
(``support_after`` + ``occupation_after``) is priced with the catalogue; the
gross yearly effect per actor is cost before − cost after (production value:
after − before). It is then adjusted for the counterfactual and attribution;
drop-off and discounting act through the cumulative factors.

The counterfactual is one share p0 (parameters, per the project's target
group): of a project's N cohort episodes, k to work or studies, max(0, k − p0·N)
are attributable, so each work-or-studies episode keeps attributable / k of its
effect. Other outcomes keep 1 − ``other_outcomes``.

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


def _codes(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Integer codes (-1 = missing or empty) and the distinct values, without building Python strings per row."""
    codes, uniques = pd.factorize(values)
    uniques = [str(u) for u in uniques]
    if "" in uniques:
        empty = uniques.index("")
        codes = np.where(codes == empty, -1, codes)
    return codes.astype("int64"), uniques


def select_cohort(participants: pd.DataFrame, projects: pd.DataFrame, year: int) -> Cohort:
    """The episodes that count for report year ``year`` (see the module docstring)."""
    exited_in_year = (participants["exited_on"].dt.year == year).fillna(False).to_numpy(dtype=bool)
    misregistered = (participants["exit_reason"] == EXIT_REASON_MISREGISTERED).fillna(False).to_numpy(dtype=bool)
    lookup = projects.drop_duplicates("project_id").set_index("project_id")["forbund"]
    project_codes, project_uniques = pd.factorize(participants["project_id"])
    forbund_of_unique = pd.Series(project_uniques).map(lookup).to_numpy(dtype=object)
    forbund_of_unique = np.append(forbund_of_unique, None)  # code -1 (missing project) → None
    known = pd.notna(forbund_of_unique)[project_codes]
    keep = exited_in_year & ~misregistered & known
    episodes = participants.loc[keep].reset_index(drop=True)
    kept_codes = project_codes[keep]
    names = pd.Index(forbund_of_unique[:-1][pd.notna(forbund_of_unique[:-1])].astype(str)).unique().sort_values()
    forbund_codes = names.get_indexer(pd.Series(forbund_of_unique[:-1]).astype("str"))
    episodes["forbund"] = pd.Categorical.from_codes(forbund_codes[kept_codes], categories=names)
    return Cohort(episodes=episodes, exited=int(exited_in_year.sum()),
                  misregistered=int((exited_in_year & misregistered).sum()),
                  unknown_project=int((exited_in_year & ~misregistered & ~known).sum()))


@dataclass
class Situations:
    """Every episode's situation before and after as numbers into a small table of distinct situations."""

    before: np.ndarray  # situation number per episode
    after: np.ndarray
    support: list[str]  # per situation
    occupation: list[str]  # per situation ('' = unknown)
    occupation_after: np.ndarray  # occupation used after, per episode ('' = unknown)
    after_basis: np.ndarray  # index into AFTER_BASIS per episode


def situations(episodes: pd.DataFrame) -> Situations:
    """Resolve the situation after exit (see the module docstring) and number the distinct situations."""
    support_codes, support_values = _codes(pd.concat([episodes["support_before"], episodes["support_after"]],
                                                     ignore_index=True))
    n = len(episodes)
    sb, sa = support_codes[:n], support_codes[n:]
    occ_codes, occ_values = _codes(pd.concat([episodes["occupation_before"], episodes["occupation_after"]],
                                             ignore_index=True))
    ob, oa = occ_codes[:n], occ_codes[n:]
    # The support implied by each occupation, as a number among the support values (appended when new).
    implied = np.full(len(occ_values) + 1, -1, dtype="int64")  # last slot: occupation missing
    for i, occ in enumerate(occ_values):
        if occ in AFTER_FROM_OCCUPATION:
            text = AFTER_FROM_OCCUPATION[occ]
            if text not in support_values:
                support_values.append(text)
            implied[i] = support_values.index(text)
    recorded = sa >= 0
    implied_after = implied[oa]  # oa == -1 picks the last slot
    from_occupation = ~recorded & (implied_after >= 0)
    unchanged = ~recorded & ~from_occupation
    support_after = np.where(recorded, sa, np.where(from_occupation, implied_after, sb))
    occ_after = np.where(unchanged | (oa < 0), ob, oa)
    basis = np.where(recorded, 0, np.where(from_occupation, 1, 2)).astype("int8")
    n_occ = len(occ_values) + 1  # the extra value is 'unknown'
    pair = np.concatenate([sb * n_occ + np.where(ob < 0, n_occ - 1, ob),
                           support_after * n_occ + np.where(occ_after < 0, n_occ - 1, occ_after)])
    numbers, distinct = pd.factorize(pair)
    occ_names = np.array([*occ_values, ""], dtype=object)
    support_names = np.array([*support_values, ""], dtype=object)  # support code -1 → ''
    distinct_support = np.where(distinct // n_occ >= 0, distinct // n_occ, len(support_values))
    return Situations(
        before=numbers[:n], after=numbers[n:],
        support=list(support_names[distinct_support]), occupation=list(occ_names[distinct % n_occ]),
        occupation_after=occ_names[np.where(occ_after < 0, n_occ - 1, occ_after)],
        after_basis=basis,
    )


def situation_weights(support: list[str], occupation: list[str], catalogue: Catalogue
                      ) -> tuple[np.ndarray, list[str]]:
    """Price every distinct situation once.

    Returns ``weights[s, r]``, the full-time-year weight of catalogue row r in situation s
    (the extent / 100 for support items, 1 for the whole-person row of the occupation), and
    the support codes the catalogue has no row for (priced at zero).
    """
    n_rows = len(catalogue.rows)
    weights = np.zeros((len(support), n_rows), dtype="float64")
    items = explode_support(pd.Series(support, dtype="str"))
    item_rows = catalogue.item_rows()
    unmatched: set[str] = set()
    occupation_array = np.asarray(occupation, dtype=object)
    if len(items):
        occ_of_item = occupation_array[items["row"].to_numpy()]
        found = [item_rows.get((c, o), item_rows.get((c, ""), []))
                 for c, o in zip(items["code"], occ_of_item, strict=True)]
        per_item = np.array([len(f) for f in found], dtype="int64")
        unmatched = set(items["code"].to_numpy()[per_item == 0])
        rows = np.array([r for f in found for r in f], dtype="int64")
        np.add.at(weights, (np.repeat(items["row"].to_numpy(), per_item), rows),
                  np.repeat(items["extent"].to_numpy() / 100.0, per_item))
    situation = catalogue.situation_rows()
    for s, occ in enumerate(occupation_array):
        for r in situation.get(occ, []):
            weights[s, r] += 1.0
    return weights, sorted(unmatched)


COUNT_COLUMNS = ["project_id", "leavers", "to_work_or_studies", "p0", "attributable"]


def attributable(k: np.ndarray, n: np.ndarray, p0: np.ndarray) -> np.ndarray:
    """Successes beyond the counterfactual: max(0, k − p0·N)."""
    return np.maximum(0.0, np.asarray(k, dtype="float64") - np.asarray(p0, dtype="float64") * n)


def project_counts(project_id: pd.Series, work: np.ndarray, projects: pd.DataFrame,
                   parameters: LedgerParameters) -> pd.DataFrame:
    """``COUNT_COLUMNS`` per project of the cohort: leavers N, to work or studies k, p0 and max(0, k − p0·N)."""
    flags = pd.DataFrame({"project_id": project_id.astype("str").to_numpy(), "leavers": 1,
                          "to_work_or_studies": work.astype("int64")})
    counts = flags.groupby("project_id", sort=True).sum().reset_index()
    groups = (projects.drop_duplicates("project_id").set_index("project_id")["target_group"]
              if "target_group" in projects else pd.Series(dtype="object"))
    counts["p0"] = [parameters.p0_for(groups.get(p)) for p in counts["project_id"]]
    counts["attributable"] = attributable(counts["to_work_or_studies"], counts["leavers"], counts["p0"])
    return counts[COUNT_COLUMNS]


@dataclass
class EpisodeEffects:
    """Per cohort episode: situations, costs per actor before and after, outcome and adjustment."""

    episodes: pd.DataFrame  # forbund, project_id, source_file, source_row, outcome, after_basis
    before: np.ndarray  # situation number before, per episode
    after: np.ndarray  # situation number after, per episode
    weights: np.ndarray  # (situations, catalogue rows)
    cost_before: np.ndarray  # (episodes, actors)
    cost_after: np.ndarray  # (episodes, actors)
    real_before: np.ndarray  # (episodes, actors): the real-resource part of cost_before
    real_after: np.ndarray
    outcome: np.ndarray  # index into OUTCOMES per episode
    adjustment: np.ndarray  # counterfactual share kept × attribution per episode
    counts: pd.DataFrame  # per project: COUNT_COLUMNS
    unmatched_codes: list[str]
    cohort: Cohort

    @property
    def gross(self) -> np.ndarray:
        """Gross yearly effect per episode and actor: cost before − cost after."""
        return self.cost_before - self.cost_after

    @property
    def gross_real(self) -> np.ndarray:
        """The real-resource part of ``gross`` (the rest is transfers)."""
        return self.real_before - self.real_after


def episode_effects(participants: pd.DataFrame, projects: pd.DataFrame, year: int, catalogue: Catalogue,
                    parameters: LedgerParameters) -> EpisodeEffects:
    """Price the cohort of ``year`` with ``catalogue`` and adjust it with ``parameters``."""
    cohort = select_cohort(participants, projects, year)
    episodes = cohort.episodes
    found = situations(episodes)
    weights, unmatched = situation_weights(found.support, found.occupation, catalogue)
    situation_costs = weights @ catalogue.costs
    situation_real = weights @ catalogue.real
    work = np.isin(found.occupation_after, WORK_OR_STUDIES)
    outcome = np.where(work, OUTCOMES.index("work_or_studies"), OUTCOMES.index("other")).astype("int8")
    counts = project_counts(episodes["project_id"], work, projects, parameters)
    kept = counts["attributable"] / counts["to_work_or_studies"].where(counts["to_work_or_studies"] > 0)
    work_kept = pd.Series(kept.fillna(0.0).to_numpy(), index=counts["project_id"])
    per_episode = work_kept.reindex(episodes["project_id"].astype("str").to_numpy()).to_numpy(dtype="float64")
    share_kept = np.where(work, per_episode, 1.0 - parameters.other_outcomes.value)
    adjustment = share_kept * parameters.attribution.value
    meta = pd.DataFrame({
        "forbund": episodes["forbund"],
        "project_id": episodes["project_id"].astype("category"),
        "source_file": episodes["source_file"].astype("category"),
        "source_row": episodes["source_row"].astype("int64"),
        "outcome": pd.Categorical.from_codes(outcome, categories=list(OUTCOMES)),
        "after_basis": pd.Categorical.from_codes(found.after_basis, categories=list(AFTER_BASIS)),
    })
    return EpisodeEffects(episodes=meta, before=found.before, after=found.after, weights=weights,
                          cost_before=situation_costs[found.before], cost_after=situation_costs[found.after],
                          real_before=situation_real[found.before], real_after=situation_real[found.after],
                          outcome=outcome, adjustment=adjustment, counts=counts, unmatched_codes=unmatched,
                          cohort=cohort)


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
