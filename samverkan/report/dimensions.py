"""The förbund's own profile over Tom Ling's four dimensions of joined-up work, from its projects'
assessments of the twelve prerequisites in the report year (``samverkan.prerequisites.dimension_profile``;
the mapping and its reasoning: docs/prerequisites.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from samverkan.prerequisites import dimension_profile
from samverkan.report.frames import for_forbund, has, plain


@dataclass(frozen=True)
class DimensionRow:
    dimension: str
    criteria: str  # the prerequisites' numbers under it, "1, 8, 9, 12"
    scores: int  # how many project scores the mean rests on
    mean_score: float | None  # 0–3; None when nobody scored it


@dataclass(frozen=True)
class DimensionSection:
    available: bool
    projects: int = 0  # projects assessed in the year
    rows: list[DimensionRow] = field(default_factory=list)  # in Ling's order


def dimension_section(profiles: pd.DataFrame | None, forbund: str, year: int) -> DimensionSection:
    mine = for_forbund(profiles, forbund)
    if has(mine) and "year" in mine.columns:
        mine = mine[mine["year"] == year]
    if not has(mine):
        return DimensionSection(available=False)
    profile = dimension_profile(mine)
    rows = [DimensionRow(str(r["dimension"]), str(r["criteria"]), int(r["scores"]), plain(r["mean_score"]))
            for r in profile.to_dict("records")]
    return DimensionSection(available=True, projects=int(mine["project_id"].nunique()), rows=rows)
