"""Effects of the year's cohort of participant episodes, per episode and actor.

The cohort of report year Y is every episode that exited during Y, except
``felregistrering``, in a project known to ``projects``. For each episode the
situation before (``support_before`` + ``occupation_before``) and after
(``support_after`` + ``occupation_after``), each with the person's target group
(``target_groups``) and education level, is priced with the catalogue; the
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

from samverkan.contract import EDUCATION_LEVEL, EXIT_REASON_MISREGISTERED, TARGET_GROUP, WORK_OR_STUDIES
from samverkan.ledger.catalogue import KINDS, Catalogue
from samverkan.ledger.parameters import OUTCOMES, LedgerParameters
from samverkan.ledger.target_groups import target_groups
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
    target_group: list[str]  # per situation ('' = none)
    education: list[str]  # per situation ('' = unknown)
    occupation_after: np.ndarray  # occupation used after, per episode ('' = unknown)
    after_basis: np.ndarray  # index into AFTER_BASIS per episode


def situations(episodes: pd.DataFrame, groups: np.ndarray | None = None) -> Situations:
    """Resolve the situation after exit (see the module docstring) and number the distinct situations.

    A situation is support + occupation + the person's target group (``groups``: index into
    ``TARGET_GROUP`` per episode; none when empty) + education level.
    """
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
    n_group, n_edu = len(TARGET_GROUP) + 1, len(EDUCATION_LEVEL) + 1  # the last slot: none
    group = np.full(n, n_group - 1, dtype="int64") if groups is None else np.asarray(groups, dtype="int64")
    edu = (pd.Index(EDUCATION_LEVEL).get_indexer(episodes["education_level"].astype("str"))
           if "education_level" in episodes else np.full(n, -1))
    edu = np.where(edu < 0, n_edu - 1, edu).astype("int64")
    person = group * n_edu + edu  # the target group and education level are the same before and after

    def key(support: np.ndarray, occ: np.ndarray) -> np.ndarray:
        return ((support + 1) * n_occ + np.where(occ < 0, n_occ - 1, occ)) * n_group * n_edu + person

    numbers, distinct = pd.factorize(np.concatenate([key(sb, ob), key(support_after, occ_after)]))
    occ_names = np.array([*occ_values, ""], dtype=object)
    support_names = np.array(["", *support_values], dtype=object)  # slot 0: no support code
    group_names = np.array([*TARGET_GROUP, ""], dtype=object)
    edu_names = np.array([*EDUCATION_LEVEL, ""], dtype=object)
    pair, rest = np.divmod(distinct, n_group * n_edu)
    return Situations(
        before=numbers[:n], after=numbers[n:],
        support=list(support_names[pair // n_occ]), occupation=list(occ_names[pair % n_occ]),
        target_group=list(group_names[rest // n_edu]), education=list(edu_names[rest % n_edu]),
        occupation_after=occ_names[np.where(occ_after < 0, n_occ - 1, occ_after)],
        after_basis=basis,
    )


def situation_weights(support: list[str], occupation: list[str], catalogue: Catalogue,
                      target_group: list[str] | None = None, education: list[str] | None = None
                      ) -> tuple[np.ndarray, list[str]]:
    """Price every distinct situation once.

    Returns ``weights[s, r]``, the full-time-year weight of catalogue row r in situation s
    (the extent / 100 for support items, for each kind the most specific row; for a whole-person
    row 1, or 1 − its ``reduction_in_work`` in work or studies), and the support codes the catalogue
    has no row for (priced at zero). ``target_group`` and ``education`` ('' = none) default to none.
    """
    n_sit, n_rows = len(support), len(catalogue.rows)
    target_group = target_group if target_group is not None else [""] * n_sit
    education = education if education is not None else [""] * n_sit
    weights = np.zeros((n_sit, n_rows), dtype="float64")
    items = explode_support(pd.Series(support, dtype="str"))
    item_rows = catalogue.item_rows()
    unmatched: set[str] = set()
    found: dict[tuple[str, str, str, str], list[int]] = {}
    for s, code, extent in zip(items["row"], items["code"], items["extent"], strict=True):
        person = (code, occupation[s], target_group[s], education[s])
        if person not in found:
            found[person] = _most_specific(item_rows, *person)
        if not found[person]:
            unmatched.add(code)
        weights[s, found[person]] += extent / 100.0
    whole = catalogue.situation_rows()
    working = np.isin(np.asarray(occupation, dtype=object), WORK_OR_STUDIES)
    for row, occ, group, reduction in whole.itertuples(index=False):
        applies = ((np.asarray(occupation, dtype=object) == occ) if occ else np.ones(n_sit, dtype=bool)) & (
            (np.asarray(target_group, dtype=object) == group) if group else True)
        weights[applies, row] += np.where(working[applies], 1.0 - reduction, 1.0)
    return weights, sorted(unmatched)


def _most_specific(item_rows: dict[tuple[str, str, str, str, str], list[int]], code: str, occupation: str,
                   group: str, education: str) -> list[int]:
    """Per kind, the rows of the most specific key: occupation first, then target group, then education."""
    rows: list[int] = []
    for kind in KINDS:
        for o in dict.fromkeys((occupation, "")):
            hit = next((item_rows[(code, o, g, e, kind)] for g in dict.fromkeys((group, ""))
                        for e in dict.fromkeys((education, "")) if (code, o, g, e, kind) in item_rows), None)
            if hit is not None:
                rows.extend(hit)
                break
    return rows


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

    episodes: pd.DataFrame  # forbund, project_id, source_file, source_row, outcome, after_basis, target_group(_basis)
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
    groups = target_groups(episodes, projects)
    found = situations(episodes, groups.group)
    weights, unmatched = situation_weights(found.support, found.occupation, catalogue, found.target_group,
                                           found.education)
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
        "target_group": pd.Categorical.from_codes(groups.group, categories=list(TARGET_GROUP)),
        "target_group_basis": groups.basis,
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
