"""Each participant's target group, from the participant's own data first and the project's second.

The rules, in order (the first that holds decides; its reason is kept for the trace):

1. ``etableringsersattning`` in ``support_before`` → ``nyanlanda``;
2. ``sjukpenning``, ``sjukersattning`` or ``aktivitetsersattning`` → ``langtidssjuk``;
3. younger than ``YOUNG_AGE`` at enrolment (enrolment year − birth year) and neither working nor
   studying before → ``unga_vuxna``;
4. ``forsorjningsstod`` → ``langtidsarbetslos``;
5. the project's ``target_group_code`` (or a ``target_group`` that is itself a code);
6. otherwise ``ovrig``.

Support strings repeat a lot, so the codes are looked up once per distinct string.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from samverkan.contract import TARGET_GROUP, WORK_OR_STUDIES
from samverkan.support import explode_support

YOUNG_AGE = 25
FALLBACK_GROUP = "ovrig"
FROM_SUPPORT = (
    ("etableringsersattning", "nyanlanda"),
    ("sjukpenning", "langtidssjuk"),
    ("sjukersattning", "langtidssjuk"),
    ("aktivitetsersattning", "langtidssjuk"),
)
FROM_AGE = f"från ålder under {YOUNG_AGE} år utan arbete eller studier"
FROM_PROJECT = "från projektets målgrupp"
NO_GROUP = "ingen målgrupp angiven: övrig"


@dataclass
class TargetGroups:
    group: np.ndarray  # index into TARGET_GROUP per episode
    basis: pd.Categorical  # why, in Swedish, per episode


def project_groups(projects: pd.DataFrame) -> pd.Series:
    """project_id → target group code, from ``target_group_code`` or a ``target_group`` that is a code."""
    frame = projects.drop_duplicates("project_id").set_index("project_id")
    out = pd.Series(pd.NA, index=frame.index, dtype="object")
    for column in ("target_group", "target_group_code"):  # the code column wins: it is filled last
        if column in frame:
            text = frame[column].astype("string").str.strip().str.lower()
            out = out.mask(text.isin(TARGET_GROUP).fillna(False).to_numpy(dtype=bool), text)
    return out.dropna()


def _support_groups(support: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per episode: group index from the support rules 1–2 (-1 = none), its code, and försörjningsstöd."""
    codes, uniques = pd.factorize(support.fillna("").astype("str"))
    items = explode_support(pd.Series(uniques, dtype="str"))
    group = np.full(len(uniques) + 1, -1, dtype="int64")
    which = np.full(len(uniques) + 1, "", dtype=object)
    for code, name in reversed(FROM_SUPPORT):  # reversed: the first rule is written last and wins
        rows = items.loc[items["code"] == code, "row"].to_numpy()
        group[rows] = TARGET_GROUP.index(name)
        which[rows] = code
    welfare = np.zeros(len(uniques) + 1, dtype=bool)
    welfare[items.loc[items["code"] == "forsorjningsstod", "row"].to_numpy()] = True
    return group[codes], which[codes], welfare[codes]


def target_groups(episodes: pd.DataFrame, projects: pd.DataFrame) -> TargetGroups:
    """The target group of every episode and the reason (see the module docstring)."""
    n = len(episodes)
    from_support, code, welfare = _support_groups(episodes["support_before"])
    missing = pd.Series(np.nan, index=episodes.index)
    # Hand-made frames may lack the columns: no age, then no age rule.
    birth = pd.to_numeric(episodes.get("birth_year", missing), errors="coerce").to_numpy(dtype="float64",
                                                                                       na_value=np.nan)
    enrolled = pd.to_datetime(episodes.get("enrolled_on", missing)).dt.year.to_numpy(dtype="float64",
                                                                                      na_value=np.nan)
    outside = ~episodes["occupation_before"].isin(WORK_OR_STUDIES).fillna(False).to_numpy(dtype=bool)
    young = ((enrolled - birth) < YOUNG_AGE) & outside
    by_project = project_groups(projects)
    project = (episodes["project_id"].astype("str").map(by_project).map(TARGET_GROUP.index, na_action="ignore")
               .to_numpy(dtype="float64", na_value=np.nan))
    has_project = ~np.isnan(project)
    group = np.select(
        [from_support >= 0, young, welfare, has_project],
        [from_support, TARGET_GROUP.index("unga_vuxna"), TARGET_GROUP.index("langtidsarbetslos"),
         np.nan_to_num(project).astype("int64")],
        TARGET_GROUP.index(FALLBACK_GROUP)).astype("int64")
    reason = np.select(
        [from_support >= 0, young, welfare, has_project],
        [np.char.add("från stödkod ", code.astype(str)), FROM_AGE, "från stödkod forsorjningsstod", FROM_PROJECT],
        NO_GROUP)
    reason = reason.astype(str) if n else np.zeros(0, dtype=str)
    categories = pd.Index(np.unique(reason), dtype="str")
    return TargetGroups(group=group.reshape(n), basis=pd.Categorical(reason, categories=categories))
